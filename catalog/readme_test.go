package catalog

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeExample: the package file of the README's "Writing a package"
// is valid, so a contract manager who copies it starts from a working file.
func TestReadmeExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Writing a package\n")
	if !ok {
		t.Fatal("README.md has no section Writing a package")
	}
	_, block, ok := strings.Cut(sec, "```yaml\n")
	if !ok {
		t.Fatal("the section has no yaml block")
	}
	block, _, _ = strings.Cut(block, "```")
	p, err := ParseFile("README.md", []byte(block))
	if err != nil {
		t.Fatalf("the README's package file is refused:\n%v", err)
	}
	if len(p.Phases) == 0 || p.FinalAcceptance == "" {
		t.Errorf("the README's package has %d phases and final acceptance %q", len(p.Phases), p.FinalAcceptance)
	}
}

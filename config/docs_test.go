package config

import (
	"os"
	"strings"
	"testing"
)

// TestOperationsDocListsEveryVariable keeps the configuration table of
// docs/operations.md in step with the variables sowflow reads.
func TestOperationsDocListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Variables {
		if !strings.Contains(string(readme), "| `"+v.Name+"` |") {
			t.Errorf("docs/operations.md's configuration table has no row for %s", v.Name)
		}
	}
}

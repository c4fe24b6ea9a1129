package worker

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestIdentity(t *testing.T) {
	host, _ := os.Hostname()
	pid := strconv.Itoa(os.Getpid())
	shape := regexp.MustCompile(`^sowflow-(api|worker|dev)@[a-z0-9]{16}$`)
	seen := map[string]bool{}
	for _, role := range []string{"api", "worker", "dev", "worker"} {
		id := Identity(role)
		if !shape.MatchString(id) || !strings.HasPrefix(id, "sowflow-"+role+"@") {
			t.Errorf("Identity(%q) = %q", role, id)
		}
		if _, instance, _ := strings.Cut(id, "@"); instance == host || strings.Contains(id, pid+"@") {
			t.Errorf("Identity(%q) = %q names the host or the process ID", role, id)
		}
		if seen[id] {
			t.Errorf("Identity(%q) = %q twice", role, id)
		}
		seen[id] = true
	}
}

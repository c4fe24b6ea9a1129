package devserver

import (
	"net"
	"strconv"
	"testing"

	"go.temporal.io/server/common/primitives"
)

// TestInternalPort: an internal service's port lies below the ephemeral
// range (where outgoing connections take theirs), is free, and is not one
// already given to another service.
func TestInternalPort(t *testing.T) {
	low := ephemeralLow()
	taken := map[primitives.ServiceName]int{}
	for _, svc := range []primitives.ServiceName{primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		port, err := internalPort("127.0.0.1", string(svc), taken)
		if err != nil {
			t.Fatal(err)
		}
		if port >= low || port < low-internalPortSpan {
			t.Fatalf("%s port %d, want in [%d, %d)", svc, port, low-internalPortSpan, low)
		}
		for other, p := range taken {
			if p == port {
				t.Fatalf("%s got %s's port %d", svc, other, port)
			}
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("%s port %d is not free: %v", svc, port, err)
		}
		_ = l.Close()
		taken[svc] = port
	}
}

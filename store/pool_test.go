package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/testenv"
)

// TestOpenPoolSize opens pools on the package's database: one whose URL
// does not set pool_max_conns has DefaultPoolMaxConns connections at most,
// not pgx's default, and an explicit pool_max_conns wins, in a URL and in
// key=value pairs alike.
func TestOpenPoolSize(t *testing.T) {
	ctx := context.Background()
	base := testenv.Get(t).DatabaseURL
	cfg, err := pgxpool.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	withParam := func(param string) string {
		if strings.Contains(base, "?") {
			return base + "&" + param
		}
		return base + "?" + param
	}
	cc := cfg.ConnConfig
	pairs := fmt.Sprintf("host=%s port=%d user=%s dbname=%s", cc.Host, cc.Port, cc.User, cc.Database)
	tests := []struct {
		name string
		url  string
		want int32
	}{
		{"a URL without pool_max_conns", base, DefaultPoolMaxConns},
		{"a URL with pool_max_conns", withParam("pool_max_conns=3"), 3},
		{"a URL with pool_max_conns above the default", withParam("pool_max_conns=40"), 40},
		{"a URL with another pool parameter only", withParam("pool_min_conns=1"), DefaultPoolMaxConns},
		{"pairs without pool_max_conns", pairs, DefaultPoolMaxConns},
		{"pairs with pool_max_conns", pairs + " pool_max_conns=5", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := Open(ctx, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			if got := pool.Config().MaxConns; got != tt.want {
				t.Errorf("MaxConns %d, want %d", got, tt.want)
			}
		})
	}
}

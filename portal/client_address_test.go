package portal

import (
	"net/http"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/sowflow/sowflow/store"
)

// TestClientAddress: X-Forwarded-For is read only when the peer is a
// trusted proxy, and only back to the first address that is not one, so a
// client cannot name its own address.
func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, peer string
		forwarded  []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxy trusted: the peer", "203.0.113.5:4000", []string{"198.51.100.7"}, nil, "203.0.113.5"},
		{"an untrusted peer's header is ignored", "203.0.113.5:4000", []string{"198.51.100.7"}, trusted, "203.0.113.5"},
		{"a trusted proxy names the client", "10.1.2.3:4000", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"a chain of trusted proxies", "10.1.2.3:4000", []string{"198.51.100.7, 10.9.9.9", "10.4.4.4"}, trusted, "198.51.100.7"},
		{"a spoofed hop before the client is not read", "10.1.2.3:4000", []string{"192.0.2.66, 198.51.100.7"}, trusted, "198.51.100.7"},
		{"a trusted proxy without the header", "10.1.2.3:4000", nil, trusted, "10.1.2.3"},
		{"a malformed hop stops the walk", "10.1.2.3:4000", []string{"198.51.100.7, not-an-address"}, trusted, "10.1.2.3"},
		{"IPv6 loopback proxy", "[::1]:4000", []string{"2001:db8::7"}, trusted, "2001:db8::7"},
		{"an IPv4-mapped hop", "10.1.2.3:4000", []string{"::ffff:198.51.100.7"}, trusted, "198.51.100.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tt.peer, Header: http.Header{}}
			for _, v := range tt.forwarded {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddress(r, tt.trusted); got != tt.want {
				t.Fatalf("clientAddress = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSignInThrottledPerForwardedAddress: behind a trusted proxy, the
// per-address limit counts each client's own address, not the proxy's.
func TestSignInThrottledPerForwardedAddress(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	f.portal.deps.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	// Out of the other tests' windows, as in TestSignInIsThrottledPerAddress.
	f.clock.Advance(-2000 * time.Hour)
	p := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	guesser, neighbour := f.browser(), f.browser()
	guesser.header.Set("X-Forwarded-For", "198.51.100.7")
	neighbour.header.Set("X-Forwarded-For", "198.51.100.8")
	token := guesser.csrf(pathSignIn)
	for range addressFailureLimit {
		guesser.post(pathSignIn, url.Values{"csrf": {token}, "email": {unique("nobody") + "@example.com"}, "password": {"guess"}}).
			want(t, http.StatusUnauthorized)
	}
	guesser.post(pathSignIn, url.Values{"csrf": {token}, "email": {p.Email}, "password": {testPassword}}).
		want(t, http.StatusTooManyRequests, "Too many failed sign-ins from your network")
	// Another client behind the same proxy signs in.
	neighbour.signIn(p.Email, testPassword)
}

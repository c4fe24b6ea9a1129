package portal

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/sowflow/sowflow/store"
)

// Sign-in throttling: after accountFailureLimit failed sign-ins to one
// account, or addressFailureLimit from one address, within throttleWindow,
// further sign-ins are refused until the oldest failure ages out.
const (
	throttleWindow      = 15 * time.Minute
	accountFailureLimit = 5
	addressFailureLimit = 20
)

func (p *Portal) checkSignIn(w http.ResponseWriter, r *request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	v := p.newView(r, "sign_in_title")
	v.Page = signInPage{Email: email}
	person, check, err := p.checkPassword(w, r, email, password)
	switch {
	case err != nil:
		p.internal(w, r, "check password", err)
		return
	case check.throttled != "":
		v.Error = check.throttled
		p.render(w, r, http.StatusTooManyRequests, "sign_in", v)
		return
	case check.wrong:
		v.Error = msg(r.Lang, "sign_in_bad_credentials")
		p.render(w, r, http.StatusUnauthorized, "sign_in", v)
		return
	}
	if err := p.deps.Store.ClearSignInFailures(r.Context(), check.accountKey); err != nil {
		p.internal(w, r, "clear sign-in failures", err)
		return
	}
	if err := p.startSession(w, r, person); err != nil {
		p.internal(w, r, "start session", err)
		return
	}
	http.Redirect(w, r.Request, pathHome, http.StatusSeeOther)
}

// passwordCheck is what checkPassword found short of an error.
type passwordCheck struct {
	// throttled, when set, says in the request's language why the check
	// was refused unchecked (Retry-After is set on the answer).
	throttled string
	// wrong says the password (or the account) did not match; the failure
	// is counted.
	wrong bool
	// accountKey is the account's throttling key.
	accountKey string
}

// checkPassword checks the password of the account email under sign-in
// throttling, for the sign-in form and every other form that asks for a
// password: refused while throttled, a wrong password counted against the
// account and the address. It returns the person when the password is right.
func (p *Portal) checkPassword(w http.ResponseWriter, r *request, email, password string) (store.Person, passwordCheck, error) {
	accountKey, addressKey := throttleKeys(r, email, p.deps.TrustedProxies)
	check := passwordCheck{accountKey: accountKey}
	refusal, retryAfter, err := p.throttled(r, accountKey, addressKey)
	if err != nil {
		return store.Person{}, check, fmt.Errorf("count sign-in failures: %w", err)
	}
	if refusal != "" {
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter))
		check.throttled = refusal
		return store.Person{}, check, nil
	}
	person, err := p.deps.Store.CheckCredentials(r.Context(), email, password)
	if errors.Is(err, store.ErrBadCredentials) {
		if err := p.deps.Store.RecordSignInFailure(r.Context(), []string{accountKey, addressKey}, r.now); err != nil {
			return store.Person{}, check, fmt.Errorf("record sign-in failure: %w", err)
		}
		check.wrong = true
		return store.Person{}, check, nil
	}
	if err != nil {
		return store.Person{}, check, fmt.Errorf("check credentials: %w", err)
	}
	return person, check, nil
}

// throttleKeys are the keys failed password checks are counted under: the
// account (its email in lower case) and the client's address.
func throttleKeys(r *request, email string, trusted []netip.Prefix) (account, address string) {
	return "account:" + strings.ToLower(strings.TrimSpace(email)), "address:" + clientAddress(r.Request, trusted)
}

// throttled says, in r's language, why password checks under these keys
// are refused now and in how many seconds they are allowed again; "" when
// they are not.
func (p *Portal) throttled(r *request, accountKey, addressKey string) (string, int, error) {
	since := r.now.Add(-throttleWindow)
	for _, limit := range []struct {
		key   string
		limit int
		msg   string
	}{{accountKey, accountFailureLimit, "sign_in_throttled_account"}, {addressKey, addressFailureLimit, "sign_in_throttled_address"}} {
		n, err := p.deps.Store.SignInFailures(r.Context(), limit.key, since, r.now)
		if err != nil || n < limit.limit {
			if err != nil {
				return "", 0, err
			}
			continue
		}
		oldest, err := p.deps.Store.OldestSignInFailure(r.Context(), limit.key, since, r.now)
		if err != nil {
			return "", 0, err
		}
		wait := oldest.Add(throttleWindow).Sub(r.now)
		minutes := max(1, int(math.Ceil(wait.Minutes())))
		return fmt.Sprintf(msg(r.Lang, limit.msg), minutes), int(math.Ceil(wait.Seconds())), nil
	}
	return "", 0, nil
}

// clientAddress is the address a request came from: the TCP peer's, or,
// when the peer is a trusted proxy, the address X-Forwarded-For names
// nearest to the peer that is not itself a trusted proxy. Addresses a
// client put in the header before the first trusted proxy are never read
// past an untrusted one, so a client cannot choose its own address.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = hop.Unmap()
		if !isTrusted(client, trusted) {
			break
		}
	}
	return client.String()
}

// isTrusted reports whether a is within one of the trusted prefixes.
func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

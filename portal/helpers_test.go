package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
)

// clock is a settable time source for the portal under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t      *testing.T
	portal *Portal
	st     *store.Store
	clock  *clock
	srv    *httptest.Server
}

// newFixture serves a portal over the package's database with a test clock;
// publicURL decides whether cookies are Secure. Its API has no Temporal
// server, enough for lists: see newAPIFixture for pages that act or read a
// project's state.
func newFixture(t *testing.T, publicURL string) *fixture {
	t.Helper()
	st := store.New(testenv.Get(t).Pool)
	// The API without Temporal: enough for the pages that only read lists.
	return serveFixture(t, publicURL, st, api.New(api.Deps{Store: st}))
}

// newAPIFixture is newFixture with the real API behind the portal: the
// package's Temporal server with a worker on a task queue of the test's own.
func newAPIFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	st := store.New(env.Pool)
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	taskQueue := "portal-" + strings.ReplaceAll(t.Name(), "/", "-")
	w := env.Temporal.NewWorker(taskQueue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	t.Cleanup(w.Stop)
	handler := api.New(api.Deps{Store: st, Calendars: cals, Temporal: env.Client(), TaskQueue: taskQueue, AllowHTTPDocumentURIs: true})
	return serveFixture(t, "", st, handler)
}

func serveFixture(t *testing.T, publicURL string, st *store.Store, handler http.Handler) *fixture {
	t.Helper()
	c := &clock{now: time.Now().UTC().Truncate(time.Second)}
	p, err := New(Deps{Store: st, API: handler, PublicURL: publicURL, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return &fixture{t: t, portal: p, st: st, clock: c, srv: srv}
}

var testSeq struct {
	sync.Mutex
	n int
}

// unique returns a name no other test of the package uses.
func unique(prefix string) string {
	testSeq.Lock()
	defer testSeq.Unlock()
	testSeq.n++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), testSeq.n)
}

// person creates a person with a password (none when password is "").
func (f *fixture) person(role store.Role, customer, password string, lang store.Language) store.Person {
	f.t.Helper()
	ctx := context.Background()
	p, err := f.st.CreatePerson(ctx, store.PersonSpec{Email: unique(string(role)) + "@example.com", Name: "Test " + string(role), Role: role, CustomerID: customer, Language: lang})
	if err != nil {
		f.t.Fatal(err)
	}
	if password != "" {
		if err := f.st.SetPassword(ctx, p.ID, password, f.clock.Now()); err != nil {
			f.t.Fatal(err)
		}
	}
	return p
}

// browser is one cookie jar against the fixture's server; it does not
// follow redirects, so tests see them.
type browser struct {
	f      *fixture
	client *http.Client
	header http.Header
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, header: http.Header{}, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.f.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.f.t.Fatal(err)
	}
	return response{res, string(body)}
}

func (b *browser) get(path string) response {
	b.f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.f.srv.URL+path, nil)
	return b.do(req)
}

// post sends form; its "csrf" field is filled in from the last page shown
// (b.csrf) unless the caller set one or passed noCSRF.
func (b *browser) post(path string, form url.Values) response {
	b.f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the forms on path.
func (b *browser) csrf(path string) string {
	b.f.t.Helper()
	res := b.get(path)
	m := csrfPattern.FindStringSubmatch(res.body)
	if m == nil {
		b.f.t.Fatalf("GET %s: no CSRF field in %d %q", path, res.StatusCode, res.body)
	}
	return m[1]
}

// signIn signs in through the form and fails the test unless it worked.
func (b *browser) signIn(email, password string) {
	b.f.t.Helper()
	res := b.post(pathSignIn, url.Values{"csrf": {b.csrf(pathSignIn)}, "email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathHome {
		b.f.t.Fatalf("sign-in: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
	}
}

func (r response) want(t *testing.T, status int, contains ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; body %q", r.StatusCode, status, r.body)
	}
	for _, c := range contains {
		if !strings.Contains(r.body, c) {
			t.Fatalf("body does not contain %q: %q", c, r.body)
		}
	}
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// cookieValue returns the value of the browser's cookie name for the server.
func (b *browser) cookieValue(name string) string {
	u, _ := url.Parse(b.f.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// safeBuffer is a bytes.Buffer for a logger that server goroutines share.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

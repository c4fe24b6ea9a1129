package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// APIDriver sends the mix through sowflow's HTTP API: every mutating request
// with a fresh Idempotency-Key, retried with the same key (for up to
// RetryFor) after a transport error, a 5xx or a 409 "key in use", on the
// next base URL when several
// are given (so a load spreads over several API processes and rides over a
// restart of one).
type APIDriver struct {
	// URLs are the API base URLs (http://host:8080); calls go round robin.
	URLs []string
	// Tokens are the bearer tokens of the two parties.
	Tokens map[Party]string
	// Client sends the requests; nil means a client with a 60 s timeout.
	Client *http.Client
	// KeyPrefix starts every Idempotency-Key (unique per run).
	KeyPrefix string
	// RetryFor bounds how long one call is retried (default 2 minutes): a
	// first attempt cut off by a restart may hold its key ("in use") until
	// its Update ends.
	RetryFor time.Duration

	next atomic.Uint64
	keys atomic.Uint64
}

// Name is api.
func (d *APIDriver) Name() string { return "api" }

func (d *APIDriver) client() *http.Client {
	if d.Client != nil {
		return d.Client
	}
	return http.DefaultClient
}

// apiError is a problem document's fields the report groups errors by.
type apiError struct {
	Type string `json:"type"`
	Rule string `json:"rule"`
}

// do sends c, retrying what may be retried with the same key.
func (d *APIDriver) do(ctx context.Context, c call) outcome {
	key := fmt.Sprintf("%s-%d", d.KeyPrefix, d.keys.Add(1))
	var raw []byte
	if c.body != nil {
		var err error
		if raw, err = json.Marshal(c.body); err != nil {
			return outcome{err: "encode"}
		}
	}
	retryFor := d.RetryFor
	if retryFor <= 0 {
		retryFor = 2 * time.Minute
	}
	start := time.Now()
	var out outcome
	first := int(d.next.Add(1))
	for i := 0; ; i++ {
		base := d.URLs[(first+i)%len(d.URLs)]
		out = d.once(ctx, base, key, c, raw)
		out.retries = i
		if out.err == "" || !retryable(out.err) || ctx.Err() != nil || time.Since(start) > retryFor {
			break
		}
		wait := min(time.Duration(100<<min(i, 5))*time.Millisecond, 2*time.Second)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	out.latency = time.Since(start)
	return out
}

// retryable says whether an error type may be retried with the same key.
func retryable(errType string) bool {
	return errType == "transport" || strings.HasPrefix(errType, "http-503") || strings.HasPrefix(errType, "http-502") ||
		strings.HasPrefix(errType, "http-409 urn:sowflow:problem:idempotency-key-in-use") || strings.HasPrefix(errType, "http-500")
}

func (d *APIDriver) once(ctx context.Context, base, key string, c call, raw []byte) outcome {
	var body io.Reader
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+c.path, body)
	if err != nil {
		return outcome{err: "request"}
	}
	req.Header.Set("Authorization", "Bearer "+d.Tokens[c.as])
	req.Header.Set("Idempotency-Key", key)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := d.client().Do(req)
	if err != nil {
		return outcome{err: "transport"}
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	if err != nil {
		return outcome{err: "transport"}
	}
	out := outcome{requestID: res.Header.Get("X-Request-ID")}
	if res.Header.Get("Idempotent-Replayed") == "true" {
		// A stored answer of an attempt whose answer was lost: its events
		// carry that attempt's request ID, not this one's.
		out.requestID = ""
	}
	if res.StatusCode >= 300 {
		var p apiError
		_ = json.Unmarshal(answer, &p)
		out.err = strings.TrimSpace(fmt.Sprintf("http-%d %s %s", res.StatusCode, p.Type, p.Rule))
		return out
	}
	if c.start != nil {
		return out
	}
	var res2 struct {
		Events []EventRef `json:"events"`
		Ticket int        `json:"ticket"`
	}
	if err := json.Unmarshal(answer, &res2); err != nil {
		out.err = "decode"
		return out
	}
	out.events, out.ticket = res2.Events, res2.Ticket
	if len(out.events) > 0 {
		out.requestID = out.events[0].RequestID
	}
	return out
}

// Events pages through r's events in the read model (GET {path}/events),
// as the manager.
func (d *APIDriver) Events(ctx context.Context, r Ref) ([]EventRef, error) {
	var all []EventRef
	var after int64
	for {
		var page struct {
			Items     []EventRef `json:"items"`
			NextAfter int64      `json:"next_after"`
		}
		path := r.Path + "/events?limit=500&after=" + strconv.FormatInt(after, 10)
		if err := d.get(ctx, d.Tokens[Manager], path, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextAfter == 0 || len(page.Items) == 0 {
			return all, nil
		}
		after = page.NextAfter
	}
}

// errNotFound is a 404 from a read.
var errNotFound = errors.New("not found")

// get reads path with token into out, from the first base URL that
// answers.
func (d *APIDriver) get(ctx context.Context, token, path string, out any) error {
	var last error
	for _, base := range d.URLs {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := d.client().Do(req)
		if err != nil {
			last = fmt.Errorf("get %s: %w", path, err)
			continue
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case err != nil:
			last = fmt.Errorf("get %s: %w", path, err)
			continue
		case res.StatusCode == http.StatusNotFound:
			return fmt.Errorf("get %s: %w", path, errNotFound)
		case res.StatusCode != http.StatusOK:
			last = fmt.Errorf("get %s: status %d: %s", path, res.StatusCode, bytes.TrimSpace(raw))
			continue
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode %s: %w", path, err)
		}
		return nil
	}
	return last
}

// Whoami answers the customer ID of the customer token (GET /v1/me).
func (d *APIDriver) Whoami(ctx context.Context, p Party) (string, error) {
	var me struct {
		Role       string `json:"role"`
		CustomerID string `json:"customer_id"`
	}
	if err := d.get(ctx, d.Tokens[p], "/v1/me", &me); err != nil {
		return "", err
	}
	if me.Role != string(p) {
		return "", fmt.Errorf("the %s token belongs to a %s", p, me.Role)
	}
	return me.CustomerID, nil
}

package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sowflow/sowflow/api"
)

// The portal performs every action, and reads every project, service and
// ticket, through the HTTP API's own handler, in-process, as the signed-in
// person (api.ActingAs): one code path for authorization, scoping,
// validation, idempotency, request IDs, metrics and the audit chain. Each
// form carries a one-time key (the template function formKey) sent as the
// request's Idempotency-Key, so a double click, a refresh or a back-button
// resubmission of the same form performs its action once and gets the
// first answer again.

// keyField is the form field holding the form's one-time key.
const keyField = "key"

// busyWait bounds how long a form submitted twice at once waits for the
// first submission's answer before it says so.
const busyWait = 20 * time.Second

// call sends one request to the API as the signed-in person: body (nil for
// none) as JSON and key, for a mutating request, as its Idempotency-Key. A
// 2xx answer is decoded into out (when not nil); any other is returned as
// an api.Problem. A request whose key is still being served (the same form
// submitted twice at once) waits for the first one's answer.
func (p *Portal) call(r *request, method, path, key string, body, out any) error {
	if p.deps.API == nil {
		return errors.New("the portal has no API handler")
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	deadline := time.Now().Add(busyWait)
	for wait := 25 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		status, answer, err := p.serveAPI(r, method, path, key, payload)
		if err != nil {
			return err
		}
		if status >= 200 && status < 300 {
			if out == nil || len(answer) == 0 {
				return nil
			}
			if err := json.Unmarshal(answer, out); err != nil {
				return fmt.Errorf("decode %s %s: %w", method, path, err)
			}
			return nil
		}
		var prob api.Problem
		if err := json.Unmarshal(answer, &prob); err != nil || prob.Status == 0 {
			prob = api.Problem{Status: status, Detail: http.StatusText(status)}
		}
		if prob.Type != api.ProblemIdempotencyRunning || time.Now().Add(wait).After(deadline) {
			return prob
		}
		select {
		case <-r.Context().Done():
			return r.Context().Err()
		case <-time.After(wait):
		}
	}
}

// serveAPI serves one request with the API's handler and returns the
// answer's status and body.
func (p *Portal) serveAPI(r *request, method, path, key string, payload []byte) (int, []byte, error) {
	return p.serveAPIAs(r, method, path, key, "application/json", payload)
}

// callFile sends a file (payload, of contentType) to the API as the
// signed-in person, with key as its Idempotency-Key; a 2xx answer is decoded
// into out, any other returned as an api.Problem.
func (p *Portal) callFile(r *request, method, path, key, contentType string, payload []byte, out any) error {
	if p.deps.API == nil {
		return errors.New("the portal has no API handler")
	}
	status, answer, err := p.serveAPIAs(r, method, path, key, contentType, payload)
	if err != nil {
		return err
	}
	if status >= 200 && status < 300 {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
		return nil
	}
	var prob api.Problem
	if err := json.Unmarshal(answer, &prob); err != nil || prob.Status == 0 {
		prob = api.Problem{Status: status, Detail: http.StatusText(status)}
	}
	return prob
}

// serveAPIAs is serveAPI with the body's content type.
func (p *Portal) serveAPIAs(r *request, method, path, key, contentType string, payload []byte) (int, []byte, error) {
	ctx := api.ActingAs(r.Context(), r.Session.Person.Principal())
	var body io.Reader = http.NoBody
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return 0, nil, fmt.Errorf("make request %s %s: %w", method, path, err)
	}
	req.Host = r.Host
	req.RemoteAddr = r.RemoteAddr
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	rec := &answer{header: http.Header{}}
	p.deps.API.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.status, rec.body.Bytes(), nil
}

// answer collects an in-process API answer.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}

// formKey returns the one-time key of a form being rendered.
func formKey() string { return newToken() }

// apiFailed answers a request whose API call failed with err: the API's
// refusal as the portal's error page in the person's language (404 exactly
// as for a page that does not exist), anything else as an internal error.
func (p *Portal) apiFailed(w http.ResponseWriter, r *request, op string, err error) {
	var prob api.Problem
	switch {
	case errors.As(err, &prob) && prob.Status == http.StatusNotFound:
		p.notFound(w, r)
	case errors.As(err, &prob) && prob.Status == http.StatusForbidden:
		p.renderError(w, r, http.StatusForbidden, "error_forbidden")
	case errors.As(err, &prob) && prob.Status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
		p.renderError(w, r, http.StatusServiceUnavailable, "error_unavailable")
	case errors.As(err, &prob) && prob.Status >= 400 && prob.Status < 500:
		p.renderRefusal(w, r, prob)
	case errors.As(err, &prob):
		p.renderError(w, r, http.StatusInternalServerError, "error_internal")
	case errors.Is(err, context.Canceled):
		p.renderError(w, r, http.StatusServiceUnavailable, "error_unavailable")
	default:
		p.internal(w, r, op, err)
	}
}

// refusal is the error page's account of a refused action.
type refusal struct {
	Detail  string
	Rule    string
	Missing []string
	Errors  []api.FieldError
	// Back is the page the form was on (from the same-origin Referer), or
	// the home page.
	Back string
}

// renderRefusal shows an action the API refused (409, 422, …) with the
// rule it broke and what is missing.
func (p *Portal) renderRefusal(w http.ResponseWriter, r *request, prob api.Problem) {
	v := p.newView(r, "refused_title")
	v.Error = msg(r.Lang, "refused_intro")
	v.Page = refusal{Detail: prob.Detail, Rule: prob.Rule, Missing: append(prob.Missing, prob.Thresholds...), Errors: prob.Errors,
		Back: backPath(r)}
	p.render(w, r, prob.Status, "refused", v)
}

// backPath is the path (and query) of the page a form was sent from, from
// the Referer when it is this site's, else the home page.
func backPath(r *request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" || !strings.HasPrefix(ref.Path, "/") {
		return pathHome
	}
	back := ref.Path
	if ref.RawQuery != "" {
		back += "?" + ref.RawQuery
	}
	return back
}

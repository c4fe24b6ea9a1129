package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"
	maxKeyLength      = 255
	idempotencyCtxKey = "idempotency_key"
	// idempotencyHashKey holds the request's hash (hex) for handlers.
	idempotencyHashKey = "idempotency_hash"
	// idempotencyKeptBodyKey, set by a handler to a []byte, is the body
	// kept for retries instead of the one sent: an answer holding a secret
	// shown only once keeps a copy without it.
	idempotencyKeptBodyKey = "idempotency_kept_body"
	// answerRederivableKey, set by a handler to true, says a retry would
	// answer the same bytes: the answer is stored without waiting for the
	// disk (store.AnswerRederivable).
	answerRederivableKey = "idempotency_answer_rederivable"
)

// capturingWriter keeps a copy of the response body for the idempotency record.
type capturingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *capturingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *capturingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// idempotent makes a mutating route safe to retry: it requires an
// Idempotency-Key, answers a retry with the first answer, refuses the key's
// reuse for another request (422) and a retry while the first is still
// running (409). Only answers that took effect (below 400) are kept, for
// Deps.IdempotencyRetention: a refusal or a failure (4xx, 5xx) changed
// nothing, so it releases the key, a retry runs the request again, and
// probing leaves no record behind.
func (h *handlers) idempotent(c *gin.Context) {
	key := c.GetHeader(idempotencyHeader)
	if key == "" || len(key) > maxKeyLength || !printable(key) {
		invalid(c, "every mutating request needs an Idempotency-Key header", FieldError{Field: idempotencyHeader, Rule: "required",
			Detail: "must be 1 to 255 printable ASCII characters, unique per intended action (a UUID is a good choice)"})
		return
	}
	body, ok := readBody(c)
	if !ok {
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	// The body is known now: a chunked one gets its length, so handlers
	// that allow an empty body (bindOptionalJSON) see an empty one as such.
	c.Request.ContentLength = int64(len(body))
	h256 := sha256.New()
	h256.Write([]byte(c.Request.Method + "\n" + c.Request.URL.Path + "\n"))
	h256.Write(body)
	req := store.IdempotencyRequest{TokenID: idempotencyOwner(principal(c)), Key: key, Method: c.Request.Method, Path: c.Request.URL.Path, Hash: h256.Sum(nil),
		Retention: h.deps.IdempotencyRetention}

	ctx := c.Request.Context()
	outcome, stored, err := h.deps.Store.BeginIdempotent(ctx, req)
	if err != nil {
		h.internal(c, "idempotency", err)
		return
	}
	switch outcome {
	case store.IdempotencyReplay:
		c.Header(replayedHeader, "true")
		if stored.Location != "" {
			c.Header("Location", stored.Location)
		}
		c.Data(stored.Status, stored.ContentType, stored.Body)
		c.Abort()
		return
	case store.IdempotencyRunning:
		c.Header("Retry-After", "1")
		writeProblem(c, Problem{Type: ProblemIdempotencyRunning, Status: http.StatusConflict,
			Detail: "a request with this Idempotency-Key is still running; retry shortly to get its answer"})
		return
	case store.IdempotencyMismatch:
		writeProblem(c, Problem{Type: ProblemIdempotencyMismatch, Status: http.StatusUnprocessableEntity,
			Detail: "this Idempotency-Key was already used for a different request; use a new key for a new action",
			Errors: []FieldError{{Field: idempotencyHeader, Rule: "reused", Detail: "belongs to another request"}}})
		return
	}

	c.Set(idempotencyCtxKey, key)
	c.Set(idempotencyHashKey, hex.EncodeToString(req.Hash))
	w := &capturingWriter{ResponseWriter: c.Writer}
	c.Writer = w
	// returned stays false when a handler panics: the recovery middleware
	// answers 500 after this deferred function has run, so the status seen
	// here would be the writer's default 200.
	returned := false
	defer func() {
		// The record outlives the client: finish it even if the client went away.
		bg := context.WithoutCancel(ctx)
		status := w.Status()
		if !returned || status >= 400 {
			if err := h.deps.Store.AbandonIdempotent(bg, req); err != nil {
				h.deps.Logger.Error("release idempotency key", "request_id", c.GetString(requestIDKey), "error", err.Error())
			}
			return
		}
		body := w.body.Bytes()
		if kept, ok := c.Get(idempotencyKeptBodyKey); ok {
			body, _ = kept.([]byte)
		}
		resp := store.StoredResponse{Status: status, ContentType: w.Header().Get("Content-Type"), Location: w.Header().Get("Location"), Body: body}
		commit := store.AnswerDurable
		if c.GetBool(answerRederivableKey) {
			commit = store.AnswerRederivable
		}
		if err := h.deps.Store.FinishIdempotent(bg, req, resp, commit); err != nil {
			h.deps.Logger.Error("store idempotent response", "request_id", c.GetString(requestIDKey), "error", err.Error())
		}
	}()
	c.Next()
	returned = true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotencyOwner is whose keys a principal's requests use: a token's ID
// (as stored before people could act), or a person's subject.
func idempotencyOwner(p store.Principal) string {
	if p.PersonID != "" {
		return p.Subject()
	}
	return p.TokenID
}

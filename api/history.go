package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/workflows"
)

// Auditor routes over the workflow's Temporal history (package history):
//
//	GET  /v1/projects/{id}/history         the decoded timeline (historyTimeline)
//	GET  /v1/projects/{id}/history/export  every run in Temporal's JSON format (history.Export)
//	POST /v1/replay                        replay an export against this binary's workflow code (replayReport)
//	GET  /v1/projects/{id}?as_of=<RFC3339> the state as of an instant (projectAsOf)
//
// The first two, like as_of, are for the project's readers (auditors, its
// customer and managers) after visibleProject's object-level check.

// maxReplayRuns bounds the runs one POST /v1/replay replays.
const maxReplayRuns = 200

// maxReplayUnpacked bounds what a gzip'd POST /v1/replay body may unpack
// to. Decoding a history takes several times its JSON size in memory, so
// this, times maxConcurrentReplays, bounds what replays can take.
const maxReplayUnpacked = 16 << 20

// maxConcurrentReplays replays run at once in one process; more are 429.
const maxConcurrentReplays = 2

// maxConcurrentHistoryReads history timelines, exports and as_of states are
// built at once in one process (each holds every run of a workflow in
// memory); more are 429.
const maxConcurrentHistoryReads = 4

// busyRetryAfter is the Retry-After, in seconds, of a 429 for work that
// runs a bounded number at a time.
const busyRetryAfter = "5"

// LongRequestTimeout replaces the server's read and write timeouts for the
// routes that may take long: POST /v1/replay and the history export.
const LongRequestTimeout = 5 * time.Minute

// longRequest gives the request LongRequestTimeout to arrive and be
// answered; it must run before the body is read.
func longRequest() gin.HandlerFunc {
	return func(c *gin.Context) {
		rc := http.NewResponseController(c.Writer)
		deadline := time.Now().Add(LongRequestTimeout)
		// Not every writer supports deadlines (httptest's does not); the
		// server's own timeouts then stay.
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
		c.Next()
	}
}

// acquire takes one of slots' tokens and returns its release, or answers
// 429 with Retry-After and returns false when every token is taken.
func acquire(c *gin.Context, slots chan struct{}, what string) (release func(), ok bool) {
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, true
	default:
		c.Header("Retry-After", busyRetryAfter)
		writeProblem(c, Problem{Type: ProblemBusy, Status: http.StatusTooManyRequests,
			Detail: fmt.Sprintf("%d %s are running, the most this server runs at once; retry shortly", cap(slots), what)})
		return nil, false
	}
}

// limited runs the rest of the request holding one of slots' tokens (see
// acquire).
func limited(c *gin.Context, slots chan struct{}, what string) {
	release, ok := acquire(c, slots, what)
	if !ok {
		return
	}
	defer release()
	c.Next()
}

// limitReplays lets maxConcurrentReplays replays run at once.
func (h *handlers) limitReplays(c *gin.Context) { limited(c, h.replays, "replays") }

// limitHistoryReads lets maxConcurrentHistoryReads history reads run at once.
func (h *handlers) limitHistoryReads(c *gin.Context) { limited(c, h.historyReads, "history reads") }

// historyTimeline answers GET /v1/projects/{id}/history.
type historyTimeline struct {
	ProjectID  string `json:"project_id"`
	WorkflowID string `json:"workflow_id"`
	// Runs are the workflow's runs, oldest first.
	Runs []historyRun `json:"runs"`
	// Entries are the decoded events of every run, in order.
	Entries []history.Entry `json:"entries"`
}

// historyRun is one run of a timeline.
type historyRun struct {
	Run    int    `json:"run"`
	RunID  string `json:"run_id"`
	Events int    `json:"events"`
}

// replayReport answers POST /v1/replay: OK when every run replays.
type replayReport struct {
	OK   bool             `json:"ok"`
	Runs []history.Result `json:"runs"`
}

// fetchHistory reads every run of the workflow workflowID; it answers the
// request and returns false when it cannot.
func (h *handlers) fetchHistory(c *gin.Context, workflowID string) ([]history.Run, bool) {
	runs, err := history.Fetch(c.Request.Context(), h.deps.Temporal, workflowID)
	if err != nil {
		h.workflowProblem(c, "fetch history", err)
		return nil, false
	}
	return runs, true
}

// visibleHistory reads every run of the workflow of the project the request
// names, when the caller may see it; it answers the request and returns
// false when it cannot.
func (h *handlers) visibleHistory(c *gin.Context) (string, []history.Run, bool) {
	id, ok := h.visibleProject(c)
	if !ok {
		return "", nil, false
	}
	runs, ok := h.fetchHistory(c, workflows.ProjectWorkflowID(id))
	return id, runs, ok
}

// historyDecoder decodes payloads the way the workers encode them.
func (h *handlers) historyDecoder() *history.Decoder {
	return &history.Decoder{DataConverter: codec.DataConverter(h.deps.Codec)}
}

// projectHistory answers the project's decoded timeline: every run, every
// action with its actor, request ID and payload, every deadline computed,
// timer fired and projection written (history.Entry).
func (h *handlers) projectHistory(c *gin.Context) {
	id, runs, ok := h.visibleHistory(c)
	if !ok {
		return
	}
	out := historyTimeline{ProjectID: id, WorkflowID: workflows.ProjectWorkflowID(id), Runs: make([]historyRun, 0, len(runs)),
		Entries: h.historyDecoder().Timeline(runs)}
	for i, r := range runs {
		out.Runs = append(out.Runs, historyRun{Run: i + 1, RunID: r.RunID, Events: len(r.History.GetEvents())})
	}
	c.JSON(http.StatusOK, out)
}

// projectHistoryExport answers every run of the project's workflow, oldest
// first, each history in Temporal's JSON format:
// {"workflow_id", "runs": [{"run_id", "history": {"events": [...]}}]}.
// POST /v1/replay and `sowflow replay` take the document as it is; each
// run's "history" alone is what `temporal workflow show --output json`
// writes and any Temporal tool reads.
func (h *handlers) projectHistoryExport(c *gin.Context) {
	h.historyExport(c, projectTarget, workflows.ProjectWorkflowID)
}

// serviceHistoryExport answers every run of the service's workflow as
// projectHistoryExport does a project's. The service's tickets are
// workflows of their own and are not in it.
func (h *handlers) serviceHistoryExport(c *gin.Context) {
	h.historyExport(c, serviceTarget, workflows.ServiceWorkflowID)
}

// historyExport answers the export of the workflow (workflowID of its ID)
// of the resource of the path, when the caller may see it.
func (h *handlers) historyExport(c *gin.Context, of target, workflowID func(string) string) {
	r, ok := h.visible(c, of)
	if !ok {
		return
	}
	wid := workflowID(r.id)
	runs, ok := h.fetchHistory(c, wid)
	if !ok {
		return
	}
	exp, err := history.NewExport(wid, runs)
	if err != nil {
		h.internal(c, "export history", err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+r.kind+`-`+r.id+`-history.json"`)
	c.JSON(http.StatusOK, exp)
}

// replay replays the histories in the body (an export, or one Temporal JSON
// history, optionally gzip'd) against this binary's project workflow and
// answers, per run, whether it replays and where it diverges. A divergence
// is a finding, not an error: the answer is 200 with "ok": false.
//
// The body is bounded by the API's request limit (maxBodyBytes): enough for
// the exports of ordinary projects, not for a run near
// workflows.ContinueAsNewHistoryLength events (several MB); replay those
// with `sowflow replay`.
func (h *handlers) replay(c *gin.Context) {
	body, ok := readBody(c)
	if !ok {
		return
	}
	// Unpack (bounded) first, so the document is checked for repeated keys
	// like every other body, and parsed as plain JSON.
	plain, err := unpackReplay(body)
	if errors.Is(err, history.ErrTooLarge) {
		writeProblem(c, Problem{Type: ProblemTooLarge, Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("the gzip'd body unpacks to more than %d MiB", maxReplayUnpacked>>20)})
		return
	}
	if err == nil {
		if fe := strictJSON(plain, nil); fe != nil {
			invalid(c, "the body is not a history export", *fe)
			return
		}
	}
	var runs []history.Run
	if err == nil {
		runs, err = history.Parse(plain)
	}
	if err != nil {
		invalid(c, "the body is not a history export", FieldError{Field: "body", Rule: "history",
			Detail: "must be an export of GET /v1/projects/{id}/history/export or /v1/services/{id}/history/export, or a Temporal JSON history: " + err.Error()})
		return
	}
	if len(runs) > maxReplayRuns {
		invalid(c, "too many runs", FieldError{Field: "runs", Rule: "max", Detail: "at most 200 runs per request"})
		return
	}
	r := history.Replayer{DataConverter: h.historyDecoder().DataConverter}
	out := replayReport{OK: true, Runs: r.ReplayAll(runs)}
	for i := range out.Runs {
		out.OK = out.OK && out.Runs[i].OK
	}
	outcome := "ok"
	if !out.OK {
		outcome = "diverged"
	}
	h.metrics.action("replay", outcome)
	c.JSON(http.StatusOK, out)
}

// projectAsOf answers GET /v1/projects/{id}?as_of=<RFC3339>: the project's
// state as of that instant, reconstructed from the states its workflow
// recorded (history.StateAt), in the same shape as the current state. It
// returns false, answering nothing, when the request has no as_of; call it
// after visibleProject. An instant before the project started is 404.
func (h *handlers) projectAsOf(c *gin.Context, id string) bool {
	raw, ok := c.GetQuery("as_of")
	if !ok {
		return false
	}
	at, err := parseInstant(raw)
	if err != nil {
		invalid(c, "as_of must be an RFC 3339 instant", FieldError{Field: "as_of", Rule: "rfc3339",
			Detail: "e.g. 2026-10-13T00:00:00+08:00 (send + as %2B)"})
		return true
	}
	release, ok := acquire(c, h.historyReads, "history reads")
	if !ok {
		return true
	}
	defer release()
	runs, ok := h.fetchHistory(c, workflows.ProjectWorkflowID(id))
	if !ok {
		return true
	}
	snap, err := h.historyDecoder().StateAt(runs, at)
	if errors.Is(err, history.ErrNotStarted) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound,
			Detail: "project " + id + " had not started at " + cst(at).Format(time.RFC3339)})
		return true
	}
	if err != nil {
		h.internal(c, "state as of", err)
		return true
	}
	c.Header("X-State-Recorded-At", snap.RecordedAt.Format(time.RFC3339Nano))
	c.JSON(http.StatusOK, snap.State)
	return true
}

// unpackReplay returns a replay body as plain JSON: gunzipped, streaming,
// to at most maxReplayUnpacked bytes (history.ErrTooLarge beyond), when it
// is gzip'd; as it is otherwise.
func unpackReplay(body []byte) ([]byte, error) {
	if len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	plain, err := io.ReadAll(io.LimitReader(zr, maxReplayUnpacked+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if len(plain) > maxReplayUnpacked {
		return nil, history.ErrTooLarge
	}
	return plain, nil
}

// parseInstant parses an RFC 3339 instant; a "+" of the offset that arrived
// as a space (an unencoded query string) is put back.
func parseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && strings.Contains(s, " ") {
		return time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "+", 1))
	}
	return t, err
}

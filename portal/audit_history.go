package portal

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/store"
)

// auditTimeline is what GET /v1/projects/{id}/history answers.
type auditTimeline struct {
	ProjectID  string `json:"project_id"`
	WorkflowID string `json:"workflow_id"`
	Runs       []struct {
		Run    int    `json:"run"`
		RunID  string `json:"run_id"`
		Events int    `json:"events"`
	} `json:"runs"`
	Entries []history.Entry `json:"entries"`
}

// auditHistoryPage is the data of GET /audit/projects/{id}.
type auditHistoryPage struct {
	ProjectID, WorkflowID, ProjectPath, ExportPath string
	Runs                                           []auditRunView
	Entries                                        []auditEntryView
	// CanReplay is set for the roles the API lets replay (the form is
	// shown to them only; the API decides either way).
	CanReplay bool
	Replay    auditReplayForm
	// ActionsOnly is set when the timeline shows only what people did and
	// how runs ended (?show=actions); All and Actions count the entries of
	// either view, AllPath and ActionsPath link them.
	ActionsOnly          bool
	All, Actions         int
	AllPath, ActionsPath string
}

type auditRunView struct {
	Run    int
	RunID  string
	Events int
}

// auditEntryView is one entry of the timeline in words.
type auditEntryView struct {
	Run                 int
	FirstOfRun          bool
	EventID             int64
	EventType           string
	Time, ISO           string
	Kind, KindKey, Name string
	Actor, RequestID    string
	// Records are the types of the events an entry recorded or an action
	// produced (e.g. delay-opened).
	Records   []string
	Details   []auditDetail
	Attention bool
}

// auditDetail is one field of an entry's payload.
type auditDetail struct {
	Key, Value string
	Long       bool
}

// showAuditHistory shows a project's workflow history, read through the
// API as the signed-in person: every run and every entry with its time in
// China Standard Time, what it is in words, who asked for it and what it
// carries.
func (p *Portal) showAuditHistory(w http.ResponseWriter, r *request) {
	id := r.PathValue("id")
	var tl auditTimeline
	if err := p.call(r, http.MethodGet, "/v1/projects/"+url.PathEscape(id)+"/history", "", nil, &tl); err != nil {
		p.apiFailed(w, r, "read history", err)
		return
	}
	page := auditHistoryPage{ProjectID: tl.ProjectID, WorkflowID: tl.WorkflowID, ProjectPath: projectPath(tl.ProjectID),
		ExportPath: auditHistoryPath(tl.ProjectID) + "/export", CanReplay: r.Session.Person.Role == store.RoleAuditor,
		Replay: auditReplayForm{CSRF: r.CSRF, Back: auditHistoryPath(tl.ProjectID)}}
	for _, run := range tl.Runs {
		page.Runs = append(page.Runs, auditRunView{Run: run.Run, RunID: run.RunID, Events: run.Events})
	}
	page.ActionsOnly = r.URL.Query().Get("show") == "actions"
	page.AllPath, page.ActionsPath = auditHistoryPath(tl.ProjectID), auditHistoryPath(tl.ProjectID)+"?show=actions"
	last := 0
	for _, e := range tl.Entries {
		page.All++
		action := auditAction(e.Kind)
		if action {
			page.Actions++
		}
		if page.ActionsOnly && !action {
			continue
		}
		page.Entries = append(page.Entries, auditEntry(r.Lang, e, e.Run != last))
		last = e.Run
	}
	v := p.newView(r, "aud_history_title")
	v.Title = fmt.Sprintf(msg(r.Lang, "aud_history_heading"), tl.ProjectID)
	v.Page = page
	p.render(w, r, http.StatusOK, "audit_history", v)
}

// auditAction reports whether entries of kind are what people asked for
// or how a run ended, not the workflow's bookkeeping (deadlines, timers,
// records written, markers).
func auditAction(kind history.Kind) bool {
	switch kind {
	case history.KindStarted, history.KindUpdate, history.KindUpdateCompleted, history.KindSignal, history.KindContinuedAsNew,
		history.KindCompleted, history.KindFailed, history.KindTerminated, history.KindCanceled, history.KindTimedOut,
		history.KindWorkflowTaskFailed, history.KindActivityFailed:
		return true
	}
	return false
}

// auditEntry is e in lang.
func auditEntry(lang store.Language, e history.Entry, firstOfRun bool) auditEntryView {
	v := auditEntryView{Run: e.Run, FirstOfRun: firstOfRun, EventID: e.EventID, EventType: e.EventType,
		Time: auditTime(lang, e.Time), ISO: e.Time.Format(time.RFC3339Nano),
		KindKey: string(e.Kind), Kind: word(lang, "aud_kind_", string(e.Kind)), RequestID: e.RequestID}
	if e.Name != "" {
		v.Name = word(lang, "aud_name_", e.Name)
	}
	switch e.Kind {
	case history.KindWorkflowTaskFailed, history.KindActivityFailed, history.KindFailed, history.KindTerminated, history.KindTimedOut, history.KindCanceled:
		v.Attention = true
	}
	if e.Actor != nil {
		v.Actor = actorName(lang, e.Actor.Subject, string(e.Actor.Role))
		if e.Actor.CustomerID != "" {
			v.Actor += " · " + e.Actor.CustomerID
		}
	}
	keys := make([]string, 0, len(e.Payload))
	for k := range e.Payload {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d := auditDetail{Key: k, Value: auditValue(e.Payload[k])}
		d.Long = len(d.Value) > 160 || strings.Contains(d.Value, "\n")
		v.Details = append(v.Details, d)
	}
	if evs, ok := e.Payload["events"].([]any); ok {
		for _, ev := range evs {
			if m, ok := ev.(map[string]any); ok {
				if t, ok := m["type"].(string); ok {
					v.Records = append(v.Records, t)
				}
			}
		}
	}
	if e.Kind == history.KindUpdateCompleted && e.Payload["outcome"] == "failed" {
		v.Attention = true
	}
	return v
}

// auditValue writes a payload value: text as it is, anything else as
// indented JSON.
func auditValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "—"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(buf.String())
}

// auditTime writes an instant in China Standard Time with its weekday, to
// the second: events of one action happen within the same minute.
func auditTime(lang store.Language, t time.Time) string {
	t = t.In(calendar.Zone())
	return fmt.Sprintf(msg(lang, "date_format"), t.Year(), t.Month().String()[:3], t.Day(),
		msg(lang, fmt.Sprintf("weekday_%d", int(t.Weekday()))), t.Format("15:04:05"), int(t.Month()))
}

// downloadAuditExport streams GET /v1/{kind}s/{id}/history/export (kind
// "project" or "service"), read as the signed-in person, as a file to
// save: <kind>-<id>-history.json. A refusal is shown as the page it is.
func (p *Portal) downloadAuditExport(kind string) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		id := r.PathValue("id")
		ctx := api.ActingAs(r.Context(), r.Session.Person.Principal())
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/v1/"+kind+"s/"+url.PathEscape(id)+"/history/export", http.NoBody)
		if err != nil {
			p.internal(w, r, "export history", err)
			return
		}
		req.Host, req.RemoteAddr = r.Host, r.RemoteAddr
		req.Header.Set("Accept", "application/json")
		sw := &exportWriter{w: w, filename: auditExportName(kind, id)}
		p.deps.API.ServeHTTP(sw, req)
		if sw.passing {
			return
		}
		var prob api.Problem
		if err := json.Unmarshal(sw.held.Bytes(), &prob); err != nil || prob.Status == 0 {
			prob = api.Problem{Status: sw.status, Detail: http.StatusText(sw.status)}
		}
		p.apiFailed(w, r, "export history", prob)
	}
}

// auditExportName is the file name of the export of kind id: only the
// ID's letters, digits, dots, dashes and underscores.
func auditExportName(kind, id string) string {
	safe := strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			return c
		}
		return '_'
	}, id)
	return kind + "-" + safe + "-history.json"
}

// exportWriter passes a 2xx answer of the API through to w as an
// attachment as it is written; any other answer is held for the error
// page.
type exportWriter struct {
	w        http.ResponseWriter
	filename string
	header   http.Header
	status   int
	passing  bool
	held     bytes.Buffer
}

func (e *exportWriter) Header() http.Header {
	if e.header == nil {
		e.header = http.Header{}
	}
	return e.header
}

func (e *exportWriter) WriteHeader(status int) {
	if e.status != 0 {
		return
	}
	e.status = status
	if status < 200 || status >= 300 {
		return
	}
	e.passing = true
	h := e.w.Header()
	h.Set("Content-Type", cmp.Or(e.Header().Get("Content-Type"), "application/json"))
	h.Set("Content-Disposition", `attachment; filename="`+e.filename+`"`)
	if rid := e.Header().Get("X-Request-ID"); rid != "" {
		h.Set("X-Request-ID", rid)
	}
	e.w.WriteHeader(status)
}

func (e *exportWriter) Write(b []byte) (int, error) {
	if e.status == 0 {
		e.WriteHeader(http.StatusOK)
	}
	if e.passing {
		return e.w.Write(b)
	}
	return e.held.Write(b)
}

// Flush passes a flush on to the portal's writer when it can.
func (e *exportWriter) Flush() {
	if f, ok := e.w.(http.Flusher); ok && e.passing {
		f.Flush()
	}
}

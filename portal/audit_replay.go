package portal

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/store"
)

// maxReplayFile is the largest export the portal sends to POST /v1/replay:
// the API's body limit. Larger exports are replayed with `sowflow replay`.
const maxReplayFile = 1 << 20

// maxReplayUpload bounds the whole upload form: the file and the little
// around it.
const maxReplayUpload = maxReplayFile + 64<<10

// replayFileField is the upload form's file input.
const replayFileField = "export"

// auditReplayForm is the upload form: where it leads back to and what was
// wrong with the last file sent.
type auditReplayForm struct {
	CSRF      string
	Back      string
	FileError string
}

// auditReplayPage is the data of GET and POST /audit/replay.
type auditReplayPage struct {
	Form auditReplayForm
	// Done is set once a file was replayed; OK when every run replays.
	Done, OK bool
	FileName string
	Events   int
	Runs     []auditReplayRun
	// Summary is the outcome in one sentence.
	Summary string
}

// auditReplayRun is one run's replay in words.
type auditReplayRun struct {
	Run       int
	RunID     string
	Events    int
	OK        bool
	EventID   int64
	EventType string
	Error     string
}

// replayReport is what POST /v1/replay answers.
type replayReport struct {
	OK   bool             `json:"ok"`
	Runs []history.Result `json:"runs"`
}

// showReplay shows the upload form alone.
func (p *Portal) showReplay(w http.ResponseWriter, r *request) {
	p.renderReplay(w, r, http.StatusOK, auditReplayPage{Form: auditReplayForm{Back: replayBack(r.URL.Query().Get("back"))}})
}

func (p *Portal) renderReplay(w http.ResponseWriter, r *request, status int, page auditReplayPage) {
	page.Form.CSRF = r.CSRF
	v := p.newView(r, "aud_replay_title")
	v.Page = page
	p.render(w, r, status, "audit_replay", v)
}

// replayBack is the audit page a replay form leads back to: one of the
// audit pages, else the audit start.
func replayBack(back string) string {
	if back != pathAudit && (!strings.HasPrefix(back, pathAudit+"/projects/") || strings.ContainsAny(back, "?#\\") || path.Clean(back) != back) {
		return pathAudit
	}
	return back
}

// replayUploadForm wraps p.form for a multipart form of at most maxReplayUpload
// bytes: it reads the parts first, so the CSRF token and the one-time key
// are found as in any other form. An upload too large to read is answered
// with the form and what was wrong (nothing is done).
func (p *Portal) replayUploadForm(h handler) http.HandlerFunc {
	inner := p.form(h, true)
	return func(w http.ResponseWriter, hr *http.Request) {
		hr.Body = http.MaxBytesReader(w, hr.Body, maxReplayUpload)
		err := hr.ParseMultipartForm(maxReplayUpload)
		if hr.MultipartForm != nil {
			defer func() { _ = hr.MultipartForm.RemoveAll() }()
		}
		if err != nil && !errors.Is(err, http.ErrNotMultipart) {
			w.Header().Set("Cache-Control", "no-store")
			r, ok := p.load(w, hr)
			if !ok {
				return
			}
			if r.Session == nil {
				http.Redirect(w, hr, pathSignIn, http.StatusSeeOther)
				return
			}
			status, key := http.StatusBadRequest, "aud_replay_bad_form"
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				status, key = http.StatusRequestEntityTooLarge, "aud_replay_too_large"
			}
			p.renderReplay(w, r, status, auditReplayPage{Form: auditReplayForm{Back: pathAudit, FileError: msg(r.Lang, key)}})
			return
		}
		inner(w, hr)
	}
}

// replayUpload sends the uploaded export to POST /v1/replay as the
// signed-in person, with the form's one-time key, and shows the result:
// every run replayed, or where one diverges.
func (p *Portal) replayUpload(w http.ResponseWriter, r *request) {
	page := auditReplayPage{Form: auditReplayForm{Back: replayBack(r.PostFormValue("back"))}}
	refuse := func(status int, text string) {
		page.Form.FileError = text
		p.renderReplay(w, r, status, page)
	}
	file, hdr, err := r.FormFile(replayFileField)
	if err != nil {
		refuse(http.StatusUnprocessableEntity, msg(r.Lang, "aud_replay_no_file"))
		return
	}
	defer file.Close()
	page.FileName = hdr.Filename
	data, err := io.ReadAll(io.LimitReader(file, maxReplayFile+1))
	switch {
	case err != nil:
		p.internal(w, r, "read uploaded export", err)
		return
	case len(data) == 0:
		refuse(http.StatusUnprocessableEntity, msg(r.Lang, "aud_replay_empty"))
		return
	case len(data) > maxReplayFile:
		refuse(http.StatusRequestEntityTooLarge, msg(r.Lang, "aud_replay_too_large"))
		return
	}
	contentType := "application/json"
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		contentType = "application/gzip"
	}
	var rep replayReport
	err = p.callFile(r, http.MethodPost, "/v1/replay", r.PostFormValue(keyField), contentType, data, &rep)
	var prob api.Problem
	switch {
	case err == nil:
	case errors.As(err, &prob) && prob.Type == api.ProblemIdempotencyMismatch:
		refuse(prob.Status, msg(r.Lang, "aud_replay_reused"))
		return
	case errors.As(err, &prob) && (prob.Status == http.StatusBadRequest || prob.Status == http.StatusUnprocessableEntity):
		text := msg(r.Lang, "aud_replay_not_export")
		for _, fe := range prob.Errors {
			text += " " + fe.Detail
		}
		refuse(http.StatusUnprocessableEntity, text)
		return
	case errors.As(err, &prob) && prob.Status == http.StatusRequestEntityTooLarge:
		refuse(http.StatusRequestEntityTooLarge, msg(r.Lang, "aud_replay_too_large"))
		return
	case errors.As(err, &prob) && prob.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "5")
		refuse(http.StatusTooManyRequests, msg(r.Lang, "aud_replay_busy"))
		return
	default:
		p.apiFailed(w, r, "replay", err)
		return
	}
	page.Done, page.OK = true, rep.OK
	for _, run := range rep.Runs {
		page.Events += run.Events
		page.Runs = append(page.Runs, auditReplayRun{Run: run.Run, RunID: run.RunID, Events: run.Events, OK: run.OK,
			EventID: run.EventID, EventType: run.EventType, Error: run.Error})
	}
	page.Summary = replaySummary(r.Lang, page)
	p.renderReplay(w, r, http.StatusOK, page)
}

// replaySummary is the one-line outcome of a replay in lang.
func replaySummary(lang store.Language, page auditReplayPage) string {
	if page.OK {
		return fmt.Sprintf(msg(lang, "aud_replay_ok"), len(page.Runs), page.Events)
	}
	diverged := 0
	for _, run := range page.Runs {
		if !run.OK {
			diverged++
		}
	}
	return fmt.Sprintf(msg(lang, "aud_replay_diverged"), diverged, len(page.Runs))
}

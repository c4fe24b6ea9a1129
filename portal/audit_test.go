package portal

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// upload posts a multipart form: fields and, unless filename is "", the
// file content in the "export" input. The csrf field is the caller's.
func (b *browser) upload(path string, fields url.Values, filename string, content []byte) response {
	b.f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile(replayFileField, filename)
		if err != nil {
			b.f.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.f.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// auditProject starts a DingTalk Pro project of customer and opens a
// customer-caused delay on it, so its history has an action by the manager.
func (f *fixture) auditProject(manager store.Person, customer string) string {
	f.t.Helper()
	id := unique("dt")
	f.act(manager, "/v1/projects", map[string]any{"project_id": id, "customer_id": customer, "package": "dingtalk-pro",
		"dates": map[string]string{"purchase": "2026-11-20T09:30:00+08:00"}})
	f.act(manager, "/v1/projects/"+id+"/delays/open", map[string]string{"reason": "admin account not provided"})
	return id
}

// replayForm is the upload form's fields, from the form on path.
func (b *browser) replayForm(path string) url.Values {
	b.f.t.Helper()
	return url.Values{"csrf": {b.csrf(path)}, keyField: {formKey()}, "back": {path}}
}

// TestAuditHistoryExportReplay: an auditor reads a project's history in
// words, downloads its export as a file that replays, and replays it
// through the upload form; a tampered export diverges at the event
// changed, and what is not an export is refused with the reason.
func TestAuditHistoryExportReplay(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	auditorZH := f.person(store.RoleAuditor, "", testPassword, store.LanguageChinese)
	id := f.auditProject(manager, customer)
	page := auditHistoryPath(id)
	ab := f.browser()
	ab.signIn(auditor.Email, testPassword)
	zb := f.browser()
	zb.signIn(auditorZH.Email, testPassword)

	t.Run("the timeline in words, in both languages", func(t *testing.T) {
		tests := []struct {
			b    *browser
			want []string
		}{
			{ab, []string{"History of project " + id, "Workflow started", "Action accepted", "open a customer-caused delay",
				"Action finished", "Deadline computed", "Written to the records", "delay-opened",
				manager.Subject() + " (delivery manager)", "admin account not provided", "project/" + id, "Run 1:", " CST"}},
			{zb, []string{"项目 " + id + " 的历史", "工作流启动", "操作已受理", "开始客户原因延误", "操作完成", "计算截止时间", "写入记录",
				manager.Subject() + " (交付经理)", "（北京时间）", "下载导出文件"}},
		}
		for _, tt := range tests {
			res := tt.b.get(page)
			res.want(t, http.StatusOK, tt.want...)
			// Every time has its weekday and seconds.
			if !regexp.MustCompile(`(Mon|Tue|Wed|Thu|Fri|Sat|Sun|周.) .*\d\d:\d\d:\d\d`).MatchString(res.body) {
				t.Fatalf("no time with weekday and seconds in %q", res.body)
			}
		}
	})

	t.Run("actions and outcomes only", func(t *testing.T) {
		all := ab.get(page)
		res := ab.get(page + "?show=actions")
		res.want(t, http.StatusOK, "Workflow started", "Action accepted", "Action finished", `href="`+page+`?show=actions" aria-current="page"`)
		for _, s := range []string{"Deadline computed", "Written to the records", "Timer set"} {
			if strings.Contains(res.body, s) {
				t.Fatalf("the actions show %q", s)
			}
			if !strings.Contains(all.body, s) {
				t.Fatalf("all entries lack %q", s)
			}
		}
		// Both views count the same entries.
		counts := regexp.MustCompile(`All entries \((\d+)\)[\s\S]*Actions and outcomes \((\d+)\)`)
		a, b := counts.FindStringSubmatch(all.body), counts.FindStringSubmatch(res.body)
		if a == nil || b == nil || a[1] != b[1] || a[2] != b[2] || a[1] == a[2] {
			t.Fatalf("counts %v and %v", a, b)
		}
		if n := strings.Count(res.body, `<li class="entry `); strconv.Itoa(n) != b[2] {
			t.Fatalf("%d entries shown, %s counted", n, b[2])
		}
	})

	var export []byte
	t.Run("the export downloads as a file", func(t *testing.T) {
		res := ab.get(page + "/export")
		res.want(t, http.StatusOK, `"workflow_id":"project/`+id+`"`)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q", ct)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="project-`+id+`-history.json"` {
			t.Fatalf("Content-Disposition %q", cd)
		}
		runs, err := history.Parse([]byte(res.body))
		if err != nil || len(runs) != 1 || len(runs[0].History.GetEvents()) < 10 {
			t.Fatalf("export parses to %d runs, %v", len(runs), err)
		}
		export = []byte(res.body)
	})
	t.Run("a service's export downloads from the list and replays", func(t *testing.T) {
		svc := f.svcStart(manager, customer)
		list := ab.get(pathAudit + "?q=" + svc)
		list.want(t, http.StatusOK, `href="`+pathAudit+`/services/`+svc+`/export"`, "Download export")
		res := ab.get(pathAudit + "/services/" + svc + "/export")
		res.want(t, http.StatusOK, `"workflow_id":"service/`+svc+`"`)
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="service-`+svc+`-history.json"` {
			t.Fatalf("Content-Disposition %q", cd)
		}
		runs, err := history.Parse([]byte(res.body))
		if err != nil || len(runs) != 1 {
			t.Fatalf("export parses to %d runs, %v", len(runs), err)
		}
		for _, r := range (&history.Replayer{}).ReplayAll(runs) {
			if !r.OK {
				t.Fatalf("the service's export does not replay: %+v", r)
			}
		}
	})
	if export == nil {
		t.FailNow()
	}
	tampered := bytes.Replace(export, []byte(`"activityType":{"name":"RecordProject"}`), []byte(`"activityType":{"name":"SendInvoice"}`), 1)
	if bytes.Equal(tampered, export) {
		t.Fatal("the export has no RecordProject activity to tamper with")
	}

	tests := []struct {
		name     string
		b        *browser
		filename string
		content  []byte
		noCSRF   bool
		status   int
		want     []string
	}{
		{"the export replays", ab, "export.json", export, false, http.StatusOK,
			[]string{"Replayed cleanly (runs: 1, events: ", "Run 1: ", "events replayed, no divergence", "replay-result replay-ok"}},
		{"a tampered export diverges where it was changed", ab, "tampered.json", tampered, false, http.StatusOK,
			[]string{"Replay diverged (runs diverging: 1 of 1)", "Run 1 diverges at event 9 (", "altered after it was exported", "replay-diverged"}},
		{"in Chinese", zb, "tampered.json", tampered, false, http.StatusOK,
			[]string{"重放出现分歧（共 1 次运行，其中 1 次出现分歧）", "第 1 次运行在事件 9（", "被篡改过"}},
		{"what is not an export is refused with the reason", ab, "notes.json", []byte(`{"hello": "world"}`), false, http.StatusUnprocessableEntity,
			[]string{"The file is not a history export, so nothing was replayed.", `aria-invalid="true"`}},
		{"an empty file", ab, "empty.json", nil, false, http.StatusUnprocessableEntity, []string{"The file is empty"}},
		{"no file", ab, "", nil, false, http.StatusUnprocessableEntity, []string{"Choose the export file to replay."}},
		{"a file over 1 MiB", ab, "big.json", bytes.Repeat([]byte(" "), maxReplayUpload+1), false, http.StatusRequestEntityTooLarge,
			[]string{"larger than 1 MiB", "sowflow replay FILE"}},
		{"a forged form", ab, "export.json", export, true, http.StatusForbidden, []string{"did not come from this site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := tt.b.replayForm(page)
			if tt.noCSRF {
				fields.Set("csrf", "forged")
			}
			res := tt.b.upload(pathAudit+"/replay", fields, tt.filename, tt.content)
			res.want(t, tt.status, tt.want...)
			if tt.status == http.StatusOK && !strings.Contains(res.body, `href="`+page+`"`) {
				t.Fatalf("the result does not lead back to the history: %q", res.body)
			}
		})
	}

	t.Run("the same form sent twice replays once and answers the same", func(t *testing.T) {
		fields := ab.replayForm(page)
		first := ab.upload(pathAudit+"/replay", fields, "export.json", export)
		first.want(t, http.StatusOK, "Replayed cleanly")
		again := ab.upload(pathAudit+"/replay", fields, "tampered.json", tampered)
		again.want(t, http.StatusUnprocessableEntity, "This form was already used for another file")
	})
}

// TestAuditIsScopedAsTheAPI: the audit start is for those the API lets
// verify the audit chains (auditors and admins; an admin, who may not
// list projects, sees the chains only); history, export and replay are
// refused or scoped as the API refuses and scopes them.
func TestAuditIsScopedAsTheAPI(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, customer, testPassword, store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("globex"), testPassword, store.LanguageEnglish)
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	id := f.auditProject(manager, customer)
	page := auditHistoryPath(id)
	signedIn := func(p store.Person) *browser {
		b := f.browser()
		b.signIn(p.Email, testPassword)
		return b
	}
	mb, ob, sb, adb, ab := signedIn(manager), signedIn(owner), signedIn(stranger), signedIn(admin), signedIn(auditor)
	export := ab.get(page + "/export")
	export.want(t, http.StatusOK)

	tests := []struct {
		name   string
		b      *browser
		path   string
		status int
		want   []string
		lacks  []string
	}{
		{"the auditor's start", ab, pathAudit, http.StatusOK, []string{"Audit chains", `href="` + page + `"`, `href="/audit/replay"`, `href="/audit"`}, nil},
		{"an admin sees the chains only", adb, pathAudit, http.StatusOK, []string{"Audit chains", "customer:" + customer}, []string{`id="projects"`, "/audit/replay"}},
		{"a manager may not", mb, pathAudit, http.StatusForbidden, nil, []string{"Audit chains"}},
		{"a customer may not", ob, pathAudit, http.StatusForbidden, nil, []string{"Audit chains"}},
		{"a manager reads the history as the API lets them", mb, page, http.StatusOK, []string{"History of project " + id}, []string{`action="/audit/replay"`}},
		{"the project's customer too", ob, page, http.StatusOK, []string{"History of project " + id}, nil},
		{"another customer's history is not found", sb, page, http.StatusNotFound, []string{"There is no such page"}, nil},
		{"nor its export", sb, page + "/export", http.StatusNotFound, []string{"There is no such page"}, nil},
		{"an admin may not read history", adb, page, http.StatusForbidden, nil, nil},
		{"a missing project", ab, auditHistoryPath(unique("nope")), http.StatusNotFound, nil, nil},
		{"the auditor's nav has the audit link", ab, pathHome, http.StatusOK, []string{`<a href="/audit">Audit</a>`}, nil},
		{"the manager's has none", mb, pathHome, http.StatusOK, nil, []string{`href="/audit"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.b.get(tt.path)
			res.want(t, tt.status, tt.want...)
			for _, s := range tt.lacks {
				if strings.Contains(res.body, s) {
					t.Fatalf("page contains %q", s)
				}
			}
		})
	}
	t.Run("only an auditor may replay, as the API says", func(t *testing.T) {
		res := mb.upload(pathAudit+"/replay", url.Values{"csrf": {mb.csrf(pathHome)}, keyField: {formKey()}}, "export.json", []byte(export.body))
		res.want(t, http.StatusForbidden)
		if strings.Contains(res.body, "Replayed") {
			t.Fatalf("a manager's replay answered %q", res.body)
		}
	})
	t.Run("signed out goes to sign-in", func(t *testing.T) {
		for _, path := range []string{pathAudit, page, page + "/export"} {
			res := f.browser().get(path)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathSignIn {
				t.Fatalf("anonymous %s: %d %s", path, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
}

// TestAuditChains: the audit start shows each chain verified with its head
// (sequence number, shortened hash with the full one), finds projects and
// services by ID or customer, and names the record where a tampered chain
// breaks.
func TestAuditChains(t *testing.T) {
	f := newAPIFixture(t)
	ctx := context.Background()
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	id := f.auditProject(manager, customer)
	other := f.auditProject(manager, unique("globex"))
	ab := f.browser()
	ab.signIn(auditor.Email, testPassword)
	chain := "customer:" + customer

	rep, err := f.st.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, ok := rep.Chain(chain)
	if !ok || head.LastSeq < 2 {
		t.Fatalf("chain %s: %+v", chain, head)
	}
	row := func(body, chain string) string {
		t.Helper()
		start := strings.Index(body, `data-chain="`+chain+`"`)
		if start < 0 {
			t.Fatalf("no row of chain %s in %q", chain, body)
		}
		end := strings.Index(body[start:], "</tr>")
		return body[start : start+end]
	}

	t.Run("each chain verified with its head", func(t *testing.T) {
		res := ab.get(pathAudit)
		res.want(t, http.StatusOK, "Every chain is intact", "Verified just now, at")
		r := row(res.body, chain)
		for _, want := range []string{"seq " + strconv.FormatInt(head.LastSeq, 10), `title="` + head.Head.String() + `"`,
			`value="` + head.Head.String() + `"`, head.Head.String()[:12] + "…", "✓ verified"} {
			if !strings.Contains(r, want) {
				t.Fatalf("chain row lacks %q: %q", want, r)
			}
		}
		row(res.body, store.SystemChain)
	})

	t.Run("search by ID or customer", func(t *testing.T) {
		tests := []struct {
			q           string
			want, lacks []string
		}{
			{customer, []string{auditHistoryPath(id), `data-chain="` + chain + `"`, `data-chain="system"`}, []string{auditHistoryPath(other)}},
			{id, []string{auditHistoryPath(id)}, []string{auditHistoryPath(other)}},
			{"no such thing!", []string{"Nothing matches this ID."}, []string{auditHistoryPath(id)}},
		}
		for _, tt := range tests {
			res := ab.get(pathAudit + "?" + url.Values{"q": {tt.q}}.Encode())
			res.want(t, http.StatusOK, tt.want...)
			for _, s := range tt.lacks {
				if strings.Contains(res.body, s) {
					t.Fatalf("search %q shows %q", tt.q, s)
				}
			}
		}
	})

	t.Run("a tampered chain names where it breaks", func(t *testing.T) {
		recs, err := f.st.AuditRecords(ctx, chain, 0, 10)
		if err != nil || len(recs) < 2 {
			t.Fatalf("records of %s: %d, %v", chain, len(recs), err)
		}
		pool := testenv.Get(t).Pool
		bypass := func(stmt string, args ...any) {
			t.Helper()
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, stmt, args...); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		bypass(`UPDATE audit_log SET actor_subject = 'token:innocent' WHERE id = $1`, recs[1].ID)
		// Later tests of the package verify too: put the record back.
		defer bypass(`UPDATE audit_log SET actor_subject = $2 WHERE id = $1`, recs[1].ID, recs[1].ActorSubject)

		res := ab.get(pathAudit + "?q=" + url.QueryEscape(customer))
		res.want(t, http.StatusOK, "1 of ", "chains are broken", `class="chain-broken" data-chain="`+chain+`"`)
		r := row(res.body, chain)
		for _, want := range []string{"broken at seq " + strconv.FormatInt(recs[1].Seq, 10) + " (record " + strconv.FormatInt(recs[1].ID, 10) + ")",
			"changed after it was written"} {
			if !strings.Contains(r, want) {
				t.Fatalf("broken chain row lacks %q: %q", want, r)
			}
		}
		// The broken chain comes first.
		if strings.Index(res.body, `data-chain="`+chain+`"`) > strings.Index(res.body, `data-chain="system"`) {
			t.Fatal("the broken chain is not listed first")
		}
	})
}

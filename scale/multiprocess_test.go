package scale_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sowflow/sowflow/load"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// tokens makes one token per role for customer.
func tokens(t *testing.T, customer string) map[store.Role]string {
	t.Helper()
	st := store.New(testenv.Get(t).Pool)
	out := map[store.Role]string{}
	for _, role := range store.Roles() {
		spec := store.TokenSpec{Name: "scale " + string(role), Role: role, CreatedBy: "test"}
		if role == store.RoleCustomer {
			spec.CustomerID = customer
		}
		_, secret, err := st.CreateToken(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		out[role] = secret
	}
	return out
}

// send sends one request and answers its status, headers and body.
func send(t *testing.T, method, url, token, key string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, raw
}

// TestManyProcesses runs two `sowflow api` and two `sowflow worker`
// processes against one Temporal server and one database, spreads a load
// over both APIs, SIGKILLs one worker and restarts one API in the middle,
// and then proves that nothing was lost or doubled: every action answered
// is recorded exactly once in the read model, each project's workflow state,
// read model and audit chain agree event by event, and the audit chains
// verify. A retry sent to the other API with the same Idempotency-Key gets
// the stored answer, and a calendar year loaded through one API is in force
// on the other within 30 seconds.
func TestManyProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four sowflow processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	env := testenv.Get(t)
	const customer = "scale-cust"
	tok := tokens(t, customer)
	c := newCluster(t)
	api1, api2 := c.api("api-1"), c.api("api-2")
	w1 := c.worker("worker-1")
	c.worker("worker-2")

	// The load: a mix of every scenario, spread round robin over both APIs.
	var succeeded atomic.Int64
	drv := &load.APIDriver{URLs: []string{api1.url, api2.url}, KeyPrefix: fmt.Sprintf("scale-%d", time.Now().UnixNano()),
		Tokens: map[load.Party]string{load.Manager: tok[store.RoleManager], load.Customer: tok[store.RoleCustomer]},
		Client: &http.Client{Timeout: 2 * time.Minute}}
	type result struct {
		rep *load.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := load.Run(ctx, load.Config{Driver: drv, CustomerID: customer, Prefix: fmt.Sprintf("sc%d", time.Now().Unix()),
			Count: 12, Concurrency: 4, Observe: func(_ string, ok bool) {
				if ok {
					succeeded.Add(1)
				}
			}})
		done <- result{rep, err}
	}()

	// In the middle: one worker dies without a word, one API restarts.
	waitFor(ctx, t, "15 actions", 4*time.Minute, func() bool { return succeeded.Load() >= 15 })
	c.kill(w1, syscall.SIGKILL)
	t.Logf("worker-1 killed after %d actions", succeeded.Load())
	waitFor(ctx, t, "40 actions", 4*time.Minute, func() bool { return succeeded.Load() >= 40 })
	c.kill(api2, syscall.SIGTERM)
	t.Logf("api-2 stopped after %d actions", succeeded.Load())
	c.restart(api2)
	t.Logf("api-2 ready again after %d actions", succeeded.Load())

	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	rep := res.rep
	var table bytes.Buffer
	rep.WriteTable(&table)
	t.Log("\n" + table.String())
	if rep.Failed != 0 || rep.Scenarios != 12 {
		t.Fatalf("%d of %d actions failed, %d scenarios done", rep.Failed, rep.Total, rep.Scenarios)
	}
	// Every action answered is in the read model exactly once; after the
	// kill the read model caught up with every workflow.
	if rep.Check == nil || !rep.Check.OK() {
		t.Fatalf("exactly-once check: %+v", rep.Check)
	}

	// Workflow state, read model and audit chain agree for every project.
	projects := 0
	for _, r := range rep.Records {
		if r.Action != "project.start" {
			continue
		}
		projects++
		v, err := env.Client().QueryWorkflow(ctx, r.Ref.WorkflowID, "", workflows.QueryProjectState)
		if err != nil {
			t.Fatalf("query %s: %v", r.Ref.WorkflowID, err)
		}
		var st workflows.ProjectState
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		events, err := drv.Events(ctx, r.Ref)
		if err != nil {
			t.Fatal(err)
		}
		var audited int64
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE project_id = $1`, st.ProjectID).Scan(&audited); err != nil {
			t.Fatal(err)
		}
		if st.Status != workflows.StatusCompleted || int64(len(events)) != st.Seq || audited != st.Seq {
			t.Errorf("%s: workflow %s at seq %d, read model %d events, audit %d records", st.ProjectID, st.Status, st.Seq, len(events), audited)
		}
		for i, e := range events {
			if e.Seq != int64(i+1) {
				t.Errorf("%s: event %d has seq %d", st.ProjectID, i+1, e.Seq)
				break
			}
		}
	}
	if projects != 6 {
		t.Errorf("%d projects started, want 6", projects)
	}
	status, _, raw := send(t, http.MethodGet, api1.url+"/v1/audit/verify", tok[store.RoleAuditor], "", nil)
	var audit store.AuditReport
	if err := json.Unmarshal(raw, &audit); status != http.StatusOK || err != nil || !audit.OK {
		t.Errorf("audit verify: %d %s", status, raw)
	}

	// A retry of a start sent to the other API gets the stored answer.
	key := fmt.Sprintf("scale-retry-%d", time.Now().UnixNano())
	body := fmt.Appendf(nil, `{"project_id":"retry-%d","customer_id":%q,"package":"managed-services","dates":{"contract_signing":%q}}`,
		time.Now().UnixNano(), customer, time.Now().Format(time.RFC3339))
	s1, h1, b1 := send(t, http.MethodPost, api1.url+"/v1/projects", tok[store.RoleManager], key, body)
	s2, h2, b2 := send(t, http.MethodPost, api2.url+"/v1/projects", tok[store.RoleManager], key, body)
	if s1 != http.StatusCreated || s2 != http.StatusCreated || h2.Get("Idempotent-Replayed") != "true" || !bytes.Equal(b1, b2) ||
		h1.Get("Location") != h2.Get("Location") {
		t.Errorf("retry on the other API: %d %s / %d %v %s", s1, b1, s2, h2, b2)
	}

	// A calendar year loaded through one API is in force on the other.
	days := []string{
		`{"name":"元旦","date":"2027-01-01","isOffDay":true}`,
		`{"name":"劳动节","date":"2027-05-01","isOffDay":true}`,
		`{"name":"劳动节","date":"2027-05-03","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-01","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-02","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-03","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-04","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-09","isOffDay":false}`,
	}
	year := []byte(`{"year":2027,"papers":[],"days":[` + strings.Join(days, ",") + `]}`)
	status, _, raw = send(t, http.MethodPut, api1.url+"/v1/calendars/cn/years/2027", tok[store.RoleAdmin], fmt.Sprintf("year-%d", time.Now().UnixNano()), year)
	var loaded struct {
		CalendarVersion string `json:"calendar_version"`
	}
	if err := json.Unmarshal(raw, &loaded); status != http.StatusCreated || err != nil || loaded.CalendarVersion == "" {
		t.Fatalf("load 2027 through api-1: %d %s", status, raw)
	}
	took := waitFor(ctx, t, "calendar in force on api-2", 30*time.Second+5*time.Second, func() bool {
		_, _, raw := send(t, http.MethodGet, api2.url+"/v1/calendars/cn", tok[store.RoleManager], "", nil)
		var info struct {
			CalendarVersion string `json:"calendar_version"`
		}
		return json.Unmarshal(raw, &info) == nil && info.CalendarVersion == loaded.CalendarVersion
	})
	t.Logf("calendar %s in force on api-2 after %s", loaded.CalendarVersion, took.Round(time.Millisecond))
	if !strings.Contains(table.String(), "exactly once: ok") {
		t.Errorf("report:\n%s", table.String())
	}
}

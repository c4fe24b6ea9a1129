package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// formFields returns the CSRF token and the first form key of the page at
// path, failing unless it answers 200.
func (b *browser) svcFormFields(path string) (csrf, key string) {
	b.f.t.Helper()
	res := b.get(path)
	res.want(b.f.t, http.StatusOK)
	c, k := csrfPattern.FindStringSubmatch(res.body), formKeyPattern.FindStringSubmatch(res.body)
	if c == nil || k == nil {
		b.f.t.Fatalf("GET %s: no form fields in %q", path, res.body)
	}
	return c[1], k[1]
}

// startService starts a Partner Elite service of customer as manager and
// returns its ID.
func (f *fixture) svcStart(manager store.Person, customer string) string {
	f.t.Helper()
	id := unique("svc")
	body := map[string]any{"service_id": id, "customer_id": customer, "package": "partner-elite",
		"start": time.Now().In(calendar.Zone()).Format(time.RFC3339)}
	if err := f.portal.call(as(manager), http.MethodPost, "/v1/services", formKey(), body, nil); err != nil {
		f.t.Fatalf("start service %s: %v", id, err)
	}
	return id
}

// waitFor polls cond until it holds or a deadline passes.
func svcWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTicketFlow: a customer opens a ticket from the service page, sees
// its response clock, a manager responds and resolves, the customer
// confirms closure; another customer gets the 404 page for the service.
func TestTicketFlow(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, customer, testPassword, store.LanguageChinese)
	stranger := f.person(store.RoleCustomer, unique("other"), testPassword, store.LanguageEnglish)
	id := f.svcStart(manager, customer)
	servicePath := pathServices + "/" + id

	cb := f.browser()
	cb.signIn(owner.Email, testPassword)
	svcWaitFor(t, "the service in the list", func() bool { return strings.Contains(cb.get(pathServices).body, id) })
	cb.get(servicePath).want(t, http.StatusOK, "提交工单", "本期配额")

	// A ticket without a title is asked for again, beside the field.
	csrf, key := cb.svcFormFields(servicePath)
	cb.post(servicePath+"/tickets", url.Values{"csrf": {csrf}, "key": {key}, "severity": {"critical"}, "title": {" "}}).
		want(t, http.StatusUnprocessableEntity, "请填写工单标题", `aria-invalid="true"`)

	csrf, key = cb.svcFormFields(servicePath)
	res := cb.post(servicePath+"/tickets", url.Values{"csrf": {csrf}, "key": {key}, "severity": {"critical"}, "title": {"Mail is down"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open ticket: %d %q", res.StatusCode, res.body)
	}
	ticketPath := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	if ticketPath != servicePath+"/tickets/1" {
		t.Fatalf("open ticket went to %q", res.Header.Get("Location"))
	}
	// The same form sent again (a double click) opens no second ticket.
	again := cb.post(servicePath+"/tickets", url.Values{"csrf": {csrf}, "key": {key}, "severity": {"critical"}, "title": {"Mail is down"}})
	if again.Header.Get("Location") != res.Header.Get("Location") {
		t.Fatalf("resent form went to %q", again.Header.Get("Location"))
	}
	cb.get(res.Header.Get("Location")).want(t, http.StatusOK, "工单已提交", "Mail is down", "响应计时", "截止")

	mb := f.browser()
	mb.signIn(manager.Email, testPassword)
	page := mb.get(ticketPath)
	page.want(t, http.StatusOK, "Record the response", "Mark resolved")
	csrf, key = mb.svcFormFields(ticketPath)
	res = mb.post(ticketPath+"/respond", url.Values{"csrf": {csrf}, "key": {key}, "note": {"Looking into it"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("respond: %d %q", res.StatusCode, res.body)
	}
	mb.get(res.Header.Get("Location")).want(t, http.StatusOK, "The response is recorded", "Looking into it")

	// A resolution is required.
	csrf, key = mb.svcFormFields(ticketPath)
	mb.post(ticketPath+"/resolve", url.Values{"csrf": {csrf}, "key": {key}}).want(t, http.StatusUnprocessableEntity, "Describe the resolution")
	res = mb.post(ticketPath+"/resolve", url.Values{"csrf": {csrf}, "key": {key}, "resolution": {"Restarted the relay"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d %q", res.StatusCode, res.body)
	}

	// The customer may not respond: the API refuses it.
	csrf, key = cb.svcFormFields(ticketPath)
	cb.post(ticketPath+"/respond", url.Values{"csrf": {csrf}, "key": {key}}).want(t, http.StatusForbidden)
	cb.get(ticketPath).want(t, http.StatusOK, "确认关闭", "重新打开工单")
	csrf, key = cb.svcFormFields(ticketPath)
	res = cb.post(ticketPath+"/close", url.Values{"csrf": {csrf}, "key": {key}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d %q", res.StatusCode, res.body)
	}
	cb.get(ticketPath).want(t, http.StatusOK, "已关闭")

	sb := f.browser()
	sb.signIn(stranger.Email, testPassword)
	sb.get(servicePath).want(t, http.StatusNotFound, "There is no such page")
	sb.get(ticketPath).want(t, http.StatusNotFound)
	if strings.Contains(sb.get(pathServices).body, id) {
		t.Fatal("another customer's service is listed")
	}
}

package portal

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/sowflow/sowflow/store"
)

// TestManagerHandsAProjectToAnotherManager: the manage page links to the
// delivery-manager page; its form assigns another manager through the API
// (recorded on the customer's audit chain), refuses a person who is no
// manager next to the field, and is only for managers.
func TestManagerHandsAProjectToAnotherManager(t *testing.T) {
	f := newAPIFixture(t)
	ctx := context.Background()
	customer := unique("acme")
	b, mia := f.signedIn(store.RoleManager, "", store.LanguageEnglish)
	project := f.startProject(mia, customer)
	wang := f.person(store.RoleManager, "", "", store.LanguageChinese)
	buyer := f.person(store.RoleCustomer, customer, "", store.LanguageEnglish)
	page := deliveryManagerPath(project)

	b.get(managePath(project)).want(t, http.StatusOK, `href="`+page+`">Delivery manager</a>`)
	b.get(page).want(t, http.StatusOK, "Hand the project to another manager", `name="person_id"`, `<option value="`+wang.ID+`">`)

	for _, c := range []struct {
		name    string
		person  string
		status  int
		contain string
	}{
		{"no manager chosen", "", http.StatusUnprocessableEntity, `id="dm-person-error">Choose a manager.`},
		{"a customer is no manager", buyer.ID, http.StatusUnprocessableEntity, `id="dm-person-error">This person is not an enabled manager.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b.postForm(page, page, url.Values{"person_id": {c.person}}).want(t, c.status, c.contain)
		})
	}

	res := b.postForm(page, page, url.Values{"person_id": {wang.ID}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?done=assigned" {
		t.Fatalf("assign: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	b.get(page+"?done=assigned").want(t, http.StatusOK, "The delivery manager was changed.", `<option value="`+wang.ID+`" selected>`, "· by "+mia.Name)
	dm, err := f.st.DeliveryManagerOf(ctx, store.OwnerProject, project)
	if err != nil || dm.PersonID != wang.ID || dm.AssignedBy != mia.Subject() {
		t.Errorf("delivery manager %+v (%v), want %s assigned by %s", dm, err, wang.ID, mia.Subject())
	}
	recs, err := f.st.AuditRecords(ctx, store.CustomerChain(customer), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, r := range recs {
		audited = audited || r.Action == store.ActionDeliveryManagerAssign && r.ActorSubject == mia.Subject()
	}
	if !audited {
		t.Errorf("no %s record by %s on the customer's chain", store.ActionDeliveryManagerAssign, mia.Subject())
	}

	// In Chinese, for the new delivery manager.
	zh := f.browser()
	if err := f.st.SetPassword(ctx, wang.ID, testPassword, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	zh.signIn(wang.Email, testPassword)
	zh.get(page).want(t, http.StatusOK, "将项目转交给其他经理", "交付经理")

	// Customers may not open or send it.
	cb, _ := f.signedIn(store.RoleCustomer, customer, store.LanguageEnglish)
	cb.get(page).want(t, http.StatusForbidden)
	cb.post(page, url.Values{"csrf": {cb.csrf(pathProfile)}, "key": {formKey()}, "person_id": {wang.ID}}).want(t, http.StatusForbidden)
	if dm, _ := f.st.DeliveryManagerOf(ctx, store.OwnerProject, project); dm.PersonID != wang.ID {
		t.Errorf("a customer's form changed the delivery manager to %+v", dm)
	}
}

package portal

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

var formKeyPattern = regexp.MustCompile(`name="key" value="([^"]+)"`)

// TestAdminCatalog: an admin uploads a package through the portal (a broken
// file comes back with the error under its line), may not publish her own
// upload, and a second admin publishes it; every step goes through the API.
func TestAdminCatalog(t *testing.T) {
	f := newAPIFixture(t)
	if _, err := testenv.Get(t).Pool.Exec(context.Background(), `DELETE FROM catalog_versions WHERE code = 'security-assessment'`); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../catalog/testdata/security-assessment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := f.person(store.RoleAdmin, "", "correct horse battery", store.LanguageEnglish), f.person(store.RoleAdmin, "", "correct horse battery", store.LanguageEnglish)
	manager := f.person(store.RoleManager, "", "correct horse battery", store.LanguageEnglish)
	a, b, m := f.browser(), f.browser(), f.browser()
	a.signIn(alice.Email, "correct horse battery")
	b.signIn(bob.Email, "correct horse battery")
	m.signIn(manager.Email, "correct horse battery")

	m.get(pathAdminCatalog).want(t, http.StatusForbidden)
	a.get(pathAdminCatalog).want(t, http.StatusOK, "managed-services", "Upload a version")

	// A broken file: each error under its line, nothing stored.
	page := a.get(pathAdminCatalog)
	broken := strings.Replace(string(src), "acceptance: deemed", "acceptance: silently", 1)
	res := a.post(pathAdminCatalog, url.Values{"csrf": {csrfPattern.FindStringSubmatch(page.body)[1]}, "key": {formKeyPattern.FindStringSubmatch(page.body)[1]},
		"code": {"security-assessment"}, "source": {broken}})
	res.want(t, http.StatusUnprocessableEntity, "phases[0].deliverables[0].acceptance", `class="bad"`, "silently")

	// A good one becomes version 1, a draft.
	page = a.get(pathAdminCatalog)
	res = a.post(pathAdminCatalog, url.Values{"csrf": {csrfPattern.FindStringSubmatch(page.body)[1]}, "key": {formKeyPattern.FindStringSubmatch(page.body)[1]},
		"code": {"security-assessment"}, "source": {string(src)}})
	res.want(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != pathAdminCatalog+"/security-assessment?uploaded=1" {
		t.Fatalf("upload went to %q", loc)
	}
	pkgPath := pathAdminCatalog + "/security-assessment"
	page = a.get(pkgPath)
	page.want(t, http.StatusOK, "draft", "Publish")

	// Four eyes: Alice is refused, Bob publishes.
	publish := pkgPath + "/versions/1/publish"
	a.post(publish, url.Values{"csrf": {csrfPattern.FindStringSubmatch(page.body)[1]}, "key": {formKeyPattern.FindStringSubmatch(page.body)[1]}}).
		want(t, http.StatusForbidden, "four-eyes", "another admin must")
	page = b.get(pkgPath)
	res = b.post(publish, url.Values{"csrf": {csrfPattern.FindStringSubmatch(page.body)[1]}, "key": {formKeyPattern.FindStringSubmatch(page.body)[1]}})
	res.want(t, http.StatusSeeOther)
	b.get(pkgPath+"?published=1").want(t, http.StatusOK, "in force", "Published and in force: version 1")
	b.get(pathAdminCatalog).want(t, http.StatusOK, "security-assessment")
}

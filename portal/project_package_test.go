package portal

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
)

// TestProjectPageQuotesItsPackageVersion: a project page quotes the
// contract text of the package version the project runs — an uploaded
// version 1 of a package the binary does not hold, and a later version
// after it — not the version in force when the page is read.
func TestProjectPageQuotesItsPackageVersion(t *testing.T) {
	f := newAPIFixture(t)
	src, err := os.ReadFile("../catalog/testdata/security-assessment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code := unique("sa")
	const v1Text, v2Text = "The service is valid for three months from purchase.", "The service is valid for three months from purchase as amended by version 2."
	version := func(text string) []byte {
		s := strings.Replace(string(src), "code: security-assessment", "code: "+code, 1)
		return []byte(strings.Replace(s, v1Text, text, 1))
	}
	alice, bob := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish), f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	customer := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageEnglish)
	publish := func(n string, text string) {
		t.Helper()
		if err := f.portal.callFile(as(alice), http.MethodPut, "/v1/catalog/"+code, formKey(), "application/yaml", version(text), &map[string]any{}); err != nil {
			t.Fatalf("upload version %s: %v", n, err)
		}
		if err := f.portal.call(as(bob), http.MethodPost, "/v1/catalog/"+code+"/versions/"+n+"/publish", formKey(), nil, nil); err != nil {
			t.Fatalf("publish version %s: %v", n, err)
		}
	}
	start := func() string {
		t.Helper()
		id := unique("sa")
		f.act(manager, "/v1/projects", map[string]any{"project_id": id, "customer_id": customer.CustomerID, "package": code,
			"dates": map[string]string{"purchase": "2026-12-01T10:00:00+08:00"}})
		return id
	}
	publish("1", v1Text)
	onV1 := start()
	publish("2", v2Text)
	onV2 := start()

	b := f.browser()
	b.signIn(customer.Email, testPassword)
	tests := []struct {
		name, id, want, not string
	}{
		{"uploaded version 1", onV1, v1Text, v2Text},
		{"version 2", onV2, v2Text, v1Text + "<"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := b.get(projectPath(tt.id))
			page.want(t, http.StatusOK, tt.want)
			if strings.Contains(page.body, tt.not) {
				t.Fatalf("the page quotes the other version's text %q", tt.not)
			}
		})
	}
}

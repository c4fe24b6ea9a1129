package catalog

import (
	"os"
	"strings"
	"testing"
)

// TestWithVersions: published versions replace or join the compiled-in
// packages, and plans name the version and digest they were resolved from.
func TestWithVersions(t *testing.T) {
	base := Default()
	src, err := os.ReadFile("testdata/security-assessment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sa, err := ParseUpload("security-assessment", "security-assessment.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := base.Package("managed-services")
	ms.Name = "Managed Services (revised)"
	cat := base.WithVersions(Version+"+2", []Versioned{{Version: 3, Package: ms}, {Version: 1, Package: sa}})

	tests := []struct {
		code    string
		version int
		name    string
	}{
		{"managed-services", 3, ms.Name},
		{"security-assessment", 1, "Security Assessment"},
		{"landing-zone-basic", 1, "Landing Zone Basic"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			p, ok := cat.Package(tt.code)
			pv, _ := cat.PackageVersion(tt.code)
			if !ok || !strings.HasPrefix(p.Name, tt.name) || pv.Version != tt.version || pv.Digest != PackageDigest(p) {
				t.Fatalf("%s: %q version %+v", tt.code, p.Name, pv)
			}
			plan, err := cat.Plan(tt.code, Options{})
			if err != nil && tt.code != "landing-zone-basic" {
				t.Fatal(err)
			}
			if err == nil && (plan.PackageVersion != tt.version || plan.PackageDigest != pv.Digest || plan.CatalogVersion != Version+"+2") {
				t.Errorf("plan stamped %d %s %s", plan.PackageVersion, plan.PackageDigest, plan.CatalogVersion)
			}
			if wp := plan.Workflow(); err == nil && (wp.PackageVersion != tt.version || wp.PackageDigest != pv.Digest) {
				t.Errorf("workflow plan stamped %d %s", wp.PackageVersion, wp.PackageDigest)
			}
		})
	}
	if codes := cat.Codes(); codes[len(codes)-1] != "security-assessment" || len(codes) != len(base.Codes())+1 {
		t.Errorf("codes %v", codes)
	}
	if p, _ := base.Package("managed-services"); p.Name == ms.Name {
		t.Error("WithVersions changed the base catalog")
	}
	if PackageDigest(sa) != PackageDigest(Default().WithVersions("x", []Versioned{{1, sa}}).packages[len(base.Codes())]) {
		t.Error("the digest of a package changes when it joins a catalog")
	}
}

// TestParseUploadCode: an uploaded file must hold the code it is uploaded
// for; the error is placed at the code.
func TestParseUploadCode(t *testing.T) {
	src, err := os.ReadFile("testdata/security-assessment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseUpload("managed-services", "up.yaml", src)
	fes := FileErrors(err)
	if len(fes) != 1 || fes[0].Path != "code" || fes[0].Rule != "file" || fes[0].Line < 1 || !strings.HasPrefix(strings.Split(string(src), "\n")[fes[0].Line-1], "code:") {
		t.Fatalf("errors %v", fes)
	}
}

// TestParseServiceTargets: response targets a service cannot run on (a
// severity without a rank) are refused when the file is read, not at the
// first start.
func TestParseServiceTargets(t *testing.T) {
	src, err := os.ReadFile("testdata/support-basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"valid", "", "", ""},
		{"unknown severity", "severity: low", "severity: p4", `severity "p4" has no known rank`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := string(src)
			if tt.from != "" {
				body = strings.Replace(body, tt.from, tt.to, 1)
			}
			_, err := ParseUpload("support-basic", "support-basic.yaml", []byte(body))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			fes := FileErrors(err)
			if len(fes) != 1 || fes[0].Path != "response_targets" || !strings.Contains(fes[0].Message, tt.want) || fes[0].Line == 0 {
				t.Fatalf("errors %v", fes)
			}
		})
	}
}

package store

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/testenv"
)

// securityAssessment is the example package of catalog/testdata, a code the
// binary does not hold.
func securityAssessment(t *testing.T) (catalog.Package, []byte) {
	t.Helper()
	src, err := os.ReadFile("../catalog/testdata/security-assessment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := catalog.ParseFile("security-assessment.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	return p, src
}

// TestCatalogVersions stores, lists and publishes package versions: version
// numbers follow the compiled-in version 1, publishing needs a second
// person, and both steps are audited with the digest.
func TestCatalogVersions(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	st := New(env.Pool)
	if _, err := env.Pool.Exec(ctx, "TRUNCATE catalog_versions"); err != nil {
		t.Fatal(err)
	}
	base := catalog.Default()
	src := NewCatalogSource(st, base)
	if err := src.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if src.Current() != base || !src.Loaded() {
		t.Fatal("with nothing published the source must serve the compiled-in catalog")
	}

	// Concurrent uploads of an embedded code are versions 2, 3, 4, 5.
	ms, _ := base.Package("managed-services")
	ms.Name = "Managed Services (revised)"
	var wg sync.WaitGroup
	got := make([]int, 4)
	for i := range got {
		wg.Go(func() {
			v, err := st.SaveCatalogDraft(ctx, CatalogDraft{Package: ms, Source: []byte("code: managed-services\n"), SourceType: CatalogSourceYAML,
				UploadedBy: "token:alice", FirstVersion: 2})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = v.Version
		})
	}
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, []int{2, 3, 4, 5}) {
		t.Fatalf("versions %v, want 2..5", got)
	}

	// A new code starts at version 1.
	sa, saSrc := securityAssessment(t)
	v1, err := st.SaveCatalogDraft(ctx, CatalogDraft{Package: sa, Source: saSrc, SourceType: CatalogSourceYAML, UploadedBy: "token:alice", FirstVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.Digest != catalog.PackageDigest(sa) || v1.Published() || string(v1.Source) != string(saSrc) {
		t.Fatalf("stored %+v", v1)
	}
	back, err := v1.Package()
	if err != nil || catalog.PackageDigest(back) != v1.Digest {
		t.Fatalf("canonical form does not decode to the same package: %v", err)
	}
	if err := src.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := src.Current().Package("security-assessment"); ok {
		t.Fatal("a draft must not be in force")
	}

	// Alice made a personal token for herself (created_by user:alice).
	aliceTok, _, err := st.CreateToken(ctx, TokenSpec{Name: "alice's", Role: RoleAdmin, CreatedBy: "user:alice"})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := st.SaveCatalogDraft(ctx, CatalogDraft{Package: sa, Source: saSrc, SourceType: CatalogSourceYAML, UploadedBy: "user:alice", FirstVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name    string
		version int
		by      string
		want    error
	}{
		{"same token", 1, "token:alice", ErrFourEyes},
		{"her personal token", 2, "token:" + aliceTok.ID, ErrFourEyes},
		{"no such version", 9, "token:bob", ErrNotFound},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := st.PublishCatalogVersion(ctx, "security-assessment", tt.version, tt.by); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}

	// Bob publishes version 2; version 1 is then superseded.
	pub, err := st.PublishCatalogVersion(ctx, "security-assessment", v2.Version, "token:bob")
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Published() || pub.PublishedBy != "token:bob" {
		t.Fatalf("published %+v", pub)
	}
	if _, err := st.PublishCatalogVersion(ctx, "security-assessment", 2, "token:carol"); !errors.Is(err, ErrAlreadyPublished) {
		t.Fatalf("second publication: %v", err)
	}
	if _, err := st.PublishCatalogVersion(ctx, "security-assessment", 1, "token:bob"); !errors.Is(err, ErrSuperseded) {
		t.Fatalf("older version: %v", err)
	}

	// Another process's source sees the publication on its next poll.
	other := NewCatalogSource(st, base)
	if err := other.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*CatalogSource{src, other} {
		if err := s.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		cat := s.Current()
		pv, ok := cat.PackageVersion("security-assessment")
		if !ok || pv.Version != 2 || pv.Digest != v2.Digest || cat.Version != catalog.Version+"+1" {
			t.Fatalf("catalog %s: security-assessment %+v", cat.Version, pv)
		}
		plan, err := cat.Plan("security-assessment", catalog.Options{})
		if err != nil || plan.PackageVersion != 2 || plan.PackageDigest != v2.Digest {
			t.Fatalf("plan %d %s: %v", plan.PackageVersion, plan.PackageDigest, err)
		}
		if pv, _ := cat.PackageVersion("managed-services"); pv.Version != 1 {
			t.Fatalf("managed-services drafts must not be in force: %+v", pv)
		}
	}

	// Watch picks up a publication made elsewhere.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go other.Watch(wctx, 10*time.Millisecond, testLogger(t))
	if _, err := st.PublishCatalogVersion(ctx, "managed-services", 5, "token:bob"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if p, _ := other.Current().Package("managed-services"); p.Name == ms.Name {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the watching source never picked up the publication")
		}
		time.Sleep(5 * time.Millisecond)
	}

	list, err := st.CatalogVersions(ctx, "managed-services")
	if err != nil || len(list) != 4 || !list[3].Published() || list[0].Published() {
		t.Fatalf("versions of managed-services: %+v, %v", list, err)
	}
	codes, err := st.CatalogCodes(ctx)
	if err != nil || !slices.Equal(codes, []string{"managed-services", "security-assessment"}) {
		t.Fatalf("codes %v, %v", codes, err)
	}

	// Every upload and publication is on the system chain with its digest.
	recs, err := st.AuditRecords(ctx, SystemChain, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var uploads, publications int
	for _, r := range recs {
		switch r.Action {
		case ActionCatalogUpload:
			uploads++
		case ActionCatalogPublish:
			publications++
			if strings.Contains(string(r.Payload), `"security-assessment"`) && !strings.Contains(string(r.Payload), v2.Digest) {
				t.Errorf("publication record without the digest: %s", r.Payload)
			}
		}
	}
	if uploads != 6 || publications != 2 {
		t.Fatalf("%d uploads and %d publications audited, want 6 and 2", uploads, publications)
	}
	rep, err := st.VerifyAudit(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
)

// Package versions at run time: an admin uploads a package file (YAML or
// JSON) as a draft version, a second admin publishes it, and new starts use
// the highest published version of each code. The package compiled into the
// binary is version 1 of its code.

// Rules named by the refusals of a publication.
const (
	RuleFourEyes         = "four-eyes"
	RuleAlreadyPublished = "already-published"
	RuleSuperseded       = "superseded"
)

// ProblemPackageInvalid: an uploaded package file breaks the schema or the
// catalog's rules; errors[] places each defect.
const ProblemPackageInvalid = "urn:sowflow:problem:invalid-package"

// ProblemMediaType: the body's Content-Type is not one the route reads.
const ProblemMediaType = "urn:sowflow:problem:unsupported-media-type"

// Version statuses.
const (
	versionDraft     = "draft"
	versionPublished = "published"
)

// catalogVersion describes one version of a package.
type catalogVersion struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
	// Digest is the SHA-256 of the package's canonical form.
	Digest string `json:"digest"`
	// Status is draft or published; Embedded marks version 1 of a code
	// compiled into the binary, InForce the version new starts use.
	Status   string `json:"status"`
	Embedded bool   `json:"embedded"`
	InForce  bool   `json:"in_force"`
	// SourceType is yaml or json.
	SourceType  string     `json:"source_type"`
	UploadedBy  string     `json:"uploaded_by,omitempty"`
	UploadedAt  *time.Time `json:"uploaded_at,omitempty"`
	PublishedBy string     `json:"published_by,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// catalogVersionDetail is one version with its file and package.
type catalogVersionDetail struct {
	catalogVersion
	// Source is the file as uploaded (the compiled-in file for version 1).
	Source  string          `json:"source"`
	Package catalog.Package `json:"package"`
}

// catalogVersionList answers GET /v1/catalog/{code}/versions.
type catalogVersionList struct {
	Code     string           `json:"code"`
	Versions []catalogVersion `json:"versions"`
}

// catalogDiff answers GET /v1/catalog/{code}/diff.
type catalogDiff struct {
	Code    string           `json:"code"`
	From    int              `json:"from"`
	To      int              `json:"to"`
	Changes []catalog.Change `json:"changes"`
	// Text is the changes one per line, as `sowflow catalog diff` prints them.
	Text string `json:"text"`
}

// catalog returns the catalog in force, reading the published versions
// once if this process has not yet.
func (h *handlers) catalog(c *gin.Context) (*catalog.Catalog, bool) {
	src := h.deps.Catalogs
	if src == nil {
		return h.deps.Catalog, true
	}
	if !src.Loaded() {
		if err := src.Reload(c.Request.Context()); err != nil {
			h.internal(c, "load catalog versions", err)
			return nil, false
		}
	}
	return src.Current(), true
}

// embeddedPackage returns version 1 of code, when the binary holds it.
func (h *handlers) embeddedPackage(code string) (catalog.Package, bool) {
	if h.deps.Catalogs != nil {
		return h.deps.Catalogs.Base().Package(code)
	}
	return h.deps.Catalog.Package(code)
}

// catalogCode is the code of the path; it answers 404 for one that cannot
// be a package code.
func catalogCode(c *gin.Context) (string, bool) {
	code := c.Param("code")
	if !packageCodePattern.MatchString(code) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no package " + strconv.Quote(code) + " in the catalog"})
		return "", false
	}
	return code, true
}

// uploadSourceType reads the body's media type: YAML or JSON.
func uploadSourceType(c *gin.Context) (string, bool) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err == nil {
		switch mt {
		case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
			return store.CatalogSourceYAML, true
		case "application/json":
			return store.CatalogSourceJSON, true
		}
	}
	writeProblem(c, Problem{Type: ProblemMediaType, Status: http.StatusUnsupportedMediaType,
		Detail: "send the package file as application/yaml or application/json",
		Errors: []FieldError{{Field: "Content-Type", Rule: "media_type", Detail: "must be application/yaml or application/json"}}})
	return "", false
}

// putCatalogPackage validates an uploaded package file with the schema and
// the catalog's rules (every defect at once, placed at its line and column)
// and stores it as the code's next version, a draft.
func (h *handlers) putCatalogPackage(c *gin.Context) {
	code, ok := catalogCode(c)
	if !ok {
		return
	}
	kind, ok := uploadSourceType(c)
	if !ok {
		return
	}
	body, ok := readBody(c)
	if !ok {
		return
	}
	name := code + "." + kind
	if kind == store.CatalogSourceJSON {
		if fe := jsonSyntax(name, body); fe != nil {
			writePackageProblem(c, []*catalog.FileError{fe})
			return
		}
	}
	p, err := catalog.ParseUpload(code, name, body)
	if err != nil {
		writePackageProblem(c, catalog.FileErrors(err))
		return
	}
	first := 1
	if _, ok := h.embeddedPackage(code); ok {
		first = 2
	}
	v, err := h.deps.Store.SaveCatalogDraft(c.Request.Context(), store.CatalogDraft{Package: p, Source: body, SourceType: kind,
		UploadedBy: principal(c).Subject(), FirstVersion: first})
	if err != nil {
		h.internal(c, "store catalog version", err)
		return
	}
	cat, ok := h.catalog(c)
	if !ok {
		return
	}
	c.Header("Location", versionPath(code, v.Version))
	c.JSON(http.StatusCreated, detailOf(cat, v, p))
}

// jsonSyntax is the placed error of a body that is not one JSON value.
func jsonSyntax(name string, body []byte) *catalog.FileError {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(&v)
	if err == nil {
		if _, more := dec.Token(); more == nil {
			err = errors.New("data after the JSON value")
		}
	}
	if err == nil {
		return nil
	}
	offset := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	line, col := 1, 1
	for _, b := range body[:min(int(offset), len(body))] {
		if b == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
	return &catalog.FileError{File: name, Line: line, Column: col, Rule: "json", Message: strings.TrimPrefix(err.Error(), "json: ")}
}

// writePackageProblem answers 422 with every defect of a package file.
func writePackageProblem(c *gin.Context, errs []*catalog.FileError) {
	p := Problem{Type: ProblemPackageInvalid, Status: http.StatusUnprocessableEntity,
		Detail: fmt.Sprintf("the package file has %d error(s); each names its line, column, field and rule", len(errs))}
	for _, fe := range errs {
		field := fe.Path
		if field == "" {
			field = "body"
		}
		p.Errors = append(p.Errors, FieldError{Field: field, Rule: fe.Rule, Detail: fe.Message, Line: fe.Line, Column: fe.Column})
	}
	writeProblem(c, p)
}

// versionPath is the URL of one version.
func versionPath(code string, n int) string {
	return "/v1/catalog/" + code + "/versions/" + strconv.Itoa(n)
}

// summaryOf describes a stored version against the catalog in force.
func summaryOf(cat *catalog.Catalog, v store.CatalogVersion) catalogVersion {
	out := catalogVersion{Code: v.Code, Version: v.Version, Digest: v.Digest, Status: versionDraft, SourceType: v.SourceType,
		UploadedBy: v.UploadedBy, PublishedBy: v.PublishedBy}
	at := cst(v.UploadedAt)
	out.UploadedAt = &at
	if v.PublishedAt != nil {
		out.Status = versionPublished
		pt := cst(*v.PublishedAt)
		out.PublishedAt = &pt
	}
	if pv, ok := cat.PackageVersion(v.Code); ok && pv.Version == v.Version && v.Published() {
		out.InForce = true
	}
	return out
}

// detailOf is a stored version with its file and package.
func detailOf(cat *catalog.Catalog, v store.CatalogVersion, p catalog.Package) catalogVersionDetail {
	return catalogVersionDetail{catalogVersion: summaryOf(cat, v), Source: string(v.Source), Package: p}
}

// embeddedVersion describes version 1 of a code compiled into the binary.
func embeddedVersion(cat *catalog.Catalog, p catalog.Package) catalogVersion {
	pv, _ := cat.PackageVersion(p.Code)
	return catalogVersion{Code: p.Code, Version: 1, Digest: catalog.PackageDigest(p), Status: versionPublished, Embedded: true,
		InForce: pv.Version == 1, SourceType: store.CatalogSourceYAML}
}

// listCatalogVersions lists every version of a code, oldest first.
func (h *handlers) listCatalogVersions(c *gin.Context) {
	code, ok := catalogCode(c)
	if !ok {
		return
	}
	cat, ok := h.catalog(c)
	if !ok {
		return
	}
	stored, err := h.deps.Store.CatalogVersions(c.Request.Context(), code)
	if err != nil {
		h.internal(c, "list catalog versions", err)
		return
	}
	out := catalogVersionList{Code: code, Versions: []catalogVersion{}}
	if p, ok := h.embeddedPackage(code); ok {
		out.Versions = append(out.Versions, embeddedVersion(cat, p))
	}
	for _, v := range stored {
		out.Versions = append(out.Versions, summaryOf(cat, v))
	}
	if len(out.Versions) == 0 {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no package " + strconv.Quote(code) + " in the catalog"})
		return
	}
	c.JSON(http.StatusOK, out)
}

// versionOf reads version n of code: the compiled-in file for version 1 of
// an embedded code, else the stored version. It answers 404 and returns
// false when there is none.
func (h *handlers) versionOf(c *gin.Context, cat *catalog.Catalog, code string, n int) (catalogVersionDetail, bool) {
	if p, ok := h.embeddedPackage(code); ok && n == 1 {
		src, _ := catalog.EmbeddedFile(code)
		return catalogVersionDetail{catalogVersion: embeddedVersion(cat, p), Source: string(src), Package: p}, true
	}
	v, err := h.deps.Store.CatalogVersionOf(c.Request.Context(), code, n)
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: fmt.Sprintf("package %s has no version %d", code, n)})
		return catalogVersionDetail{}, false
	}
	if err != nil {
		h.internal(c, "read catalog version", err)
		return catalogVersionDetail{}, false
	}
	p, err := v.Package()
	if err != nil {
		h.internal(c, "decode catalog version", err)
		return catalogVersionDetail{}, false
	}
	return detailOf(cat, v, p), true
}

// versionNumber reads a version number from the path or query; it answers
// 404 (path) or 400 (query) and returns false when it is not one.
func versionNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 1_000_000 && strconv.Itoa(n) == s
}

// getCatalogVersion answers one version with its file and package.
func (h *handlers) getCatalogVersion(c *gin.Context) {
	code, ok := catalogCode(c)
	if !ok {
		return
	}
	n, ok := versionNumber(c.Param("n"))
	if !ok {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such version"})
		return
	}
	cat, ok := h.catalog(c)
	if !ok {
		return
	}
	if d, ok := h.versionOf(c, cat, code, n); ok {
		c.JSON(http.StatusOK, d)
	}
}

type catalogDiffQuery struct {
	From string `form:"from" validate:"required,max=8"`
	To   string `form:"to" validate:"required,max=8"`
}

// diffCatalogVersions answers what changed from one version to another.
func (h *handlers) diffCatalogVersions(c *gin.Context) {
	code, ok := catalogCode(c)
	if !ok {
		return
	}
	var q catalogDiffQuery
	if !bindQuery(c, &q) {
		return
	}
	from, okFrom := versionNumber(q.From)
	to, okTo := versionNumber(q.To)
	var errs []FieldError
	if !okFrom {
		errs = append(errs, FieldError{Field: "from", Rule: "version", Detail: "must be a version number (1, 2, ...)"})
	}
	if !okTo {
		errs = append(errs, FieldError{Field: "to", Rule: "version", Detail: "must be a version number (1, 2, ...)"})
	}
	if len(errs) > 0 {
		invalid(c, "from and to name versions", errs...)
		return
	}
	cat, ok := h.catalog(c)
	if !ok {
		return
	}
	a, ok := h.versionOf(c, cat, code, from)
	if !ok {
		return
	}
	b, ok := h.versionOf(c, cat, code, to)
	if !ok {
		return
	}
	changes, err := catalog.Diff(a.Package, b.Package)
	if err != nil {
		h.internal(c, "diff catalog versions", err)
		return
	}
	out := catalogDiff{Code: code, From: from, To: to, Changes: changes}
	if out.Changes == nil {
		out.Changes = []catalog.Change{}
	}
	lines := make([]string, len(changes))
	for i, ch := range changes {
		lines[i] = ch.String()
	}
	out.Text = strings.Join(lines, "\n")
	c.JSON(http.StatusOK, out)
}

// publishCatalogVersion publishes a draft: a person other than the one who
// uploaded it (four eyes) puts it in force for new starts.
func (h *handlers) publishCatalogVersion(c *gin.Context) {
	code, ok := catalogCode(c)
	if !ok {
		return
	}
	n, ok := versionNumber(c.Param("n"))
	if !ok {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such version"})
		return
	}
	if _, ok := h.embeddedPackage(code); ok && n == 1 {
		writeProblem(c, Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: RuleAlreadyPublished,
			Detail: "version 1 is the package compiled into the binary; it is published"})
		return
	}
	ctx := c.Request.Context()
	v, err := h.deps.Store.PublishCatalogVersion(ctx, code, n, principal(c).Subject())
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: fmt.Sprintf("package %s has no version %d", code, n)})
		return
	case errors.Is(err, store.ErrFourEyes):
		writeProblem(c, Problem{Type: ProblemForbidden, Status: http.StatusForbidden, Rule: RuleFourEyes,
			Detail: "four eyes on a contract change: the person who uploaded a version may not publish it; another admin must"})
		return
	case errors.Is(err, store.ErrAlreadyPublished):
		writeProblem(c, Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: RuleAlreadyPublished,
			Detail: fmt.Sprintf("version %d of %s is published already", n, code)})
		return
	case errors.Is(err, store.ErrSuperseded):
		writeProblem(c, Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: RuleSuperseded,
			Detail: fmt.Sprintf("a version of %s newer than %d is published already; upload the file again to make it the newest", code, n)})
		return
	case err != nil:
		h.internal(c, "publish catalog version", err)
		return
	}
	if h.deps.Catalogs != nil {
		if err := h.deps.Catalogs.Reload(ctx); err != nil {
			// The version is published; other processes and the next poll
			// here put it in force.
			h.deps.Logger.Warn("reload catalog", "request_id", c.GetString(requestIDKey), "error", err.Error())
		}
	}
	cat, ok := h.catalog(c)
	if !ok {
		return
	}
	p, err := v.Package()
	if err != nil {
		h.internal(c, "decode catalog version", err)
		return
	}
	c.JSON(http.StatusOK, detailOf(cat, v, p))
}

package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/api"
)

// uploadCatalogPackage sends the form's package file to PUT /v1/catalog/{code}
// as the signed-in admin; a refused file comes back with each error under
// its line.
func (p *Portal) uploadCatalogPackage(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if c := r.PathValue("code"); c != "" {
		code = c
	}
	source := strings.ReplaceAll(r.PostFormValue("source"), "\r\n", "\n")
	upload := catalogUpload{Code: code, Source: source}
	if code == "" || source == "" {
		upload.Problem = msg(r.Lang, "catalog_upload_missing")
		p.rerenderUpload(w, r, http.StatusUnprocessableEntity, upload)
		return
	}
	var v catalogVersion
	err := p.callFile(r, http.MethodPut, "/v1/catalog/"+url.PathEscape(code), r.PostFormValue(keyField), "application/yaml", []byte(source), &v)
	var prob api.Problem
	switch {
	case err == nil:
		http.Redirect(w, r.Request, pathAdminCatalog+"/"+url.PathEscape(code)+"?uploaded="+strconv.Itoa(v.Version), http.StatusSeeOther)
	case errors.As(err, &prob) && prob.Type == api.ProblemPackageInvalid:
		upload.Problem = prob.Detail
		upload.Lines, upload.Unplaced = placeErrors(source, prob.Errors)
		p.rerenderUpload(w, r, http.StatusUnprocessableEntity, upload)
	case errors.As(err, &prob) && prob.Status == http.StatusNotFound:
		upload.Problem = msg(r.Lang, "catalog_upload_bad_code")
		p.rerenderUpload(w, r, http.StatusUnprocessableEntity, upload)
	default:
		p.apiFailed(w, r, "upload package", err)
	}
}

// rerenderUpload shows the upload form again with its problems: on the
// package's page when the code has versions, else on the catalog page.
func (p *Portal) rerenderUpload(w http.ResponseWriter, r *request, status int, upload catalogUpload) {
	if r.PathValue("code") != "" {
		p.renderAdminCatalogPackage(w, r, status, adminCatalogPackagePage{Upload: upload})
		return
	}
	p.renderAdminCatalog(w, r, status, upload)
}

// placeErrors numbers the file's lines and puts each error under its line;
// errors without a line are returned apart.
func placeErrors(source string, errs []api.FieldError) ([]uploadLine, []api.FieldError) {
	text := strings.Split(strings.TrimSuffix(source, "\n"), "\n")
	lines := make([]uploadLine, len(text))
	for i, t := range text {
		lines[i] = uploadLine{N: i + 1, Text: t}
	}
	var unplaced []api.FieldError
	for _, e := range errs {
		if e.Line >= 1 && e.Line <= len(lines) {
			lines[e.Line-1].Errors = append(lines[e.Line-1].Errors, e)
			continue
		}
		unplaced = append(unplaced, e)
	}
	return lines, unplaced
}

// publishCatalogVersion publishes a draft through the API as the signed-in
// admin; the API refuses the person who uploaded it (four eyes).
func (p *Portal) publishCatalogVersion(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	code, n := r.PathValue("code"), r.PathValue("n")
	path := "/v1/catalog/" + url.PathEscape(code) + "/versions/" + url.PathEscape(n) + "/publish"
	err := p.call(r, http.MethodPost, path, r.PostFormValue(keyField), nil, nil)
	var prob api.Problem
	if errors.As(err, &prob) && prob.Rule != "" {
		// Four eyes, or a version published already: the rule, not "your
		// role may not".
		p.renderRefusal(w, r, prob)
		return
	}
	if err != nil {
		p.apiFailed(w, r, "publish package version", err)
		return
	}
	http.Redirect(w, r.Request, pathAdminCatalog+"/"+url.PathEscape(code)+"?published="+url.QueryEscape(n), http.StatusSeeOther)
}

package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/store"
)

// The catalog's admin pages: every package with the version in force, and
// one package's versions, their diff, an upload form and the publish
// buttons. Every read and action goes through the API as the signed-in
// admin (/v1/catalog...), so the checks, the four eyes and the audit are
// the API's.

const pathAdminCatalog = "/admin/catalog"

func init() {
	addNav(navEntry{Order: 70, Path: pathAdminCatalog, Key: "nav_catalog", Roles: []store.Role{store.RoleAdmin}})
}

// catalogVersion is a version as GET /v1/catalog/{code}/versions answers it.
type catalogVersion struct {
	Code        string     `json:"code"`
	Version     int        `json:"version"`
	Digest      string     `json:"digest"`
	Status      string     `json:"status"`
	Embedded    bool       `json:"embedded"`
	InForce     bool       `json:"in_force"`
	SourceType  string     `json:"source_type"`
	UploadedBy  string     `json:"uploaded_by"`
	UploadedAt  *time.Time `json:"uploaded_at"`
	PublishedBy string     `json:"published_by"`
	PublishedAt *time.Time `json:"published_at"`
}

// catalogPackageRow is one line of the catalog page.
type catalogPackageRow struct {
	Code, Name, Kind string
	InForce          int
	Drafts           int
}

// adminCatalogPage is the catalog page's data.
type adminCatalogPage struct {
	// Code is empty: the upload form asks for it.
	Code     string
	Version  string
	Packages []catalogPackageRow
	Upload   catalogUpload
}

// catalogUpload is the upload form: its values and, after a refusal, the
// file's lines with the errors placed under them.
type catalogUpload struct {
	Code, Source string
	Problem      string
	Lines        []uploadLine
	// Unplaced are errors without a line.
	Unplaced []api.FieldError
}

// uploadLine is one line of a refused file and the errors on it.
type uploadLine struct {
	N      int
	Text   string
	Errors []api.FieldError
}

// adminCatalogPackagePage is one package's page.
type adminCatalogPackagePage struct {
	Code, Name string
	Versions   []catalogVersion
	Diff       *catalogDiff
	From, To   int
	Notice     string
	Upload     catalogUpload
}

// catalogDiff is GET /v1/catalog/{code}/diff's answer.
type catalogDiff struct {
	From    int `json:"from"`
	To      int `json:"to"`
	Changes []struct {
		Op   string `json:"op"`
		Path string `json:"path"`
		Old  string `json:"old"`
		New  string `json:"new"`
	} `json:"changes"`
	Text string `json:"text"`
}

// showAdminCatalog lists the packages in force with their version and the
// drafts waiting for a second admin.
func (p *Portal) showAdminCatalog(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	p.renderAdminCatalog(w, r, http.StatusOK, catalogUpload{})
}

func (p *Portal) renderAdminCatalog(w http.ResponseWriter, r *request, status int, upload catalogUpload) {
	var cat struct {
		Version  string `json:"version"`
		Packages []struct {
			Code string `json:"code"`
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"packages"`
	}
	if err := p.call(r, http.MethodGet, "/v1/catalog", "", nil, &cat); err != nil {
		p.apiFailed(w, r, "read catalog", err)
		return
	}
	page := adminCatalogPage{Version: cat.Version, Upload: upload}
	for _, pk := range cat.Packages {
		var list struct {
			Versions []catalogVersion `json:"versions"`
		}
		if err := p.call(r, http.MethodGet, "/v1/catalog/"+pk.Code+"/versions", "", nil, &list); err != nil {
			p.apiFailed(w, r, "list catalog versions", err)
			return
		}
		row := catalogPackageRow{Code: pk.Code, Name: pk.Name, Kind: pk.Kind}
		for _, v := range list.Versions {
			if v.InForce {
				row.InForce = v.Version
			}
			if v.Status == "draft" {
				row.Drafts++
			}
		}
		page.Packages = append(page.Packages, row)
	}
	v := p.newView(r, "catalog_title")
	v.Page = page
	p.render(w, r, status, "admin_catalog", v)
}

// showAdminCatalogPackage shows one package's versions, a diff between two
// of them (?from=&to=), the publish buttons and the upload form.
func (p *Portal) showAdminCatalogPackage(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	page := adminCatalogPackagePage{Upload: catalogUpload{Code: r.PathValue("code")}}
	if n := r.URL.Query().Get("uploaded"); n != "" {
		page.Notice = msg(r.Lang, "catalog_uploaded") + " " + n
	}
	if n := r.URL.Query().Get("published"); n != "" {
		page.Notice = msg(r.Lang, "catalog_published") + " " + n
	}
	p.renderAdminCatalogPackage(w, r, http.StatusOK, page)
}

func (p *Portal) renderAdminCatalogPackage(w http.ResponseWriter, r *request, status int, page adminCatalogPackagePage) {
	code := r.PathValue("code")
	page.Code = code
	var list struct {
		Versions []catalogVersion `json:"versions"`
	}
	if err := p.call(r, http.MethodGet, "/v1/catalog/"+url.PathEscape(code)+"/versions", "", nil, &list); err != nil {
		p.apiFailed(w, r, "list catalog versions", err)
		return
	}
	page.Versions = list.Versions
	for i := range page.Versions {
		for _, t := range []*time.Time{page.Versions[i].UploadedAt, page.Versions[i].PublishedAt} {
			if t != nil {
				*t = t.Truncate(time.Minute)
			}
		}
	}
	var pkg struct {
		Name string `json:"name"`
	}
	if err := p.call(r, http.MethodGet, "/v1/catalog/"+url.PathEscape(code), "", nil, &pkg); err == nil {
		page.Name = pkg.Name
	}
	// The diff: from and to as asked, else the version in force against
	// the newest.
	q := r.URL.Query()
	page.From, _ = strconv.Atoi(q.Get("from"))
	page.To, _ = strconv.Atoi(q.Get("to"))
	if page.From == 0 || page.To == 0 {
		for _, v := range page.Versions {
			if v.InForce {
				page.From = v.Version
			}
		}
		if n := len(page.Versions); n > 0 {
			page.To = page.Versions[n-1].Version
		}
	}
	if page.From > 0 && page.To > 0 && page.From != page.To {
		var d catalogDiff
		path := "/v1/catalog/" + url.PathEscape(code) + "/diff?from=" + strconv.Itoa(page.From) + "&to=" + strconv.Itoa(page.To)
		if err := p.call(r, http.MethodGet, path, "", nil, &d); err != nil {
			p.apiFailed(w, r, "diff catalog versions", err)
			return
		}
		page.Diff = &d
	}
	v := p.newView(r, "catalog_package_title")
	v.Title = strings.TrimSpace(v.Title + " " + code)
	v.Page = page
	p.render(w, r, status, "admin_catalog_package", v)
}

package portal

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pathDevMail lists the mail sowflow dev kept instead of sending it.
const pathDevMail = "/dev-mail"

// pathFeeds is where calendar feeds are served.
const pathFeeds = "/ics/"

// devMailPage lists the kept mail, newest first.
type devMailPage struct {
	Dir   string
	Files []string
	// Name and Content are the message shown, if one is.
	Name, Content string
}

// showDevMail lists the .eml files of the dev mail folder.
func (p *Portal) showDevMail(w http.ResponseWriter, r *request) {
	p.renderDevMail(w, r, devMailPage{})
}

// showDevMailFile shows one kept message, as it would have been sent.
func (p *Portal) showDevMailFile(w http.ResponseWriter, r *request) {
	name := r.PathValue("file")
	if name != filepath.Base(name) || !strings.HasSuffix(name, ".eml") {
		p.notFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join(p.deps.MailDir, name))
	if err != nil {
		p.notFound(w, r)
		return
	}
	p.renderDevMail(w, r, devMailPage{Name: name, Content: string(b)})
}

func (p *Portal) renderDevMail(w http.ResponseWriter, r *request, page devMailPage) {
	entries, err := os.ReadDir(p.deps.MailDir)
	if err != nil && !os.IsNotExist(err) {
		p.internal(w, r, "list dev mail", err)
		return
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			page.Files = append(page.Files, e.Name())
		}
	}
	slices.Reverse(page.Files)
	page.Dir = p.deps.MailDir
	v := p.newView(r, "dev_mail_title")
	v.Page = page
	p.render(w, r, http.StatusOK, "dev_mail", v)
}

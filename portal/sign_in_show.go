package portal

import (
	"fmt"
	"net/http"
	"strconv"
)

// signInPage is the sign-in form's data.
type signInPage struct {
	Email string
}

func (p *Portal) showSignIn(w http.ResponseWriter, r *request) {
	if r.Session != nil {
		http.Redirect(w, r.Request, pathHome, http.StatusSeeOther)
		return
	}
	v := p.newView(r, "sign_in_title")
	if n, err := strconv.Atoi(r.URL.Query().Get("ended")); err == nil && n >= 0 {
		v.Notice = fmt.Sprintf(msg(r.Lang, "signed_out_everywhere"), n)
	}
	v.Page = signInPage{}
	p.render(w, r, http.StatusOK, "sign_in", v)
}

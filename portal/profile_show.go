package portal

import (
	"errors"
	"net/http"

	"github.com/sowflow/sowflow/store"
)

// profilePage is the person's own page: who they are and their personal
// API tokens.
type profilePage struct {
	Tokens []profileToken
	// Secret is a token just created, shown once.
	Secret    string
	TokenName string
	Problem   string
	// PasswordProblem says why a password change was refused.
	PasswordProblem string
	// Settings are the person's notification kinds and channels.
	Settings []notificationSetting
	// FeedURL is the person's calendar feed, when it is on.
	FeedURL string
}

type profileToken struct {
	ID, Name, Created string
	Revoked           string
}

func (p *Portal) showProfile(w http.ResponseWriter, r *request) {
	p.renderProfile(w, r, http.StatusOK, profilePage{})
}

// passwordChangedNotice is shown after a password change (its redirect).
func passwordChangedNotice(r *request) string {
	if r.URL.Query().Get("password") == "changed" {
		return msg(r.Lang, "password_changed")
	}
	return ""
}

func (p *Portal) renderProfile(w http.ResponseWriter, r *request, status int, page profilePage) {
	tokens, err := p.deps.Store.PersonalTokens(r.Context(), r.Session.Person)
	if err != nil {
		p.internal(w, r, "list personal tokens", err)
		return
	}
	for _, t := range tokens {
		pt := profileToken{ID: t.ID, Name: t.Name, Created: formatInstant(r.Lang, t.CreatedAt)}
		if t.RevokedAt != nil {
			pt.Revoked = formatInstant(r.Lang, *t.RevokedAt)
		}
		page.Tokens = append(page.Tokens, pt)
	}
	if page.Settings, err = p.notificationSettings(r); err != nil {
		p.internal(w, r, "read notification settings", err)
		return
	}
	feed, err := p.deps.Store.CalendarFeedOf(r.Context(), r.Session.Person.ID)
	switch {
	case err == nil:
		page.FeedURL = FeedURL(p.deps.PublicURL, feed.Secret)
	case !errors.Is(err, store.ErrNotFound):
		p.internal(w, r, "read calendar feed", err)
		return
	}
	v := p.newView(r, "profile_title")
	v.Notice = passwordChangedNotice(r)
	if r.URL.Query().Get("settings") == "saved" {
		v.Notice = msg(r.Lang, "settings_saved")
	}
	v.Page = page
	p.render(w, r, status, "profile", v)
}

// personalTokenSpec is the token a person makes for themselves: their role
// and customer, attributed to them.
func personalTokenSpec(person store.Person, name string) store.TokenSpec {
	return store.TokenSpec{Name: name, Role: person.Role, CustomerID: person.CustomerID, CreatedBy: person.Subject()}
}

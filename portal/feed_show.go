package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/notify"
	"github.com/sowflow/sowflow/store"
)

// FeedURL is the address of a calendar feed with secret under publicURL.
func FeedURL(publicURL, secret string) string {
	return strings.TrimSuffix(publicURL, "/") + pathFeeds + secret + ".ics"
}

// serveFeed answers a calendar feed: /ics/<secret>.ics, no session needed
// (calendar apps hold only the URL). An unknown or revoked secret is 404.
func (p *Portal) serveFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || secret == "" {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	person, err := p.deps.Store.FeedPerson(ctx, secret)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		p.deps.Logger.Error("calendar feed", "error", err.Error())
		http.Error(w, "the calendar feed is unavailable; try again later", http.StatusServiceUnavailable)
		return
	}
	cal := calendar.China()
	if p.deps.Calendars != nil {
		cal = p.deps.Calendars.Current()
	}
	body, err := notify.Feed(ctx, p.deps.Store, cal, person, p.deps.PublicURL, p.deps.Now())
	if err != nil {
		p.deps.Logger.Error("calendar feed", "error", err.Error())
		http.Error(w, "the calendar feed is unavailable; try again later", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write([]byte(body))
}

// createFeed turns the person's calendar feed on, or gives it a new URL
// (the old one stops working).
func (p *Portal) createFeed(w http.ResponseWriter, r *request) {
	if _, err := p.deps.Store.CreateCalendarFeed(r.Context(), r.Session.Person.ID); err != nil {
		p.internal(w, r, "create calendar feed", err)
		return
	}
	http.Redirect(w, r.Request, pathProfile+"#calendar-feed", http.StatusSeeOther)
}

// revokeFeed turns the person's calendar feed off.
func (p *Portal) revokeFeed(w http.ResponseWriter, r *request) {
	if err := p.deps.Store.RevokeCalendarFeed(r.Context(), r.Session.Person.ID); err != nil {
		p.internal(w, r, "revoke calendar feed", err)
		return
	}
	http.Redirect(w, r.Request, pathProfile+"#calendar-feed", http.StatusSeeOther)
}

package portal

import (
	"net/http"
	"time"

	"github.com/sowflow/sowflow/notify"
)

// pathNotifications is the person's notification list.
const pathNotifications = "/notifications"

func init() {
	addNav(navEntry{Order: 50, Path: pathNotifications, Key: "nav_notifications", Badge: func(p *Portal, r *request) int {
		// The badge is a convenience: a failure to count leaves it out.
		n, _ := p.deps.Store.UnreadNotifications(r.Context(), r.Session.Person.ID)
		return n
	}})
}

// maxListedNotifications bounds the notification list.
const maxListedNotifications = 200

// notificationsPage is the person's notifications, newest first.
type notificationsPage struct {
	Items  []notificationItem
	Unread int
}

type notificationItem struct {
	Subject, Body, Link, When string
	Unread                    bool
}

// showNotifications lists the person's notifications in their language.
// Opening the list does not mark them read; the person does.
func (p *Portal) showNotifications(w http.ResponseWriter, r *request) {
	ctx := r.Context()
	list, err := p.deps.Store.PortalNotifications(ctx, r.Session.Person.ID, maxListedNotifications)
	if err != nil {
		p.internal(w, r, "list notifications", err)
		return
	}
	var page notificationsPage
	for _, n := range list {
		rendered, err := notify.Render(n.Entry, r.Lang, "")
		if err != nil {
			continue
		}
		page.Items = append(page.Items, notificationItem{Subject: rendered.Subject, Body: rendered.Body, Link: rendered.Link,
			When: formatInstant(r.Lang, n.EventTime), Unread: n.ReadAt == nil})
		if n.ReadAt == nil {
			page.Unread++
		}
	}
	v := p.newView(r, "notifications_title")
	v.Page = page
	p.render(w, r, http.StatusOK, "notifications", v)
}

// markNotificationsRead marks every notification of the person read.
func (p *Portal) markNotificationsRead(w http.ResponseWriter, r *request) {
	if err := p.deps.Store.MarkNotificationsRead(r.Context(), r.Session.Person.ID, nil, time.Now()); err != nil {
		p.internal(w, r, "mark notifications read", err)
		return
	}
	http.Redirect(w, r.Request, pathNotifications, http.StatusSeeOther)
}

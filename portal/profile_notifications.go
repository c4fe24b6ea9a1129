package portal

import (
	"net/http"
	"slices"

	"github.com/sowflow/sowflow/notify"
	"github.com/sowflow/sowflow/store"
)

// notificationSetting is one row of the profile's notification settings:
// a kind the person is told of and whether each channel carries it.
type notificationSetting struct {
	Kind, Label   string
	Legal         bool
	Email, Portal bool
}

// personKinds are the kinds a person of role is told of.
func personKinds(role store.Role) []notify.Kind {
	var out []notify.Kind
	for _, k := range notify.Kinds {
		if slices.Contains(k.Audience, string(role)) {
			out = append(out, k)
		}
	}
	return out
}

// notificationSettings lists the person's kinds with their channels on or
// off.
func (p *Portal) notificationSettings(r *request) ([]notificationSetting, error) {
	offs, err := p.deps.Store.NotificationOptOuts(r.Context(), r.Session.Person.ID)
	if err != nil {
		return nil, err
	}
	var out []notificationSetting
	for _, k := range personKinds(r.Session.Person.Role) {
		out = append(out, notificationSetting{Kind: k.Name, Label: k.Label[r.Lang], Legal: k.Legal,
			Email:  !slices.Contains(offs, store.OptOut{Kind: k.Name, Channel: store.ChannelEmail}),
			Portal: !slices.Contains(offs, store.OptOut{Kind: k.Name, Channel: store.ChannelPortal})})
	}
	return out, nil
}

// saveNotificationSettings stores the profile form's settings: every kind
// of the person's role whose box is not ticked is switched off on that
// channel.
func (p *Portal) saveNotificationSettings(w http.ResponseWriter, r *request) {
	if err := r.ParseForm(); err != nil {
		p.notFound(w, r)
		return
	}
	on := r.PostForm["on"]
	var offs []store.OptOut
	for _, k := range personKinds(r.Session.Person.Role) {
		for _, ch := range store.PersonChannels() {
			if !slices.Contains(on, k.Name+"/"+ch) {
				offs = append(offs, store.OptOut{Kind: k.Name, Channel: ch})
			}
		}
	}
	if err := p.deps.Store.SetNotificationOptOuts(r.Context(), r.Session.Person.ID, offs); err != nil {
		p.internal(w, r, "save notification settings", err)
		return
	}
	http.Redirect(w, r.Request, pathProfile+"?settings=saved#notification-settings", http.StatusSeeOther)
}

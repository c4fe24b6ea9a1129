package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/notify"
	"github.com/sowflow/sowflow/store"
)

// deliveryManagerRequest names the new delivery manager.
type deliveryManagerRequest struct {
	PersonID string `json:"person_id" validate:"required,max=64"`
}

// getDeliveryManager answers who is told of the object's manager-facing
// notices.
func (h *handlers) getDeliveryManager(of target) gin.HandlerFunc {
	return func(c *gin.Context) {
		r, ok := h.visible(c, of)
		if !ok {
			return
		}
		dm, err := h.deps.Store.DeliveryManagerOf(c.Request.Context(), r.owner.Kind, r.owner.ID)
		if err != nil {
			h.internal(c, "read delivery manager", err)
			return
		}
		c.JSON(http.StatusOK, dm)
	}
}

// putDeliveryManager makes a manager the object's delivery manager; the
// change is recorded on the customer's audit chain.
func (h *handlers) putDeliveryManager(of target) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req deliveryManagerRequest
		if !bindJSON(c, &req) {
			return
		}
		r, ok := h.visible(c, of)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		o, err := h.deps.Store.OwnerOf(ctx, r.owner.Kind, r.owner.ID, "")
		if err != nil {
			h.internal(c, "read owner", err)
			return
		}
		cl := callerOf(c)
		ctx = store.WithActor(ctx, store.Actor{Subject: cl.Actor.Subject, Role: string(cl.Actor.Role), RequestID: cl.RequestID})
		dm, err := h.deps.Store.AssignDeliveryManager(ctx, o, req.PersonID, time.Now())
		switch {
		case errors.Is(err, store.ErrNotManager):
			invalid(c, "the delivery manager must be an enabled manager", FieldError{Field: "person_id", Rule: "manager", Detail: "names no enabled manager"})
		case err != nil:
			h.internal(c, "assign delivery manager", err)
		default:
			c.JSON(http.StatusOK, dm)
		}
	}
}

// notificationSetting says whether one kind reaches the person on one
// channel.
type notificationSetting struct {
	Kind    string `json:"kind" validate:"required,max=64"`
	Channel string `json:"channel" validate:"required,oneof=email portal"`
	Enabled bool   `json:"enabled"`
	// Legal marks kinds whose notices with legal effect go out even when
	// switched off (answers only).
	Legal bool `json:"legal,omitempty"`
}

// notificationSettings is the body of GET and PUT
// /v1/me/notification-settings.
type notificationSettings struct {
	Settings []notificationSetting `json:"settings" validate:"required,max=200,dive"`
}

// mePerson returns the person whose personal token the request carries;
// a token made for an integration answers 404.
func (h *handlers) mePerson(c *gin.Context) (store.Person, bool) {
	p, err := h.deps.Store.PersonOfToken(c.Request.Context(), principal(c).TokenID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound,
			Detail: "this token belongs to no person: create a personal token on your profile page in the portal"})
		return store.Person{}, false
	case err != nil:
		h.internal(c, "find the token's person", err)
		return store.Person{}, false
	}
	return p, true
}

// settingsOf lists every kind and channel with whether it is on.
func settingsOf(offs []store.OptOut) notificationSettings {
	out := notificationSettings{Settings: []notificationSetting{}}
	for _, k := range notify.Kinds {
		for _, ch := range store.PersonChannels() {
			out.Settings = append(out.Settings, notificationSetting{Kind: k.Name, Channel: ch, Legal: k.Legal,
				Enabled: !slices.Contains(offs, store.OptOut{Kind: k.Name, Channel: ch})})
		}
	}
	return out
}

// getNotificationSettings answers which kinds reach the caller on which
// channel.
func (h *handlers) getNotificationSettings(c *gin.Context) {
	p, ok := h.mePerson(c)
	if !ok {
		return
	}
	offs, err := h.deps.Store.NotificationOptOuts(c.Request.Context(), p.ID)
	if err != nil {
		h.internal(c, "read notification settings", err)
		return
	}
	c.JSON(http.StatusOK, settingsOf(offs))
}

// putNotificationSettings switches the kinds and channels it names on or
// off; those it does not name keep their setting.
func (h *handlers) putNotificationSettings(c *gin.Context) {
	var req notificationSettings
	if !bindJSON(c, &req) {
		return
	}
	for _, s := range req.Settings {
		if _, ok := notify.KindOf(s.Kind); !ok {
			invalid(c, "unknown notification kind "+s.Kind, FieldError{Field: "settings.kind", Rule: "kind", Detail: "is not a notification kind"})
			return
		}
	}
	p, ok := h.mePerson(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	offs, err := h.deps.Store.NotificationOptOuts(ctx, p.ID)
	if err != nil {
		h.internal(c, "read notification settings", err)
		return
	}
	offs = applySettings(offs, req.Settings)
	if err := h.deps.Store.SetNotificationOptOuts(ctx, p.ID, offs); err != nil {
		h.internal(c, "save notification settings", err)
		return
	}
	c.JSON(http.StatusOK, settingsOf(offs))
}

// applySettings returns offs with each setting applied: an enabled one
// removed, a disabled one added.
func applySettings(offs []store.OptOut, settings []notificationSetting) []store.OptOut {
	for _, s := range settings {
		o := store.OptOut{Kind: s.Kind, Channel: s.Channel}
		offs = slices.DeleteFunc(offs, func(x store.OptOut) bool { return x == o })
		if !s.Enabled {
			offs = append(offs, o)
		}
	}
	return offs
}

// calendarFeed is the caller's calendar feed.
type calendarFeed struct {
	// Path is the feed's address under the portal's public URL
	// (SOWFLOW_PUBLIC_URL): /ics/<secret>.ics.
	Path string `json:"path"`
	// URL is the whole address a calendar app subscribes to: the public
	// URL and Path.
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

// feedOf is the feed f under the portal's public URL publicURL.
func feedOf(f store.CalendarFeed, publicURL string) calendarFeed {
	path := "/ics/" + f.Secret + ".ics"
	return calendarFeed{Path: path, URL: strings.TrimSuffix(publicURL, "/") + path, CreatedAt: f.CreatedAt}
}

// getCalendarFeed answers the caller's feed; 404 when it is off.
func (h *handlers) getCalendarFeed(c *gin.Context) {
	p, ok := h.mePerson(c)
	if !ok {
		return
	}
	f, err := h.deps.Store.CalendarFeedOf(c.Request.Context(), p.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "your calendar feed is off; POST turns it on"})
	case err != nil:
		h.internal(c, "read calendar feed", err)
	default:
		c.JSON(http.StatusOK, feedOf(f, h.deps.PublicURL))
	}
}

// createCalendarFeed turns the caller's feed on, or gives it a new address
// (the old one stops working).
func (h *handlers) createCalendarFeed(c *gin.Context) {
	p, ok := h.mePerson(c)
	if !ok {
		return
	}
	f, err := h.deps.Store.CreateCalendarFeed(c.Request.Context(), p.ID)
	if err != nil {
		h.internal(c, "create calendar feed", err)
		return
	}
	c.JSON(http.StatusCreated, feedOf(f, h.deps.PublicURL))
}

// deleteCalendarFeed turns the caller's feed off.
func (h *handlers) deleteCalendarFeed(c *gin.Context) {
	p, ok := h.mePerson(c)
	if !ok {
		return
	}
	if err := h.deps.Store.RevokeCalendarFeed(c.Request.Context(), p.ID); err != nil {
		h.internal(c, "revoke calendar feed", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// Package portal is sowflow's web portal: server-rendered pages, in
// Simplified Chinese and English, where people sign in with their own
// accounts. It follows miniflux's internal/ui layout: one small file per
// page (…_show.go) or form action (…_check.go, …_accept.go), templates and
// assets embedded with go:embed, no JavaScript build step.
//
// Sessions live in PostgreSQL (store.Session); every form carries a CSRF
// token (the session's synchronizer token, or before sign-in a token bound
// to a cookie); every answer carries a Content-Security-Policy that allows
// no inline script and no framing.
package portal

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
)

// Deps are what the portal needs from the rest of the process.
type Deps struct {
	// Store is sowflow's PostgreSQL access.
	Store *store.Store
	// API is the HTTP API's handler: every action and every read of a
	// project, service or ticket goes through it as the signed-in person
	// (api_call.go).
	API http.Handler
	// Logger receives errors; nil discards them.
	Logger *slog.Logger
	// PublicURL is where people reach the portal; session cookies are
	// Secure when it is https.
	PublicURL string
	// AllowedHosts, when set, are the only Host headers (host:port, any
	// case) served; others are 421, as for the API.
	AllowedHosts []string
	// Catalog names packages and phases; nil is catalog.Default().
	Catalog *catalog.Catalog
	// Now returns the current instant; nil is time.Now.
	Now func() time.Time
	// MailDir, in sowflow dev without SMTP, is the folder of the mail
	// kept instead of sent, shown at /dev-mail; "" leaves the page out.
	MailDir string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the client's address; empty trusts no forwarding header.
	TrustedProxies []netip.Prefix
	// Calendars is the working-day calendar in force (calendar feeds'
	// reminders); nil is the built-in calendar.
	Calendars *store.CalendarSource
}

// Portal is the portal's HTTP handler.
type Portal struct {
	deps   Deps
	mux    *http.ServeMux
	pages  pages
	secure bool
}

// The portal's top-level paths; Owns answers for them and the HTTP API for
// everything else.
const (
	pathHome        = "/"
	pathSignIn      = "/sign-in"
	pathSignOut     = "/sign-out"
	pathSignOutAll  = "/sign-out-everywhere"
	pathInvitations = "/invitations/"
	pathLanguage    = "/language"
	pathAssets      = "/assets/"
	pathAdmin       = "/admin/"
	pathAdminPeople = "/admin/people"
	pathProfile     = "/profile"
	pathProjects    = "/projects/"
)

// New builds the portal; it fails only when its embedded templates do not
// parse.
func New(d Deps) (*Portal, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Catalog == nil {
		d.Catalog = catalog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(d.PublicURL)
	p := &Portal{deps: d, mux: http.NewServeMux(), pages: pg, secure: u != nil && u.Scheme == "https"}
	p.mux.HandleFunc("GET "+pathAssets+"{file}", serveAsset)
	p.mux.HandleFunc("GET /{$}", p.page(p.showHome, true))
	p.mux.HandleFunc("GET "+pathSignIn, p.page(p.showSignIn, false))
	p.mux.HandleFunc("POST "+pathSignIn, p.form(p.checkSignIn, false))
	p.mux.HandleFunc("POST "+pathSignOut, p.form(p.signOut, true))
	p.mux.HandleFunc("POST "+pathSignOutAll, p.form(p.signOutEverywhere, true))
	p.mux.HandleFunc("GET "+pathInvitations+"{token}", p.page(p.showInvitation, false))
	p.mux.HandleFunc("POST "+pathInvitations+"{token}", p.form(p.acceptInvitation, false))
	p.mux.HandleFunc("POST "+pathLanguage, p.form(p.switchLanguage, false))
	p.mux.HandleFunc("GET "+pathProfile, p.page(p.showProfile, true))
	p.mux.HandleFunc("POST "+pathProfile+"/tokens", p.form(p.createPersonalToken, true))
	p.mux.HandleFunc("POST "+pathProfile+"/password", p.form(p.changePassword, true))
	p.mux.HandleFunc("POST "+pathProfile+"/tokens/{id}/revoke", p.form(p.revokePersonalToken, true))
	p.mux.HandleFunc("POST "+pathProfile+"/notifications", p.form(p.saveNotificationSettings, true))
	p.mux.HandleFunc("POST "+pathProfile+"/calendar-feed", p.form(p.createFeed, true))
	p.mux.HandleFunc("POST "+pathProfile+"/calendar-feed/revoke", p.form(p.revokeFeed, true))
	p.mux.HandleFunc("GET "+pathFeeds+"{file}", p.serveFeed)
	if p.deps.MailDir != "" {
		p.mux.HandleFunc("GET "+pathDevMail, p.page(p.showDevMail, true))
		p.mux.HandleFunc("GET "+pathDevMail+"/{file}", p.page(p.showDevMailFile, true))
	}
	p.mux.HandleFunc("GET "+pathNotifications, p.page(p.showNotifications, true))
	p.mux.HandleFunc("POST "+pathNotifications+"/read", p.form(p.markNotificationsRead, true))
	p.mux.HandleFunc("GET "+pathAdminPeople, p.page(p.showAdminPeople, true))
	p.mux.HandleFunc("POST "+pathAdminPeople, p.form(p.createPerson, true))
	for _, action := range []string{"disable", "enable", "reset"} {
		p.mux.HandleFunc("POST "+pathAdminPeople+"/{id}/"+action, p.form(p.changePerson(action), true))
	}
	// Delivery manager: dashboard, new project, submission, project management.
	p.mux.HandleFunc("GET "+pathDashboard, p.page(p.showDashboard, true))
	p.mux.HandleFunc("GET "+pathNewProject, p.page(p.showNewProject, true))
	p.mux.HandleFunc("POST "+pathNewProject, p.form(p.startProject, true))
	p.mux.HandleFunc("GET "+pathProjects+"{id}/deliverables/{key}/submit", p.page(p.showSubmitDeliverable, true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/deliverables/{key}/submit", p.form(p.submitDeliverable, true))
	p.mux.HandleFunc("GET "+pathProjects+"{id}/manage", p.page(p.showManage, true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/phases/{key}/advance", p.form(p.advancePhase(), true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/delays/open", p.form(p.openDelay(), true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/delays/close", p.form(p.closeDelay(), true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/quotas/{key}/use", p.form(p.useQuota(), true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/terminate", p.form(p.terminate, true))
	p.mux.HandleFunc("GET "+pathProjects+"{id}/delivery-manager", p.page(p.showDeliveryManager, true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/delivery-manager", p.form(p.assignDeliveryManager, true))
	// Services, calendar, auditor and admin tools (services_show.go and beside it).
	p.mux.HandleFunc("GET "+pathServices, p.page(p.showServices, true))
	p.mux.HandleFunc("GET "+pathServices+"/{id}", p.page(p.showService, true))
	p.mux.HandleFunc("POST "+pathServices+"/{id}/tickets", p.form(p.openTicket, true))
	p.mux.HandleFunc("GET "+pathServices+"/{id}/tickets/{n}", p.page(p.showTicket, true))
	for action := range ticketActions {
		p.mux.HandleFunc("POST "+pathServices+"/{id}/tickets/{n}/"+action, p.form(p.actOnTicket(action), true))
	}
	p.mux.HandleFunc("GET "+pathSLA+"/{account}/{period}", p.page(p.showSLA, true))
	p.mux.HandleFunc("POST "+pathSLA+"/{account}/{period}/claim", p.form(p.claimSLA, true))
	p.routeAudit()
	// Customer side and the project page (project_show.go, deliverable_*.go,
	// final_acceptance_sign.go, inbox_show.go).
	p.mux.HandleFunc("GET "+pathProjects+"{id}", p.page(p.showProject, true))
	p.mux.HandleFunc("GET "+pathProjects+"{id}/deliverables/{key}", p.page(p.showDeliverable, true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/deliverables/{key}/decision", p.form(p.decideDeliverable, true))
	p.mux.HandleFunc("POST "+pathProjects+"{id}/final-acceptance", p.form(p.signFinalAcceptance, true))
	p.mux.HandleFunc("GET "+pathAdminCatalog, p.page(p.showAdminCatalog, true))
	p.mux.HandleFunc("POST "+pathAdminCatalog, p.form(p.uploadCatalogPackage, true))
	p.mux.HandleFunc("GET "+pathAdminCatalog+"/{code}", p.page(p.showAdminCatalogPackage, true))
	p.mux.HandleFunc("POST "+pathAdminCatalog+"/{code}", p.form(p.uploadCatalogPackage, true))
	p.mux.HandleFunc("POST "+pathAdminCatalog+"/{code}/versions/{n}/publish", p.form(p.publishCatalogVersion, true))
	p.mux.HandleFunc("GET "+pathAdminTokens, p.page(p.showAdminTokens, true))
	p.mux.HandleFunc("POST "+pathAdminTokens, p.form(p.createAdminToken, true))
	p.mux.HandleFunc("GET "+pathAdminTokens+"/{id}/revoke", p.page(p.showRevokeToken, true))
	p.mux.HandleFunc("POST "+pathAdminTokens+"/{id}/revoke", p.form(p.revokeAdminToken, true))
	// The calendar month and the calendar-year upload (calendar_show.go,
	// admin_calendar_*.go).
	p.mux.HandleFunc("GET "+pathCalendar, p.page(p.showCalendar, true))
	p.mux.HandleFunc("GET "+pathAdminCalendar, p.page(p.showAdminCalendar, true))
	p.mux.HandleFunc("POST "+pathAdminCalendar, p.uploadForm(p.form(p.uploadCalendarYear, true)))
	p.mux.HandleFunc("/", p.page(p.notFound, false))
	return p, nil
}

// Owns reports whether the portal serves path: every path but the API's
// (api.Owns), so a new page needs no second list.
func Owns(path string) bool { return !api.Owns(path) }

// ServeHTTP serves one portal request with the security headers every
// answer carries.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := p.deps.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	securityHeaders(w.Header())
	if hostAllowed(p.deps.AllowedHosts, r.Host) {
		p.mux.ServeHTTP(sw, r)
	} else {
		http.Error(sw, "this server does not answer for host "+r.Host, http.StatusMisdirectedRequest)
	}
	level := slog.LevelInfo
	if sw.status >= 500 {
		level = slog.LevelError
	}
	// The route, never the path: invitation links carry their token in it.
	p.deps.Logger.LogAttrs(r.Context(), level, "portal request",
		slog.String("method", r.Method), slog.String("route", r.Pattern), slog.Int("status", sw.status),
		slog.Duration("duration", p.deps.Now().Sub(start)))
}

// statusWriter remembers the status an answer was sent with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// InvitationURL is the portal link of an invitation token under publicURL.
func InvitationURL(publicURL, token string) string {
	return strings.TrimSuffix(publicURL, "/") + pathInvitations + token
}

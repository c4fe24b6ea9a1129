package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// FeedZone is the time zone of calendar feeds, as their VTIMEZONE names it.
const FeedZone = "Asia/Shanghai"

// feedDeadline is one upcoming deadline of a person's feed.
type feedDeadline struct {
	// UID is stable for the deadline across feeds and moves.
	UID string
	At  time.Time
	// Summary and Description are in the person's language.
	Summary, Description string
	Link                 string
	// Met marks a deadline met before it came (a window decided, a clock
	// met, a ticket answered, a claim filed): served cancelled.
	Met bool
}

var feedWords = map[store.Language]map[string]string{
	store.LanguageEnglish: {
		"window": "Acceptance window closes: %s (%s)", "window_deemed": "Silence until then is acceptance.",
		"clock": "Deadline: %s (%s)", "validity": "Validity ends (%s)", "ticket": "Ticket response due: %s #%d",
		"claim_opens": "SLA claim window opens (%s)", "claim_closes": "SLA claim window closes (%s)",
		"lead":           "%s date, joined by a lead time (%s)",
		"event_purchase": "Purchase", "event_payment": "Payment", "event_contract-effective": "Contract effective",
		"event_contract-signing": "Contract signing", "event_application": "Application", "event_order": "Order",
		"name": "sowflow deadlines",
	},
	store.LanguageChinese: {
		"window": "验收期截止：%s（%s）", "window_deemed": "届时未答复即视为验收通过。",
		"clock": "期限：%s（%s）", "validity": "服务期结束（%s）", "ticket": "工单响应期限：%s #%d",
		"claim_opens": "SLA 索赔期开始（%s）", "claim_closes": "SLA 索赔期截止（%s）",
		"lead":           "%s日期，受提前期约束（%s）",
		"event_purchase": "购买", "event_payment": "付款", "event_contract-effective": "合同生效",
		"event_contract-signing": "合同签署", "event_application": "申请", "event_order": "下单",
		"name": "sowflow 期限",
	},
}

// feedDeadlines lists the deadlines of the person's projects, services
// and SLA periods after now: open acceptance windows, running clocks (such
// as the activation deadline), the validity end, the contract dates lead
// times join (the application, the order; described by the lead times'
// contract text), claim windows, and for managers tickets' response
// deadlines. A deadline met before it came (a
// window decided, a clock met, a ticket answered, a claim filed) is listed
// Met until its instant, so the feed can cancel it; one that passed is not
// listed.
func feedDeadlines(subjects store.FeedSubjects, lang store.Language, publicURL string, now time.Time) ([]feedDeadline, error) {
	w := feedWords[lang]
	var out []feedDeadline
	add := func(d feedDeadline) {
		if d.At.After(now) {
			out = append(out, d)
		}
	}
	for _, raw := range subjects.Projects {
		var s workflows.ProjectState
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("decode project state: %w", err)
		}
		link := PortalLink(publicURL, store.OutboxEntry{Source: store.SourceProject, ProjectID: s.ProjectID})
		for _, d := range s.Deliverables {
			for _, rd := range d.Rounds {
				for i, sub := range rd.Submissions {
					pending := rd.Status == workflows.DeliverableSubmitted && i == len(rd.Submissions)-1 && !sub.Window.Closed && sub.Decision == nil
					if !pending && sub.Window.Closed {
						continue
					}
					desc := ""
					if d.Acceptance == "deemed" {
						desc = w["window_deemed"]
					}
					add(feedDeadline{UID: fmt.Sprintf("window-%s-%s-%d-%d", s.ProjectID, d.Key, rd.Round, sub.N), At: sub.Window.Closes.At,
						Summary: fmt.Sprintf(w["window"], d.Name, s.ProjectID), Description: desc, Link: link, Met: !pending})
				}
			}
		}
		for _, c := range s.Clocks {
			if c.Status != workflows.ClockRunning && c.Status != workflows.ClockMet {
				continue
			}
			add(feedDeadline{UID: "clock-" + s.ProjectID + "-" + c.Key, At: c.Deadline.At,
				Summary: fmt.Sprintf(w["clock"], c.Name, s.ProjectID), Link: link, Met: c.Status == workflows.ClockMet})
		}
		if !s.Validity.End.At.IsZero() {
			add(feedDeadline{UID: "validity-" + s.ProjectID, At: s.Validity.End.At, Summary: fmt.Sprintf(w["validity"], s.ProjectID), Link: link})
		}
	}
	for _, l := range subjects.LeadDates {
		event := w["event_"+l.Event]
		if event == "" {
			event = l.Event
		}
		add(feedDeadline{UID: "lead-" + l.ProjectID + "-" + l.Event, At: l.At, Summary: fmt.Sprintf(w["lead"], event, l.ProjectID),
			Description: strings.Join(l.Texts, "\n"), Link: PortalLink(publicURL, store.OutboxEntry{Source: store.SourceProject, ProjectID: l.ProjectID})})
	}
	for _, t := range subjects.Tickets {
		add(feedDeadline{UID: "ticket-" + t.ServiceID + "-" + strconv.Itoa(t.Number), At: t.ResponseDue,
			Summary: fmt.Sprintf(w["ticket"], t.ServiceID, t.Number), Description: t.Title,
			Link: PortalLink(publicURL, store.OutboxEntry{Source: store.SourceTicket, ServiceID: t.ServiceID, Ticket: t.Number}), Met: t.Met})
	}
	for _, c := range subjects.Claims {
		id := c.Account + "/" + c.Period
		add(feedDeadline{UID: "claim-opens-" + c.Account + "-" + c.Period, At: c.ClaimOpens, Summary: fmt.Sprintf(w["claim_opens"], id),
			Link: PortalLink(publicURL, store.OutboxEntry{}), Met: c.Claimed})
		add(feedDeadline{UID: "claim-closes-" + c.Account + "-" + c.Period, At: c.ClaimCloses, Summary: fmt.Sprintf(w["claim_closes"], id),
			Link: PortalLink(publicURL, store.OutboxEntry{}), Met: c.Claimed})
	}
	slices.SortFunc(out, func(a, b feedDeadline) int { return a.At.Compare(b.At) })
	return out, nil
}

// workingDayBefore is the same clock time on the working day before at
// (in China Standard Time; midnight counts as the end of the day before).
// Without calendar data it is one day before.
func workingDayBefore(cal *calendar.Calendar, at time.Time) time.Time {
	t := at.In(calendar.Zone())
	for i := 1; i <= 30; i++ {
		prev := t.AddDate(0, 0, -i)
		day := calendar.DateOf(prev.Add(-time.Nanosecond))
		if cal == nil || !cal.Covers(day) {
			return t.AddDate(0, 0, -1)
		}
		if working, _ := cal.WorkingDay(day); working {
			return prev
		}
	}
	return t.AddDate(0, 0, -1)
}

// Feed writes the person's calendar feed: each upcoming deadline as an
// RFC 5545 event in Asia/Shanghai time with a stable UID, a SEQUENCE the
// store raises when the deadline moves, and a reminder one working day
// before (by cal, the working-day calendar). A deadline met before it came
// is served with STATUS:CANCELLED and its SEQUENCE raised, until its
// instant, so subscribed calendars remove it.
func Feed(ctx context.Context, st *store.Store, cal *calendar.Calendar, p store.Person, publicURL string, now time.Time) (string, error) {
	subjects, err := st.FeedSubjectsOf(ctx, p)
	if err != nil {
		return "", err
	}
	lang := p.Language
	if !lang.Valid() {
		lang = store.LanguageEnglish
	}
	deadlines, err := feedDeadlines(subjects, lang, publicURL, now)
	if err != nil {
		return "", err
	}
	c := ics.NewCalendarFor("sowflow")
	c.SetMethod(ics.MethodPublish)
	c.SetName(feedWords[lang]["name"])
	c.SetXWRCalName(feedWords[lang]["name"])
	c.SetXWRTimezone(FeedZone)
	c.SetRefreshInterval("PT1H")
	tz := c.AddTimezone(FeedZone)
	std := tz.AddStandard()
	std.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0800")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0800")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CST")
	host := "sowflow"
	if u := strings.TrimPrefix(strings.TrimPrefix(publicURL, "https://"), "http://"); u != "" {
		host, _, _ = strings.Cut(u, "/")
	}
	for _, d := range deadlines {
		uid := d.UID + "@" + host
		var seq int
		if d.Met {
			// Cancel it in the calendars that hold it; one never served
			// is held by none.
			var served bool
			if seq, served, err = st.FeedCancelledSequence(ctx, uid); err != nil {
				return "", err
			} else if !served {
				continue
			}
		} else if seq, err = st.FeedSequence(ctx, uid, d.At); err != nil {
			return "", err
		}
		e := c.AddEvent(uid)
		e.SetDtStampTime(now)
		e.SetSequence(seq)
		local := func(t time.Time) string { return t.In(calendar.Zone()).Format("20060102T150405") }
		e.SetProperty(ics.ComponentPropertyDtStart, local(d.At), ics.WithTZID(FeedZone))
		e.SetProperty(ics.ComponentPropertyDtEnd, local(d.At), ics.WithTZID(FeedZone))
		e.SetSummary(d.Summary)
		if d.Description != "" {
			e.SetDescription(d.Description)
		}
		e.SetURL(d.Link)
		e.SetTimeTransparency(ics.TransparencyTransparent)
		if d.Met {
			e.SetStatus(ics.ObjectStatusCancelled)
			continue
		}
		e.SetStatus(ics.ObjectStatusConfirmed)
		a := e.AddAlarm()
		a.SetAction(ics.ActionDisplay)
		a.SetTrigger(workingDayBefore(cal, d.At).UTC().Format("20060102T150405Z"), ics.WithValue(string(ics.ValueDataTypeDateTime)))
		a.SetProperty(ics.ComponentPropertyDescription, d.Summary)
	}
	return c.Serialize(), nil
}

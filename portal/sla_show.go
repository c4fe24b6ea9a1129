package portal

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// slaPage is the data of GET /sla/{account}/{period}.
type slaPage struct {
	Account, Period, CustomerID, Service, Status, Range string
	Availability, Compensation, Commitment, Fee         string
	ClaimOpens, ClaimCloses, ClaimState, Claim          string
	Provisional                                         bool
	Outages                                             []string
	Path                                                string
	// ClaimRole is set for customers; CanClaim when the window is open now
	// and no claim was filed.
	ClaimRole, CanClaim bool
}

// showSLA shows one SLA period: availability, compensation and the claim
// window, with the claim button enabled only inside the window.
func (p *Portal) showSLA(w http.ResponseWriter, r *request) {
	account, period := r.PathValue("account"), r.PathValue("period")
	var st workflows.SLAPeriodState
	if err := p.call(r, http.MethodGet, "/v1/sla-periods/"+account+"/"+period, "", nil, &st); err != nil {
		p.apiFailed(w, r, "read sla period", err)
		return
	}
	now := p.deps.Now()
	page := slaPage{Account: st.Account, Period: st.Period, CustomerID: st.CustomerID, Service: string(st.Service), Status: slaStatusName(r.Lang, string(st.Status)),
		Range:        svcDate(r.Lang, st.PeriodStart) + " – " + svcDate(r.Lang, st.PeriodEnd.Add(-1)),
		Availability: msg(r.Lang, "svc_not_yet"), Compensation: msg(r.Lang, "svc_not_yet"), Commitment: msg(r.Lang, "svc_not_yet"),
		Fee:       money(st.MonthlyFeeCents, st.Currency),
		ClaimRole: r.Session.Person.Role == store.RoleCustomer, Path: pathSLA + "/" + st.Account + "/" + st.Period}
	if res := st.Result; res != nil {
		page.Availability = res.AvailabilityPct + "%"
		page.Compensation = fmt.Sprintf(msg(r.Lang, "sla_compensation_value"), res.CompensationPct, money(res.CompensationCents, st.Currency))
		page.Commitment = msg(r.Lang, "sla_commitment_missed")
		if res.CommitmentMet {
			page.Commitment = msg(r.Lang, "sla_commitment_met")
		}
	}
	for _, o := range st.Outages {
		line := fmt.Sprintf(msg(r.Lang, "sla_outage_line"), formatInstant(r.Lang, o.Start), o.Minutes)
		if o.Excluded != "" {
			line += " · " + msg(r.Lang, "sla_outage_excluded") + " " + o.Excluded
		}
		page.Outages = append(page.Outages, line)
	}
	if !st.ClaimOpens.IsZero() {
		page.ClaimOpens, page.Provisional = formatInstant(r.Lang, st.ClaimOpens.At), st.ClaimOpens.Provisional
	}
	if !st.ClaimCloses.IsZero() {
		page.ClaimCloses = formatInstant(r.Lang, st.ClaimCloses)
	}
	inWindow := !st.ClaimOpens.IsZero() && !now.Before(st.ClaimOpens.At) && now.Before(st.ClaimCloses)
	switch {
	case st.Claim != nil:
		page.ClaimState = msg(r.Lang, "sla_claim_filed")
		page.Claim = formatInstant(r.Lang, st.Claim.At) + " · " + st.Claim.By.Subject
	case st.ClaimOpens.IsZero() || now.Before(st.ClaimOpens.At):
		page.ClaimState = msg(r.Lang, "sla_claim_not_open")
	case inWindow:
		page.ClaimState = msg(r.Lang, "sla_claim_open")
	default:
		page.ClaimState = msg(r.Lang, "sla_claim_closed")
	}
	page.CanClaim = page.ClaimRole && inWindow && st.Claim == nil
	v := p.newView(r, "sla_title")
	v.Title = msg(r.Lang, "sla_title") + " " + st.Account + " " + st.Period
	v.Notice = svcNotice(r)
	v.Page = page
	p.render(w, r, http.StatusOK, "sla", v)
}

// money writes cents in the currency ("CNY 1,234.50").
func money(cents int64, currency string) string {
	if currency == "" {
		currency = "CNY"
	}
	whole := strconv.FormatInt(cents/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s %s.%02d", currency, whole, cents%100)
}

// claimSLA files the customer's claim for the SLA period through the API.
func (p *Portal) claimSLA(w http.ResponseWriter, r *request) {
	account, period := r.PathValue("account"), r.PathValue("period")
	body := map[string]string{}
	if note := r.PostFormValue("note"); note != "" {
		body["note"] = note
	}
	if err := p.call(r, http.MethodPost, "/v1/sla-periods/"+account+"/"+period+"/claim", r.PostFormValue(keyField), body, nil); err != nil {
		p.apiFailed(w, r, "file sla claim", err)
		return
	}
	http.Redirect(w, r.Request, pathSLA+"/"+account+"/"+period+"?"+doneField+"=claimed", http.StatusSeeOther)
}

package catalog

import "github.com/sowflow/sowflow/plan"

// Seed 001: the Alibaba Cloud Partner Growth Plan support plans, Selected,
// Premium, Elite and Flagship.

// seed001File is the Partner Growth Plan seed (in the shared seeds directory).
const seed001File = "001_91114f76ffa6dc4d.txt"

// Quota and deliverable keys of the partner plans.
const (
	QuotaHealthChecks          = "health-checks"
	QuotaCriticalTimeGuarantee = "critical-time-guarantees"
	QuotaMigrationConsulting   = "migration-consulting"
	QuotaLandingZoneDesign     = "landing-zone-general-design"

	DeliverableTicketClosure = "ticket-closure"
)

// Severity keys of the partner plans' response targets, most severe first.
const (
	SeverityCritical = "critical"
	SeverityUrgent   = "urgent"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
)

func seed001(sections ...string) SeedRef {
	return SeedRef{ID: "001", File: seed001File, Sections: sections}
}

// partnerTier is what sets the four partner plans apart.
type partnerTier struct {
	code, name string
	// management quotes the plan's Service Management row.
	management string
	// healthCheck quotes the health-check row; healthPeriod is its period.
	healthCheck  string
	healthPeriod plan.QuotaPeriod
	// guarantees and consulting are the yearly Critical Time Guarantees
	// and migration consultations (0: not in the plan); text quotes them.
	guarantees, consulting         int
	guaranteeText, consultingText  string
	discount                       int // percent off additional-cost services; 0: none offered
	migrationText, lzText, secText string
	deliverables                   []Deliverable
}

func supportPackages() []Package {
	const (
		dedicatedTAM = "Designated technical account manager to speed up emergency problems and proactively assist with optimization and coordinate access to programs Dedicated TAM"
		monthlyCheck = "1 Time/Month Provide cloud product usage report"
	)
	ticketClosure := explicit(DeliverableTicketClosure, "Ticket Closure").
		delivered("Ticket").
		recurring(Recurrence{Kind: plan.RecurPerEvent, Event: "ticket"}).
		noted("One round per ticket: the customer confirms the ticket's closure.")
	perHealthCheck := Recurrence{Kind: plan.RecurPerQuotaUse, Quota: QuotaHealthChecks}
	tiers := []partnerTier{
		{
			code: "partner-selected", name: "Partner Growth Plan Selected",
			management:  "Remote service manager to speed up emergency problems Remote TAM Pool",
			healthCheck: "1 Time/Year", healthPeriod: plan.QuotaPerYear,
		},
		{
			code: "partner-premium", name: "Partner Growth Plan Premium",
			management:  dedicatedTAM,
			healthCheck: "1 Time/Quarter", healthPeriod: plan.QuotaPerQuarter,
			guarantees: 1, guaranteeText: "1 Time/Year",
			consulting: 1, consultingText: "1 Time/Year",
			discount:      10,
			migrationText: "Additional cost, enjoy 10% discount on migration implementation service",
			lzText:        "1 Time/Year Enjoy 10% discount on detailed Landing Zone design and implementation",
			secText:       "Additional cost, enjoy 10% discount on security management service",
		},
		{
			code: "partner-elite", name: "Partner Growth Plan Elite",
			management:  dedicatedTAM,
			healthCheck: monthlyCheck, healthPeriod: plan.QuotaPerMonth,
			guarantees: 2, guaranteeText: "2 Time/Year",
			consulting: 2, consultingText: "2 Time/Year",
			discount:      20,
			migrationText: "Additional cost, enjoy 20% discount on migration implementation service",
			lzText:        "1 Time/Year Enjoy 20% discount on detailed Landing Zone design and implementation",
			secText:       "Additional cost, enjoy 20% discount on security management service",
			deliverables: []Deliverable{
				ticketClosure,
				explicit("product-usage-service-summary-report", "Product usage /Service Summary Report").
					delivered("Document").recurring(perHealthCheck).
					noted("One round per health check: the Elite plan's monthly health check comes with a cloud product usage report (\"1 Time/Month Provide cloud product usage report\"); the seed names no other schedule for the summary."),
			},
		},
		{
			code: "partner-flagship", name: "Partner Growth Plan Flagship",
			management:  dedicatedTAM,
			healthCheck: monthlyCheck, healthPeriod: plan.QuotaPerMonth,
			guarantees: 3, guaranteeText: "3 Time/Year",
			consulting: 3, consultingText: "3 Time/Year",
			discount:      30,
			migrationText: "Additional cost, enjoy 30% discount on migration implementation service",
			lzText:        "1 Time/Year Enjoy 30% discount on detailed Landing Zone design and implementation",
			secText:       "Additional cost, enjoy 30% discount on security management service",
			deliverables: []Deliverable{
				ticketClosure,
				explicit("im-enterprise-group", "IM Enterprise Group").delivered("Enterprise Group"),
				explicit("critical-time-guarantee-service-summary-report", "Critical Time Guarantee/Product usage /Service Summary Report").
					delivered("Document").recurring(perHealthCheck).
					noted("One round per health check, as for Elite; the report also covers the Critical Time Guarantees used since the last one."),
			},
		},
	}
	out := make([]Package, 0, len(tiers))
	for _, t := range tiers {
		out = append(out, partnerPlan(t))
	}
	return out
}

// partnerPlan builds one partner plan from what the four have in common.
func partnerPlan(t partnerTier) Package {
	const cycleNote = "Quota periods are counted from the start of the service cycle (DESIGN.md rule 4): months 1–12, quarters of three months, the year of the cycle."
	quotas := []Quota{{
		Key: QuotaHealthChecks, Name: "Cloud Resource Health check based on Advisor",
		Limit: 1, Period: t.healthPeriod, Unit: "health check", Text: t.healthCheck,
	}}
	items := []ServiceItem{
		{Key: "technical-support", Name: "Technical Support", Text: "7×24 unlimited technical ticket",
			Note: "Unlimited tickets, answered on the 7x24 response targets."},
		{Key: "im-group", Name: "IM Group", Text: "7*24"},
		{Key: "service-management", Name: "Service Management", Text: t.management},
	}
	if t.guarantees > 0 {
		quotas = append(quotas, Quota{Key: QuotaCriticalTimeGuarantee, Name: "Critical Time Guarantee",
			Limit: t.guarantees, Period: plan.QuotaPerYear, Unit: "guarantee", Text: t.guaranteeText})
		items = append(items, ServiceItem{Key: "critical-time-guarantee", Name: "Critical Time Guarantee",
			Text: t.guaranteeText, Quota: QuotaCriticalTimeGuarantee})
	}
	items = append(items, ServiceItem{Key: "health-check", Name: "Cloud Resource Health check based on Advisor",
		Text: t.healthCheck, Quota: QuotaHealthChecks, Note: cycleNote})
	if t.consulting > 0 {
		quotas = append(quotas, Quota{Key: QuotaMigrationConsulting, Name: "Cloud Migration Consulting Service",
			Limit: t.consulting, Period: plan.QuotaPerYear, Unit: "consultation", Text: t.consultingText})
		items = append(items, ServiceItem{Key: "migration-consulting", Name: "Cloud Migration Consulting Service",
			Text: t.consultingText, Quota: QuotaMigrationConsulting})
	}
	if t.discount > 0 {
		quotas = append(quotas, Quota{Key: QuotaLandingZoneDesign, Name: "Landing Zone General Design",
			Limit: 1, Period: plan.QuotaPerYear, Unit: "design", Text: "1 Time/Year"})
		items = append(items,
			ServiceItem{Key: "migration-implementation", Name: "Application Migration Implementation Service",
				Text: t.migrationText, DiscountPercent: t.discount},
			ServiceItem{Key: "landing-zone-general-design", Name: "Landing Zone General Design",
				Text: t.lzText, Quota: QuotaLandingZoneDesign, DiscountPercent: t.discount,
				Note: "The general design is included once a year; the discount applies to the detailed design and implementation bought on top."},
			ServiceItem{Key: "security-management", Name: "Security Management Service",
				Text: t.secText, DiscountPercent: t.discount},
		)
	}

	phase := Phase{Key: "service-cycle", Name: "Service cycle",
		Tasks: []Task{
			task("technical-support", "Product consulting, troubleshooting and usage support",
				"Alibaba Cloud International site product-related consulting, troubleshooting, usage support and other services for International site partner customers."),
			task("support-scheme", "Support scheme",
				"Provide support scheme based on customer's business objectives and scenario which meets customer's actual needs."),
			task("service-contents", "Service contents of the selected package",
				"After the service is launched, Alibaba Cloud shall provide various service contents according to the service package customer selected (please refer to service items)."),
		},
		Deliverables: t.deliverables,
	}
	var clocks []Clock
	if len(t.deliverables) > 0 {
		clocks = append(clocks, acceptanceWindow("", noteDesignWindow))
	}

	return Package{
		Code:        t.code,
		Name:        t.name,
		Kind:        KindSupportPlan,
		Seed:        seed001("1. Service Overview", "2. Service Scope", "3. Prerequisites", "3.2. Service items", "4. Service SLA", "6. Acceptance criteria", "7. Mark of Completion"),
		Goal:        "Alibaba Cloud partner growth plan aims of providing service escalation path, eco-service integrated framework and systematic support for partner customers, solving problems that partner customers and their sub-customers encounter when using Alibaba Cloud resources, increasing partner customers’ resale abilities.",
		Description: "Alibaba Cloud provides full-link service support to partner customers and their sub-customers when using Alibaba Cloud service resource",
		Pricing:     unpriced("Seed 001 states no price."),
		Validity: Validity{
			Type:     plan.ValidityServiceCycle,
			StartsOn: plan.EventPurchase,
			Duration: months(12),
			Text: []string{
				"The partner growth plan that customer purchases enter into service cycle, and Alibaba Cloud completes service support within the corresponding service cycle.",
				"The time-based partner growth plan enters into normal service cycle, and Alibaba Cloud provides service within the corresponding service cycle.",
			},
			Note: "Seed 001 does not state how long a service cycle is. Its quotas are counted per year, quarter and month, and support plans run for a year (issue 7), so one cycle is taken as 12 months from purchase (DESIGN.md rule 4: it ends at 24:00 of the same day 12 months later); a start giving the order's cycle end (dates.contract_end) ends the cycle then instead.",
		},
		Prerequisites: []Prerequisite{
			{Key: "application-lead-time", LeadTime: ptr(workingDays(10)), Before: plan.EventOrder,
				Text: "Customer shall apply for the service at least 10 working days in advance, so as to evaluate customer's business objective, the feasibility of service and confirm whether Alibaba Cloud will undertake the service or not."},
			{Key: "order", Text: "After confirming that Alibaba Cloud will undertake the service, customer shall place and pay for the order on the official website."},
			{Key: "business-context", Text: "Provide business context, channel size, growth trends and service requirements for a point person to evaluate customer's business objective and the feasibility of service."},
			{Key: "assistance", Text: "After Alibaba Cloud undertakes the service, customers shall assist to carry out services by providing venues, equipment, necessary non-production environment, remote access channels, permissions, clear business objectives, etc."},
			{Key: "service-plan-review", Text: "Customer shall review the service content formulated by Alibaba Cloud and confirm the specific service plan provided."},
		},
		ResponseTargets: partnerTargets(),
		Clocks:          clocks,
		Quotas:          quotas,
		Phases:          []Phase{phase},
		AcceptanceCriteria: []string{
			"The partner growth plan that customer purchases enter into service cycle, and Alibaba Cloud completes service support within the corresponding service cycle.",
		},
		Notes: []string{
			"Service DO NOTinclude the following: Code development and diagnosis Business operation and maintenance trusteeship The installation, testing, failure diagnosis, optimization and other daily operation and maintenance services for third-party software.",
			"In the process of service, if problem concerned with third-party software occurs, the customer must be responsible for negotiating with the third party to assist Alibaba Cloud in solving problems.",
			"Note: For third-party software problems that are not within the scope of Alibaba Cloud partner growth plan, customers can log on to Alibaba Cloud Community for free consultation or contact merchants in the cloud market for help.",
		},
		ServiceItems: items,
	}
}

// partnerTargets are seed 001's "Service SLA" table, the same for every
// plan: the seed's tickets are 7x24, so the targets count wall-clock minutes.
func partnerTargets() []ResponseTarget {
	const note = "7x24 wall-clock minutes (\"7×24 unlimited technical ticket\"). The seed writes \"<\": the response must come before the target has run out; a response when it runs out is a breach."
	target := func(severity, description string, minutes int, text string) ResponseTarget {
		return ResponseTarget{Severity: severity, Description: description, Action: "response",
			Target: Duration{Value: minutes, Unit: UnitMinutes}, Text: text, Note: note}
	}
	return []ResponseTarget{
		target(SeverityCritical, "Business-critical system/component down, needs immediate support", 15, "< 15mins"),
		target(SeverityUrgent, "Production system/component down or greatly impaired, need quick support", 40, "< 40mins"),
		target(SeverityHigh, "Key system impaired", 4*60, "< 4hrs"),
		target(SeverityMedium, "System impaired", 8*60, "< 8hrs"),
		target(SeverityLow, "General question or requests", 18*60, "< 18hrs"),
	}
}

package catalog

import "github.com/sowflow/sowflow/plan"

// Seed 004: the Service Level Agreement of the Enterprise Email Service
// ("Alibaba Mail") and the Sendify Service.

// seed004File is the mail SLA seed (in the shared seeds directory).
const seed004File = "004_5f0ff0c9a065547a.txt"

// Services covered by seed 004 (SLA.Service).
const (
	SLAServiceEmail   = "email"
	SLAServiceSendify = "sendify"
)

func seed004(sections ...string) SeedRef {
	return SeedRef{ID: "004", File: seed004File, Sections: sections}
}

// noteClaimWindow is how sowflow reads both claim clauses.
const noteClaimWindow = "\"After the fifth (5th) working day\" of the month after the period: claims open at 24:00 of that working day, written as 00:00 of the next date. " +
	"\"Within two (2) months following the end of the relevant month\" reads two ways: two months counted from the period's last day (a February period to 28 April) or the two calendar months after the period (to 30 April). " +
	"This standard clause is read against the party that supplied it (Civil Code art. 498, DESIGN.md rule 9), so claims close at 24:00 of the last day of the second month after the period: a February period at 24:00 on 30 April, a November period at 24:00 on 31 January; " +
	"when that last day is not a working day the window runs to 24:00 of the next working day (Civil Code art. 203, applied as rule 3 applies it): November 2025's claims close at 24:00 on Monday 2 February 2026, 31 January being a Saturday. " +
	"The window is [opens, closes): a claim at the opening instant is accepted, one at the closing instant is late. The sla package computes both instants."

// slaNotes are the terms of seed 004 that apply to both services.
func slaNotes() []string {
	return []string{
		"Please note that this Service Level Agreement does not apply to service packages billed on a pay-as-you-go basis or to free services within the aforementioned offerings.",
		"The Service Provider reserves the right to amend the terms of this SLA. In the event of any amendments to the SLA terms, we will notify you 30 days in advance via website announcement or email.",
		"This Service Level Agreement may be translated into multiple language versions. In the event of any discrepancies between versions, the English version shall prevail.",
		"Effective Date: July 30, 20251",
	}
}

// monthlyValidity is one calendar-month service period, repeated for as long
// as the service is used.
func monthlyValidity(text string) Validity {
	return Validity{
		Type:     plan.ValidityMonthly,
		StartsOn: plan.EventPurchase,
		Duration: months(1),
		Text:     []string{text},
		Note: "Each calendar month (CST) of use is one service period; a month used only in part is a period of its days of use, whose minutes or 5-minute intervals count those days. " +
			"The seed's effective date reads \"July 30, 20251\": read as 30 July 2025 (the trailing 1 taken for a footnote mark).",
	}
}

func slaPackages() []Package {
	return []Package{emailSLA(), sendifySLA()}
}

func emailSLA() Package {
	const period = "Service Period: One service period is defined as one calendar month. If the customer uses the Service for less than one month, the cumulative usage time within that month shall be regarded as one Service Period."
	return Package{
		Code:        "email-sla",
		Name:        "Enterprise Email Service (Alibaba Mail) Service Level Agreement",
		Kind:        KindSLA,
		Seed:        seed004("Preamble", "1. Enterprise Email Service Level Agreement"),
		Description: "This Service Level Agreement (“SLA”) defines the service availability metrics and compensation plan for the Enterprise Email Service (also referred to as “Alibaba Mail”) and the Sendify Service (“Sendify”) purchased by users through the DingStore website.",
		Pricing:     unpriced("Seed 004 states no price: compensation is a share of the customer's monthly service fee."),
		Validity:    monthlyValidity(period),
		Notes:       slaNotes(),
		SLA: &SLA{
			Service:         SLAServiceEmail,
			Measure:         MeasureUnavailableMinutes,
			IntervalMinutes: 1,
			CommitmentPct:   "99.90",
			Definitions: []string{
				"Service Unavailability: If the customer fails to send or receive emails via any of SMTP, POP, IMAP, or Webmail for a duration of one minute, the service shall be deemed unavailable.",
				period,
				"Total Minutes in a Service Period: Calculated as the total number of days in the Service Period multiplied by 24 (hours) * 60 (minutes).",
				"Service Unavailability Minutes: means the sum of unavailable minutes for a specific email account within one Service Period.",
				"Monthly Service Fee: The service fee paid by the customer for a single email account within one calendar month. If the customer purchases more than one email account, each email account shall be calculated separately. If the customer pays the service fee for multiple months in a lump sum, the Monthly Service Fee shall be apportioned according to the number of months purchased.",
				"Service Availability shall be calculated individually for each email account, as outlined below:",
			},
			Formula:    "Service Availability = ((Total Service Period Minutes - Service Unavailable Minutes) / Total Service Period Minutes) * 100%.",
			Commitment: "The Enterprise Email Service Availability shall not be less than 99.90%.",
			Tiers: []CreditTier{
				{AtLeastPct: "99.00", BelowPct: "99.90", Percent: 10, Text: "Below 99.90% but equal to or above 99.00%"},
				{AtLeastPct: "95.00", BelowPct: "99.00", Percent: 20, Text: "Below 99.00% but equal to or above 95.00%"},
				{BelowPct: "95.00", Percent: 50, Text: "Below 95.00%"},
			},
			CapPercent:   50,
			Compensation: "Compensation shall be provided exclusively in the form of vouchers applicable to the purchase of Enterprise Email products, and the total compensation shall not exceed 50% of the Monthly Service Fee paid by the customer for the email account in the month during which the service availability commitment was not met (excluding fees offset by vouchers).",
			Claims: ClaimRule{
				OpensAfterWorkingDay: 5,
				ClosesAfter:          months(2),
				Text: []string{
					"Customers may submit a compensation claim for Enterprise Email service availability not met in the previous month after the fifth (5th) working day of each month.",
					"Compensation claims must be submitted within two (2) months following the end of the relevant month in which the Enterprise Email service availability was not met; claims submitted after this deadline will not be accepted.",
				},
				Note: noteClaimWindow,
			},
			Exclusions: []string{
				"Sending emails with malicious effects such as phishing, fraud, viruses, suspected service abuse, or sending large volumes of spam, resulting in RBL blacklisting and damage to the Service Provider’s channel reputation;",
				"System Maintenance conducted after prior notification to the customer, including cutover, repair, upgrade, and simulated fault drill;",
				"Network, equipment failure, or configuration adjustment caused outside the Service Provider’s equipment;",
				"Customer’s application being affected by a hacker attack;",
				"Loss or leakage of data, passwords, or other credentials caused by improper customer maintenance or confidentiality;",
				"Negligence by the customer or operations authorized by the customer;",
				"Failure of the customer to follow the Service Provider’s product usage documentation or usage recommendations;",
				"Force majeure event.",
			},
			Note: "Availability is computed per email account and period from the unavailable minutes that remain after the exclusions. A minute counts as unavailable when sending or receiving fails for the whole minute (\"for a duration of one minute\").",
		},
	}
}

func sendifySLA() Package {
	const period = "Service Period: Sendify service availability is calculated based on the service period, with one service period defined as one Calendar Month. If the customer uses the Sendify service for less than one month, the cumulative usage time within that month shall be considered as one Service Period."
	return Package{
		Code:        "sendify-sla",
		Name:        "Sendify Service Level Agreement",
		Kind:        KindSLA,
		Seed:        seed004("Preamble", "II. Sendify Service Level Agreement"),
		Description: "This Service Level Agreement (“SLA”) defines the service availability metrics and compensation plan for the Enterprise Email Service (also referred to as “Alibaba Mail”) and the Sendify Service (“Sendify”) purchased by users through the DingStore website.",
		Pricing:     unpriced("Seed 004 states no price: compensation is a share of the customer's monthly service fee."),
		Validity:    monthlyValidity(period),
		Notes:       slaNotes(),
		SLA: &SLA{
			Service:         SLAServiceSendify,
			Measure:         MeasureErrorRateIntervals,
			IntervalMinutes: 5,
			CommitmentPct:   "99.90",
			Definitions: []string{
				period,
				"Failed Requests: Requests that fail to send due to reasons attributable to the Service Provider’s system.",
				"Valid Request: A request in which the user connects to the Service Provider's server and successfully authenticates.",
				"Error Rate per 5 Minutes: Calculated in 5-minute intervals as follows:",
				"Error Rate per 5 Minutes = (Number of Failed Requests per 5 Minutes / Total Valid Requests per 5 Minutes)*100%",
				"Monthly Service Fee: The fee incurred for the use of Sendify services under a customer's DingStore account within a Calendar Month.",
				"Sendify service availability is calculated over the Service Period based on the customer's DingStore account. It is determined by averaging the error rates per 5 minutes within the Service Period, calculated as the sum of the 5-minute error rates divided by the total number of 5-minute intervals in the Service Period, thereby deriving the Service Availability as follows:",
				"(Note: The total number of 5-minute intervals within the Service Period = 12 * 24 * the number of days in the Service Period)",
			},
			Formula:    "Service Availability = (1 - (∑ Error Rate per 5 Minutes during the Service Period / Total Number of 5-Minute Intervals during the Service Period))*100%",
			Commitment: "The Service Availability of Sendify shall not be less than 99.90%.",
			Tiers: []CreditTier{
				{AtLeastPct: "99.00", BelowPct: "99.90", Percent: 10, Text: "Below 99.90% but equal to or greater than 99.00%"},
				{AtLeastPct: "95.00", BelowPct: "99.00", Percent: 20, Text: "Below 99.00% but equal to or greater than 95.00%"},
				{BelowPct: "95.00", Percent: 50, Text: "Below 95.00%"},
			},
			CapPercent:   50,
			Compensation: "Compensation shall be limited to vouchers for purchasing Sendify products, and the total compensation shall not exceed 50% of the Monthly Service Fee paid by the customer for Sendify services in the month when the Service Availability commitment was not met (excluding fees offset by vouchers).",
			Claims: ClaimRule{
				OpensAfterWorkingDay: 5,
				ClosesAfter:          months(2),
				Text: []string{
					"Customers may submit a Compensation Claim for services that failed to meet availability in the previous month after the fifth (5th) business day of each month.",
					"Compensation Claims must be submitted within two months following the end of the relevant month during which the service availability was not met. Claims submitted after this deadline will not be accepted.",
				},
				Note: "\"Business day\" is read as a CN working day (DESIGN.md rule 1), as in the Email clause. " + noteClaimWindow,
			},
			Exclusions: []string{
				"User complaints by third parties due to sending emails with malicious effects such as phishing, fraud, viruses, suspected service abuse, or sending large volumes of spam, resulting in RBL blacklisting and damage to the Service Provider’s channel reputation;",
				"System maintenance conducted by the Service Provider after prior notification to the customer, including cutover, repair, upgrade, and simulated fault drills;",
				"Caused by network or equipment failure, or configuration adjustment outside the Service Provider's equipment;",
				"Caused by the customer's application being subjected to a hacker attack;",
				"Caused by the customer's improper maintenance or confidentiality resulting in loss or leakage of data, passwords, or passcodes;",
				"Caused by the customer's negligence or operations authorized by the customer;",
				"Caused by the customer's failure to comply with the Service Provider's product rules, specifications, or usage guidelines;",
				"Caused by force majeure.",
			},
			Note: "An interval's error rate is its failed requests over its valid requests; an interval without valid requests has error rate 0 (nothing valid failed), and intervals not reported have error rate 0. " +
				"Failed requests are counted after the exclusions. Availability is computed per DingStore account and period.",
		},
	}
}

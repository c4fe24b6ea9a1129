package catalog

// Keys of the embedded packages that code and tests name. The packages
// themselves are the files in packages/.

// Design domain keys of Landing Zone: the keys of the design phase's tasks
// and the values of the design_domains option.
const (
	DomainAccountManagement  = "account-management"
	DomainNetworkPlanning    = "network-planning"
	DomainFinancialMgmt      = "financial-management"
	DomainResourceMgmt       = "resource-management"
	DomainComplianceAuditing = "compliance-auditing"
	DomainSecurityProtection = "security-protection"
)

// iOS distribution modes of App Customization.
const (
	IOSDistributionABM = "ABM"
	IOSDistributionUAD = "UAD"
)

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

// Services covered by seed 004 (SLA.Service).
const (
	SLAServiceEmail   = "email"
	SLAServiceSendify = "sendify"
)

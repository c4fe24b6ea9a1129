package catalog

import "github.com/sowflow/sowflow/plan"

// Seed 003: the Alibaba Cloud Landing Zone service, Basic, Standard and
// Advanced editions.

type lzEdition int

const (
	lzBasic lzEdition = iota
	lzStandard
	lzAdvanced
)

func (e lzEdition) code() string {
	return [...]string{"landing-zone-basic", "landing-zone-standard", "landing-zone-advanced"}[e]
}

func (e lzEdition) title() string { return [...]string{"Basic", "Standard", "Advanced"}[e] }

func landingZonePackages() []Package {
	return []Package{landingZone(lzBasic), landingZone(lzStandard), landingZone(lzAdvanced)}
}

// lzRACI is the seed's RACI for the investigation and design tasks.
var lzRACI = &RACI{Customer: "A/S/C/I", Provider: "R/I"}

// lzDomains are the six design domains with the seed's task details. The
// network planning wording differs by edition (Basic connects data centres
// "through VPNs").
func lzDomains(e lzEdition) []Task {
	networkConnection := "Network connection: design a solution to connect your data centers to Alibaba Cloud, design firewalls at the access layer and application layer, and design jump servers."
	if e == lzBasic {
		networkConnection = "Network connection: design a solution to connect your data centers to Alibaba Cloud through VPNs, design firewalls at the access layer and application layer, and design jump servers."
	}
	domains := []Task{
		{Key: DomainAccountManagement, Name: "Account management", RACI: lzRACI, Scope: []string{
			"Design the account management solution based on the enterprise account system to achieve SSO integration, MFA, and centralized permission management.",
			"Account: design solutions for account management and permission management, and norms for using RAM roles.",
			"MFA: add support for MFA.",
			"SSO: integrate with existing SSO to achieve centralized user authentication.",
			"Identity authentication: design a federated authentication solution based on use scenarios.",
		}},
		{Key: DomainNetworkPlanning, Name: "Network planning", RACI: lzRACI, Scope: []string{
			"Design the network planning solution to meet the customer's networking requirements.",
			networkConnection,
			"Cloud network planning: design the cloud network architecture, including VPC management, IP address management, and DMZ management.",
			"Interconnection between clouds: design a solution to connect VPCs of different regions, accounts, or data centers through CEN. Interconnection between services owned by different accounts can be achieved after authorization.",
		}},
		{Key: DomainFinancialMgmt, Name: "Financial management", RACI: lzRACI, Scope: []string{
			"Design cloud financial management based on account distribution labels, providing data support for cost optimization and business decisions.",
			"Cost accounting: Design a cost accounting model and make a cost center-based bill analysis scheme for cloud expenditures.",
			"Cost analysis: Design financial analysis for customers, provide billing capability, help customers access the enterprise internal financial analysis platform, and obtain billing, expense details, and other expense data.",
			"Cost optimization: Recommend best practices, deployment plans, and audit plans for cost optimization based on the adopted cloud services.",
		}},
		{Key: DomainResourceMgmt, Name: "Resource management", RACI: lzRACI, Scope: []string{
			"Design the resource management solution to meet the customer's requirements for cloud resource provisioning.",
			"Design a solution to integrate with the enterprise's billing system for retrieving bills, invoices, and other expense data.",
			"Design expense management solutions based on resource catalogs and cost allocation solutions for enterprises that do not have standard billing models or platforms.",
		}},
		{Key: DomainComplianceAuditing, Name: "Compliance auditing", RACI: lzRACI, Scope: []string{
			"Design the compliance auditing solution based on the customer's compliance and auditing requirements.",
			"Provide norms for enterprise firewall configuration to meet the compliance requirements of perimeter security.",
			"Design multi-layered protection solutions that include server-side encryption, client-side encryption, hotlinking protection, and IP blacklisting and whitelisting.",
			"Design solutions for behavioral auditing, account auditing, and log auditing. Provide custom auditing solutions based on enterprise auditing requirements.",
		}},
		{Key: DomainSecurityProtection, Name: "Security protection", RACI: lzRACI, Scope: []string{
			"Design the security protection solution based on enterprise security norms to meet the customer's requirements. The solution covers only cloud security.",
			"Network security: design solutions for security group and security domain management. Isolate applications through security domains and connect specified applications as required.",
			"Data security: design solutions for key management, database access control, and storage access control. Design data security solutions that meet customer requirements.",
			"The security protection solution covers cloud platform security management only and complies with enterprise security regulations. Enterprise application security and other security requirements are not covered.",
		}},
	}
	if e != lzBasic {
		return domains
	}
	// Basic: account management, and exactly one of network planning and
	// security protection, as chosen at start.
	basic := []Task{domains[0], domains[1], domains[5]}
	for i := 1; i < 3; i++ {
		basic[i].When = &Condition{Option: OptionDesignDomains, Value: basic[i].Key}
		basic[i].Scope = append([]string{"select between network planning and security protection"}, basic[i].Scope...)
	}
	return basic
}

func landingZone(e lzEdition) Package {
	const solutionKey = "it-governance-solution"
	sections := []string{"1 Overview", "2 Service Scope", "3 Prerequisites", "4 Responsibilities", "5 Service Level Agreement", "7 Acceptance criteria", "8 Project Completion"}

	evaluation := []string{"Investigate and analyze the current application technology stack through surveys and interviews. Evaluate the feasibility of cloud-based IT governance and define the Landing Zone service process."}
	if e == lzBasic {
		evaluation = append(evaluation, "Design the technology roadmap based on the evaluation results.")
	} else {
		evaluation = append(evaluation, "Define the work scope of Landing Zone based on the evaluation results.")
	}

	validationScope := []string{"Validate the technical feasibility of the solutions and troubleshoot the issues that occur in the validation process."}
	standardFeatures := []string{
		"Account management, permission management, and identity management",
		"Network allocation, network segmentation, and network connectivity",
		"Cost allocation",
		"IP whitelists, security groups, and behavioral auditing",
		"Security domain isolation and access control based on whitelists",
		"Integration with self-managed systems such as SSO, CMDB, and billing system",
	}
	var validationNote string
	switch e {
	case lzBasic:
		validationScope = append(validationScope,
			"Validate the technical designs of the following solutions: account management, and network planning or security protection. The technical feasibility of the following features is validated:",
			"Account management, permission management, and identity management",
			"Network allocation, network segmentation, and network connectivity")
	case lzStandard:
		validationScope = append(validationScope,
			"Validate the technical designs of the following solutions: account management, network planning, financial management, resource management, compliance auditing, and security protection. The technical feasibility of the following features is validated:")
		validationScope = append(validationScope, standardFeatures...)
		validationScope = append(validationScope, "Provides solutions to integrate with self-managed systems, such as SSO, CMDB, and billing system.")
	case lzAdvanced:
		validationScope = append(validationScope,
			"Validate the technical designs of the following solutions: account management, network planning, resource management, compliance auditing, and security protection. The technical feasibility of the following features is validated:")
		validationScope = append(validationScope, standardFeatures...)
		validationScope = append(validationScope, "Provides solutions to integrate with self-managed systems, such as SSO, CMDB, and billing system.")
		validationNote = "Seed 003 §2.3 omits financial management from the Advanced edition's list of validated designs although it validates cost allocation and §2.3 implements financial management; all six designs are validated."
	}
	validation := Task{Key: "technical-validation", Name: "Landing Zone technical validation", Scope: validationScope,
		RACI: &RACI{Customer: "A/S/C/I/R", Provider: "S/C/I"}, Note: validationNote}

	var completion, acceptanceStart, meetsExpectations string
	switch e {
	case lzBasic:
		completion = "The designs of the following solutions are completed and confirmed by the customer: account management, and network planning or security protection."
		acceptanceStart = "Completion of the design and technical validation of Landing Zone Basic IT Governance Solution"
		meetsExpectations = "Landing Zone Basic IT Governance Solution meets expectations."
	case lzStandard:
		completion = "The designs of the following solutions are completed and confirmed by the customer: account management, network planning, financial management, resource management, compliance auditing, and security protection."
		acceptanceStart = "Completion of the design and technical validation of Landing Zone Standard IT Governance Solution"
		meetsExpectations = "Landing Zone Standard IT Governance Solution meets expectations."
	case lzAdvanced:
		completion = "The designs of the following solutions are completed, implemented, and confirmed by the customer: account management, network planning, financial management, resource management, compliance auditing, and security protection."
		acceptanceStart = "Completion of the design, technical validation, and implementation of Landing Zone Advanced IT Governance Solution"
		// §7.2 prints "Standard" under the Advanced edition; quoted as is.
		meetsExpectations = "Landing Zone Standard IT Governance Solution meets expectations."
	}
	solution := explicit(solutionKey, "Landing Zone "+e.title()+" IT Governance Solution",
		completion,
		meetsExpectations,
		acceptanceStart,
		"In the acceptance phase, the customer should focus on the quality of document content and confirm that the documents meet their requirements.",
		"The customer must appoint a representative to sign for confirmation.",
	).delivered("All deliverables are submitted as electronic copies in Microsoft Office formats, including PowerPoint, Word, Excel, and Visio.")
	solution.Note = "Designed in the solution design phase; accepted once the design and technical validation (Advanced: and implementation) are complete, per the acceptance plan (§7.3), so it is owed by the last phase. It is the final acceptance."
	if e == lzAdvanced {
		solution.Note += " §7.2 names the Standard solution under the Advanced edition's criteria; §4.1.3, §5, §7.1 and §7.3 name the Advanced solution, which this deliverable is."
	}

	phases := []Phase{
		{Key: "investigation", Name: "Current situation investigation",
			Tasks: []Task{
				{Key: "evaluation", Name: "Investigation and evaluation", Scope: evaluation},
				{Key: "infrastructure", Name: "Infrastructure", RACI: lzRACI, Scope: []string{
					"Analyze the customer's deployment architecture, understand the relationship between computing, storage, middleware, and applications, and analyze and aggregate data on nodes."}},
				{Key: "business-status", Name: "Business status and application systems", RACI: lzRACI, Scope: []string{
					"Investigate the current IT governance situation and understand the requirements for cloud-based IT governance through remote collection and on-site communication."}},
				{Key: "it-governance-norms", Name: "IT governance norms", RACI: lzRACI, Scope: []string{
					"Investigate the current IT governance norms, such as security, network, account management, and billing norms, and understand the customer's IT governance requirements."}},
			},
			Deliverables: []Deliverable{
				explicit("investigation-report", "Landing Zone Investigation Report",
					"In the acceptance phase, the customer should focus on the quality of document content and confirm that the documents meet their requirements.",
					"The customer must appoint a representative to sign for confirmation.",
				).delivered("Document"),
			},
		},
		{Key: "design", Name: "Solution design", Tasks: lzDomains(e)},
		{Key: "technical-validation", Name: "Technical validation", Tasks: []Task{validation}},
	}
	if e == lzAdvanced {
		phases = append(phases, Phase{Key: "implementation", Name: "Solution implementation",
			Tasks: []Task{{Key: "solution-implementation", Name: "Landing Zone solution implementation",
				RACI: &RACI{Customer: "A/S/C/I", Provider: "R/S/C/I"},
				Scope: []string{
					"Implement the solutions.",
					"Implement the following solutions based on the technical validation results: account management, network planning, financial management, resource management, compliance auditing, and security protection.",
				}}},
		})
	}
	last := &phases[len(phases)-1]
	last.Deliverables = append(last.Deliverables, solution)

	var options []OptionSpec
	if e == lzBasic {
		options = append(options, OptionSpec{
			Field:      OptionDesignDomains,
			Type:       OptionSet,
			Required:   true,
			Always:     []string{DomainAccountManagement},
			Choices:    []string{DomainNetworkPlanning, DomainSecurityProtection},
			MinChoices: 1,
			MaxChoices: 1,
			Rule:       "exactly one of network-planning, security-protection (account-management is always designed)",
			Text:       "Provides lightweight consulting and solution design for account management, and either network planning or security protection.",
		})
	}
	options = append(options, OptionSpec{
		Field: OptionResourceIntensive,
		Type:  OptionBoolean,
		Rule:  "true when the application is resource-intensive: the lead time becomes one month",
		Text:  "For resource-intensive applications, apply one month in advance so Alibaba Cloud can verify resource availability with suppliers.",
	})

	notes := []string{
		"Alibaba Cloud shall not be liable for schedule delays caused by the customer.",
		"Any work or solution not defined in this statement of work is excluded from the project scope.",
		"The project designs integration solutions for self-managed systems such as SSO, CMDB, and billing. Alibaba Cloud is not responsible for implementing these integrations or troubleshooting self-managed system issues.",
	}
	if e != lzAdvanced {
		notes = append(notes, "During project delivery, Alibaba Cloud designs the IT governance solution and troubleshoots issues during technical validation, while the customer implements the solution.")
	}

	var description string
	switch e {
	case lzBasic:
		description = "Provides lightweight consulting and solution design for account management, and either network planning or security protection."
	case lzStandard:
		description = "Provides standard consulting and solution design for account management, network planning, financial management, resource management, compliance auditing, and security protection."
	case lzAdvanced:
		description = "Provides advanced consulting with solution design and implementation for account management, network planning, financial management, resource management, compliance auditing, and security protection."
	}

	return Package{
		Code:        e.code(),
		Name:        "Landing Zone " + e.title() + " edition",
		Kind:        KindProject,
		Seed:        SeedRef{ID: "003", File: seed003File, Sections: sections},
		Description: description,
		Pricing:     unpriced("Seed 003 states no list price."),
		Validity: Validity{
			Type:                  plan.ValidityInstant,
			StartsOn:              plan.EventPurchase,
			EndsOnFinalAcceptance: true,
			Text:                  []string{"The project is completed after the customer confirms the acceptance."},
			Note:                  "Seed 003 states no service period, so the project has no term and never expires by itself (DESIGN.md rule 10); it completes at the customer's final acceptance. A start may give the contract's end (dates.contract_end): the project expires then.",
		},
		Options: options,
		Prerequisites: []Prerequisite{
			{Key: "application-lead-time", LeadTime: ptr(workingDays(15)), Before: plan.EventOrder,
				Text: "The customer must apply at least 15 working days before placing the order so Alibaba Cloud can evaluate business objectives and schedule feasibility."},
			{Key: "resource-intensive-lead-time", LeadTime: ptr(months(1)), Before: plan.EventOrder,
				When: &Condition{Option: OptionResourceIntensive, Value: "true"},
				Text: "For resource-intensive applications, apply one month in advance so Alibaba Cloud can verify resource availability with suppliers."},
			{Key: "application-approval",
				Text: "To purchase Landing Zone (Basic, Standard, or Advanced edition), the customer must apply for the service in advance and can place orders only after the application is approved by Alibaba Cloud."},
			{Key: "customer-information",
				Text: "The customer must provide Alibaba Cloud with all necessary documents, information, data, diagrams, system permissions, and remote access channels in a timely manner."},
			{Key: "customer-project-manager",
				Text: "The customer must appoint a qualified project manager as the main contact for Alibaba Cloud."},
		},
		ServiceHours: &ServiceHours{
			Schedule: "5x9",
			Open:     "09:00",
			Close:    "18:00",
			TimeZone: "Asia/Shanghai",
			Calendar: "CN",
			Text:     "Alibaba Cloud provides services from 9:00 AM to 6:00 PM (UTC+8), Monday through Friday, excluding national holidays in China.",
		},
		Clocks:          []Clock{acceptanceWindow("", noteDesignWindow)},
		Phases:          phases,
		FinalAcceptance: solutionKey,
		AcceptanceCriteria: []string{
			completion,
			meetsExpectations,
			"The project is completed after the customer confirms the acceptance.",
		},
		Notes: notes,
	}
}

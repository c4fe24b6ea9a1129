package catalog

import "github.com/sowflow/sowflow/plan"

// Seed 000: the DingTalk Enterprise product support service packages and the
// DingTalk Hybrid Base services.

// Key of the deliverable that is final acceptance for seed 000's
// instant-activation packages (PM uses its Project Acceptance Report).
const deliverableServiceAcceptance = "service-acceptance-confirmation"

func seed000(sections ...string) SeedRef {
	return SeedRef{ID: "000", File: seed000File, Sections: sections}
}

// serviceAcceptanceForm is the signature that ends an instant-activation
// package of seed 000.
func serviceAcceptanceForm() Deliverable {
	return explicit(deliverableServiceAcceptance, "Service Acceptance Confirmation Form",
		"Early Termination Conditions: The service will automatically terminate when the customer signs the Service Acceptance Confirmation Form, regardless of whether the 12-month period has been completed.",
	).noted("Final acceptance: signed by the customer against the package's acceptance criteria. Seed 000 names the form in its validity rules rather than in each package's deliverable list.")
}

func instant000() Validity {
	return Validity{
		Type:                  plan.ValidityInstant,
		StartsOn:              plan.EventPurchase,
		Duration:              months(12),
		EndsOnFinalAcceptance: true,
		Text: []string{
			"Service Validity Start: The service validity period begins on the date of successful purchase and lasts for 12 months.",
			"Early Termination Conditions: The service will automatically terminate when the customer signs the Service Acceptance Confirmation Form, regardless of whether the 12-month period has been completed.",
		},
	}
}

func continuous000() Validity {
	return Validity{
		Type:     plan.ValidityContinuous,
		StartsOn: plan.EventPayment,
		Duration: months(12),
		Text: []string{
			"Service Validity Period: The service validity period starts from the date of successful order payment and lasts for 12 months.",
		},
	}
}

// prereqs000 are Party A's responsibilities that apply to every package of
// seed 000, followed by extra ones.
func prereqs000(extra ...Prerequisite) []Prerequisite {
	out := []Prerequisite{
		{Key: "product-editions", Text: "Must purchase and activate the corresponding DingTalk Edition products."},
		{Key: "remote-access", Text: "Provide VPN/bastion host access permissions required for remote collaboration and open firewall ports (e.g., DingTalk server IP whitelist)."},
		{Key: "documents", Text: "Submit required documents per the service package (e.g., business license, DUNS number, App packaging materials)."},
	}
	return append(out, extra...)
}

var (
	prereqServerResources = Prerequisite{Key: "server-resources", Text: "For deployment services (e.g., hybrid cloud proxy deployment), prepare server resources in advance (CPU/memory/storage specifications as per the DingTalk Enterprise Delivery Guide)."}
	prereqEmployeeAuth    = Prerequisite{Key: "employee-authorization", Text: "For migration services (enterprise account/historical data migration), sign authorization agreements with employees and ensure data legality."}
	prereqSensitiveData   = Prerequisite{Key: "sensitive-data-inventory", Text: "Provide a sensitive data inventory (e.g., encrypted contact fields, audit log storage paths) to mitigate security risks."}
)

// notes000 are the terms of seed 000 that bear on every package's delivery.
func notes000(extra ...string) []string {
	out := []string{
		"Delays caused by Party A’s failure to meet prerequisites shall not constitute a breach of contract by Party B.",
		"If client requests violate laws/regulations (e.g., unauthorized data migration), Party B reserves the right to terminate services.",
	}
	return append(out, extra...)
}

func window000() Clock { return acceptanceWindow("", noteDesignWindow) }

// hours5x8 are the 5x8 business hours of seed 000, section 9.
func hours5x8(note string) *ServiceHours {
	return &ServiceHours{
		Schedule: "5x8",
		Open:     "09:00",
		Close:    "17:00",
		TimeZone: "Asia/Shanghai",
		Calendar: "CN",
		Text:     "5*8 customer support (Business Hours: Monday to Friday, 09:00 – 17:00 China Standard Time (CST, UTC+8), excluding public holidays.)",
		Note:     note,
	}
}

func dingtalkPackages() []Package {
	return []Package{
		dingtalkPro(),
		dingtalkEnterpriseBase(),
		dingtalkAppCustomization(),
		dingtalkAccessSecurity(),
		dingtalkHybridCloudCompliance(),
		dingtalkOpennessIntegration(),
		hybridBaseInitialDeployment(),
		hybridBaseAnnualUpgrade(),
		hybridBaseRemoteOM(),
		hybridBaseProjectManagement(),
	}
}

func dingtalkPro() Package {
	return Package{
		Code:          "dingtalk-pro",
		Name:          "DingTalk Pro Service Package",
		Kind:          KindProject,
		Seed:          seed000("Service Pricing", "Service Highlights 1", "Service Description 1", "SOW 1", "Service Validity Period Explanation 1", "Acceptance Criteria 1"),
		Goal:          "Ensure rapid activation of DingTalk's basic functionalities for customers",
		Description:   "Rights activation notification, product entry guidance, customer service group support.",
		Pricing:       fixedUSD(7500, "$7,500/unit"),
		Validity:      instant000(),
		Prerequisites: prereqs000(),
		Clocks: []Clock{
			{
				Key:      ClockActivation,
				Name:     "100% activation notified",
				StartsOn: plan.EventPurchase,
				Duration: naturalDays(90),
				Warning:  ptr(naturalDays(75)),
				Party:    plan.PartyProvider,
				OnExpiry: "breach recorded; the project continues",
				Text:     "Completion Timeline: Deliver and notify the client of 100% activation of subscribed services within 90 calendar days.",
				Note:     "The SOW says \"within 90 natural days\", the acceptance criteria \"90 calendar days\": the same count (DESIGN.md rule 3). Warning at 75 days per issue 4.",
			},
			window000(),
		},
		Phases: []Phase{
			{Key: "notification", Name: "Activation notification", Tasks: []Task{
				task("activation-notification", "Notify activated subscription features",
					"Send notification for activated subscription features within 90 natural days."),
			}},
			{Key: "onboarding", Name: "Onboarding guidance", Tasks: []Task{
				task("onboarding-guidance", "Onboarding guidance",
					"Complete onboarding guidance: inform about product access points, invite to read the user manual and join the product practice camp."),
			}},
			{Key: "activation", Name: "Feature activation",
				Tasks: []Task{task("feature-activation", "Activate subscription features", "Activation of various subscription features.")},
				Deliverables: []Deliverable{
					explicit("service-activation-confirmation-letter", "Service Activation Confirmation Letter",
						"Service Activation Confirmation Letter (Signed and stamped by the client)"),
				},
			},
			{Key: "support", Name: "Customer service group support",
				Tasks: []Task{task("customer-service-group", "Customer service group",
					"Customer service group, providing services including product features and issue troubleshooting, etc. For urgent issues,accelerated processing and feedback channels are provided.")},
				Deliverables: []Deliverable{
					explicit("customer-service-group-log-report", "Customer Service Group Log Report",
						"Customer Service Group Log Report (Including Problem Resolution Rate and Response Time Log)"),
					serviceAcceptanceForm(),
				},
			},
		},
		FinalAcceptance: deliverableServiceAcceptance,
		AcceptanceCriteria: []string{
			"Completion Timeline: Deliver and notify the client of 100% activation of subscribed services within 90 calendar days.",
			"Delivery Completion: Customer’s activation of the service package constitutes full delivery.",
		},
		Notes: notes000(),
	}
}

func dingtalkEnterpriseBase() Package {
	return Package{
		Code:          "dingtalk-enterprise-base",
		Name:          "DingTalk Enterprise Base Service Package",
		Kind:          KindProject,
		Seed:          seed000("Service Pricing", "Service Highlights 2", "Service Description 2", "SOW 2", "Service Validity Period Explanation 1", "Acceptance Criteria 2"),
		Goal:          "Complete organizational certification and core feature configuration",
		Description:   "Organization registration/expansion,address book import, security feature configuration (watermark, employee offboarding management).",
		Pricing:       fixedUSD(22500, "$22,500/unit"),
		Validity:      instant000(),
		Prerequisites: prereqs000(),
		Clocks:        []Clock{window000()},
		Phases: []Phase{
			{Key: "organization-registration", Name: "Organization registration & certification",
				Tasks: []Task{
					task("organization-registration", "Registration, advanced authentication and scaling",
						"Assist customers in completing DingTalk organization registration, advanced authentication, and scaling."),
					task("feature-activation", "Enterprise feature activation request",
						"Collect and review the information related to the activation of DingTalk Enterprise features. Submit the activation request, follow up on the progress, and ensure successful activation."),
					task("large-group-scaling", "Large group scaling",
						"Complete large group scaling for customers (Number of participants must not exceed product capacity limitations)."),
				},
				Deliverables: []Deliverable{
					explicit("organization-expansion-completion-report", "Organization Expansion Completion Report",
						"Organization Expansion Completed and Advanced Certification Passed (Visible as \"Advanced Certification\" in the Client)",
					).noted("The seed lists the report without criteria of its own; the total project criterion it evidences is quoted."),
				},
			},
			{Key: "contacts-import", Name: "Contacts import", Tasks: []Task{
				task("contacts-import", "Contacts import",
					"Provide the import template of contacts at the DingTalk Admin Console and guide customers in organizing their contacts.Finally, complete the import. (Note: System integration and enterprise account imports are not included and require separate assessment.)"),
			}},
			{Key: "app-branding", Name: "App branding", Tasks: []Task{
				task("app-branding", "Splash screen, logo and navigation bar",
					"Provide design guidelines for the app splash screen, company logo, and navigation bar for the customized DingTalk app, and complete the configuration. (Note: Design and preparation of materials including icons and images are not included in this service.)"),
				task("noise-reduction", "Noise reduction management",
					"Guide the configuration of noise reduction management based on customer requirements."),
			}},
			{Key: "security-features", Name: "Security features",
				Tasks: []Task{
					task("security-features", "Global watermark and offboarding data management",
						"Focus on DingTalk Enterprise’s basic security features, global watermark, and offboarding employee data management.Provide explanations, scenario introductions, and requirement analysis for each configuration item or feature. Offer security planning suggestions and implement them in the configuration options. Finally, assist customers in completing the configuration and testing, and troubleshooting during the process."),
				},
				Deliverables: []Deliverable{
					explicit("security-features-configuration-checklist", "Security Features Configuration Checklist",
						"Security Features (Global Watermarking, Departure Data Management) Configured and Effective, Passing Customer Testing and Validation",
					).noted("The seed lists the checklist without criteria of its own; the total project criterion it evidences is quoted."),
					serviceAcceptanceForm(),
				},
			},
		},
		FinalAcceptance: deliverableServiceAcceptance,
		AcceptanceCriteria: []string{
			"Organization Expansion Completed and Advanced Certification Passed (Visible as \"Advanced Certification\" in the Client)",
			"Security Features (Global Watermarking, Departure Data Management) Configured and Effective, Passing Customer Testing and Validation",
		},
		Notes: notes000(),
	}
}

func dingtalkAppCustomization() Package {
	return Package{
		Code:        "dingtalk-app-customization",
		Name:        "DingTalk Enterprise App Customization Service Package",
		Kind:        KindProject,
		Seed:        seed000("Service Pricing", "Service Highlights 3", "Service Description 3", "SOW 3", "Service Validity Period Explanation 2", "Acceptance Criteria 3"),
		Goal:        "Enable multi-platform deployment of enterprise-specific apps",
		Description: "iOS/Android/Windows/Mac packaging,distribution plans, certificate management, technical Q&A.",
		Pricing:     fixedUSD(37500, "$37,500/unit"),
		Validity: Validity{
			Type:     plan.ValidityContinuous,
			StartsOn: plan.EventContractEffective,
			Duration: months(12),
			Text: []string{
				"The service period is 12 calendar months from the contract’s effective date. It includes first-year packaging services,developer certificates, and a one-year subscription to the app distribution platform.",
				"Service Validity Period: The service validity period starts from the date of successful order payment and lasts for 12 months.",
			},
			Note: "Seed 000's general rule counts continuous services from order payment; this package's own clause counts from the contract's effective date. The specific clause is applied, as DESIGN.md does.",
		},
		Options: []OptionSpec{{
			Field:    OptionIOSDistribution,
			Type:     OptionEnum,
			Required: true,
			Choices:  []string{IOSDistributionABM, IOSDistributionUAD},
			Rule:     "one of ABM (Apple Business Manager), UAD (Universal App Distribution)",
			Text:     "iOS distribution adopts Apple’s enterprise-level management solutions. When signing the contract, customers must provide written confirmation of their preferred distribution mode:",
		}},
		Prerequisites: prereqs000(),
		Clocks:        []Clock{window000()},
		Quotas: []Quota{{
			Key:    "ios-packaging-submissions",
			Name:   "Independent iOS ABM/UAD packaging and submission",
			Limit:  4,
			Period: plan.QuotaPerValidity,
			Unit:   "submission",
			Text:   "Within the service period (1 year), up to 4 times of independent iOS ABM/UAD packaging and submission services will be provided.",
		}},
		Phases: []Phase{
			{Key: "accounts", Name: "Account applications", Tasks: []Task{
				task("account-applications", "Guidance for account applications",
					"Guidance for customers to apply for relevant accounts:",
					"Application for keys of open platforms such as Google and Microsoft",
					"iOS D-U-N-S Number and distribution account (ABM or Enterprise Developer Account) registration and Key authorization."),
			}},
			{Key: "materials-review", Name: "Packaging materials review", Tasks: []Task{
				task("material-guidelines", "Packaging material guidelines",
					"Guidelines and specifications for packaging materials (Designing materials should be provided by the customer)."),
				task("material-review", "Icon and material review",
					"Icon and material review for four systems (iOS/Android/Windows/Mac) before packaging."),
			}},
			{Key: "packaging-distribution", Name: "Packaging & distribution (iOS, Android, Windows, Mac)",
				Tasks: []Task{
					task("packaging-distribution", "Packaging, review submission and distribution",
						"Upon approval, provide packaging, review submission, and distribution services, including iOS ABM/UAD distribution, TestFlight initial review, and update submissions.",
						"The service includes application packaging and distribution solutions for iOS, Android, Windows, and Mac operating systems."),
					task("packaging-support", "Packaging troubleshooting and technical support",
						"Packaging troubleshooting and installation testing support.",
						"Packaging-related consultations and technical support such as iOS packaging strategy advisory and installation/update support."),
					task("developer-certificate", "First-year iOS developer certificate",
						"First-year iOS developer certificate (limited to the certificate issued by DingTalk)."),
					task("exception-notifications", "App exception notifications",
						"Dedicated App exception notifications and support for scenarios such as patches, bug fixes, and material key updates."),
				},
				Deliverables: []Deliverable{
					explicit("app-launch-completion-confirmation-letter", "App Launch Completion Confirmation Letter",
						"App Launch Completion Confirmation Letter (Including Screenshots of Platform Backend Status)",
						"iOS/Android/Windows/Mac Four-Platform Applications Successfully Launched (Verifiable on App Store/Enterprise Distribution Platforms)"),
				},
			},
		},
		AcceptanceCriteria: []string{
			"iOS/Android/Windows/Mac Four-Platform Applications Successfully Launched (Verifiable on App Store/Enterprise Distribution Platforms)",
			"First Year Guarantee: No Installation Failures Due to Certificate Expiry",
		},
		Notes: notes000(),
	}
}

func dingtalkAccessSecurity() Package {
	const (
		report = "security-policies-configuration-report"
		record = "test-validation-record-form"
	)
	return Package{
		Code:          "dingtalk-access-security",
		Name:          "DingTalk Enterprise Access & Data Security Service Package",
		Kind:          KindProject,
		Seed:          seed000("Service Pricing", "Service Highlights 4", "Service Description 4", "SOW 4", "Service Validity Period Explanation 1", "Acceptance Criteria 4"),
		Goal:          "Safeguard enterprise data and access security",
		Description:   "Global watermarking, anti-screen recording/screenshot, sensitive word management, trusted device/IP fence configuration support.",
		Pricing:       fixedUSD(20000, "$20,000/unit"),
		Validity:      instant000(),
		Prerequisites: prereqs000(),
		Clocks:        []Clock{window000()},
		Phases: []Phase{
			{Key: "consultation", Name: "Scenario-based consultation", Tasks: []Task{
				task("scenario-consultation", "Scenario-based consultation and requirement analysis",
					"Provide comprehensive guidance for features including but not limited to: global invisible watermarking, anti-recording/screenshot protection, sensitive word management, three-level access system, trusted device authentication, IP fencing (excluding network proxy and gateway packages).",
					"scenario-based consultation, analysis of customer requirements"),
			}},
			{Key: "design", Name: "Solution design", Tasks: []Task{
				task("solution-design", "Solution design and architecture proposals",
					"solution design, and tailored architecture proposals"),
			}},
			{Key: "demo-configuration", Name: "DEMO configuration",
				Tasks: []Task{task("demo-configuration", "DEMO configuration and rule configuration",
					"with DEMO configuration support", "rule configuration")},
				Deliverables: []Deliverable{
					explicit(report, "Security Policies Configuration Report",
						"Security Policies Configuration Report (Including Scope of Policy Effectiveness)",
						"Security Policies (Anti-Screenshot,Sensitive Word Management) Fully Cover Target Groups/Personnel."),
				},
			},
			{Key: "testing", Name: "Testing",
				Tasks: []Task{task("hands-on-testing", "Hands-on testing and troubleshooting",
					"Provide support for hands-on testing, rule configuration and troubleshooting.")},
				Deliverables: []Deliverable{
					explicit(record, "Test Validation Record Form",
						"Test Validation Record Form (Including Test Screenshots and Result Logs)",
						"DEMO Case Testing Pass Rate 100% (Customer Signs the \"Test Acceptance Form\")."),
					serviceAcceptanceForm(),
				},
			},
		},
		Thresholds: []Threshold{
			threshold(record, "demo_pass_rate", plan.Equal, 100, plan.Percent, "DEMO Case Testing Pass Rate 100% (Customer Signs the \"Test Acceptance Form\")."),
		},
		FinalAcceptance: deliverableServiceAcceptance,
		AcceptanceCriteria: []string{
			"Security Policies (Anti-Screenshot,Sensitive Word Management) Fully Cover Target Groups/Personnel.",
			"DEMO Case Testing Pass Rate 100% (Customer Signs the \"Test Acceptance Form\").",
		},
		Notes: notes000(),
	}
}

func dingtalkHybridCloudCompliance() Package {
	const both = "Within working days (5x8), 120-minute response for routine issues and 60-minute escalation for critical failures."
	return Package{
		Code:        "dingtalk-hybrid-cloud-compliance",
		Name:        "DingTalk Enterprise Hybrid Cloud & Compliance Service Package",
		Kind:        KindProject,
		Seed:        seed000("Service Pricing", "Service Highlights 5", "Service Description 5", "SOW 5", "Service Validity Period Explanation 2", "Acceptance Criteria 5"),
		Goal:        "Achieve hybrid cloud environment deployment and compliant operations",
		Description: "Network interconnection (proxy/gateway deployment), Dedicated storage operations, file/message audit delivery.",
		Pricing: Pricing{
			Model: PricingFixed, Currency: "USD", ListPrice: 15000, Text: "$15,000/unit",
			Note: "SOW 5 says the network interconnect services are \"Charged based on the number of deployments\", and Party B's exclusions name network proxy deployment as a separate purchase (\"Hybrid Cloud Network Acceleration Service Package\"); the catalog quotes the package's list price only.",
		},
		Validity:      continuous000(),
		Prerequisites: prereqs000(prereqServerResources, prereqSensitiveData),
		ServiceHours:  hours5x8("Seed 000 states the 5x8 hours (09:00–17:00 CST, Monday to Friday, excluding public holidays) in the Remote O&M clause; this package's \"Business-hour technical support (5x8)\" is read with the same hours."),
		ResponseTargets: []ResponseTarget{
			{Severity: "routine", Action: "response", Target: Duration{Value: 120, Unit: UnitBusinessMinutes}, Text: both},
			{Severity: "critical", Action: "escalation", Target: Duration{Value: 60, Unit: UnitBusinessMinutes}, Text: both,
				Note: "Business minutes: this package provides no 7x24 emergency response."},
		},
		Clocks: []Clock{window000()},
		Phases: []Phase{
			{Key: "network-interconnect", Name: "Network proxy / database gateway deployment",
				Tasks: []Task{
					task("network-proxy", "Exclusive network proxy deployment",
						"Exclusive Network Proxy Deployment.Customers provide servers & DMZ network environment meeting specifications.Customers provide servers that meet the delivery specifications and the relevant DMZ network environment. DingTalk manages remote deployment (internal-to-external access) to solve the two problems:",
						"The customer's office network can’t access the Internet;",
						"The customer's firewall can’t be configured for the DingTalk whitelist due to device and technical reasons."),
					task("database-gateway", "Database gateway deployment",
						"Database Gateway Deployment. Customers provide servers & DMZ network environment meeting specifications. DingTalk deploys data gateway remotely to solve the problem of database port exposure when the dedicated storage DB is deployed on the enterprise intranet, and the service needs to be opened to DingTalk."),
				},
				Deliverables: []Deliverable{
					explicit("deployment-acceptance-report", "Network Proxy/Database Gateway Deployment Acceptance Report",
						"Network Proxy/Database Gateway Deployment Acceptance Report (Including Network Topology Diagram and Test Results)",
						"Network Proxy & Database Gateway deployment completed and verified via DingTalk Center connectivity tests(Including ping & telnet validation)."),
				},
			},
			{Key: "dedicated-storage", Name: "Dedicated storage", Tasks: []Task{
				task("dedicated-storage-delivery", "Dedicated file & messaging storage delivery",
					"Dedicated file & messaging delivery aligned with project requirements. The delivery covers network environment assessment, solution validation & optimization, storage capacity planning, dedicated storage configuration, and system integration testing."),
				task("dedicated-storage-om", "Dedicated storage operation and maintenance",
					"Remote maintenance services, covering emergency response, root cause analysis and post-mortem reviews to ensure the stability of dedicated storage systems.",
					"Ticket-based remote technical support."),
			}},
			{Key: "audit-delivery", Name: "Audit delivery",
				Tasks: []Task{task("audit-delivery", "Message and file operations audit",
					"The delivery of message and file operations audit aligned with project requirements. The delivery includes audit feature introduction, configuration guidance, and troubleshooting.")},
				Deliverables: []Deliverable{
					explicit("audit-function-activation-confirmation-letter", "Audit Function Activation Confirmation Letter",
						"Audit Function Activation Confirmation Letter (Customer Signature Required)",
						"File operation audit logs can be successfully retrieved via API (Client self-validation required)."),
				},
			},
		},
		AcceptanceCriteria: []string{
			"Network Proxy & Database Gateway deployment completed and verified via DingTalk Center connectivity tests(Including ping & telnet validation).",
			"File operation audit logs can be successfully retrieved via API (Client self-validation required).",
		},
		Notes: notes000(
			"Do not provide 7x24 monitoring and emergency response.",
			"Customer-owned tasks: final approval and decision, on-premises deployment, and network integration.",
			"File operations audit currently supported by API. API related development and wrapper excluded from the delivery scope.",
		),
	}
}

func dingtalkOpennessIntegration() Package {
	const report = "data-integrity-verification-report"
	return Package{
		Code:          "dingtalk-openness-integration",
		Name:          "DingTalk Enterprise Openness & Integration Service Package",
		Kind:          KindProject,
		Seed:          seed000("Service Pricing", "Service Highlights 6", "Service Description 6", "SOW 6", "Service Validity Period Explanation 1", "Acceptance Criteria 6"),
		Goal:          "Support enterprise account and legacy data migration",
		Description:   "Account migration feasibility assessment, historical message/file migration (full seamless migration, data integrity assurance).",
		Pricing:       fixedUSD(10000, "$10,000/unit"),
		Validity:      instant000(),
		Prerequisites: prereqs000(prereqEmployeeAuth, prereqSensitiveData),
		Clocks:        []Clock{window000()},
		Quotas: []Quota{{
			Key:    "migration-stages",
			Name:   "Account migration stages with log review",
			Limit:  3,
			Period: plan.QuotaPerValidity,
			Unit:   "stage",
			Text:   "Log review assistance for ≤3 migration phases (test, grayscale, and production)",
		}},
		Phases: []Phase{
			{Key: "feasibility", Name: "Feasibility assessment", Tasks: []Task{
				task("account-migration-feasibility", "Account migration feasibility",
					"Provides a one-time enterprise account migration service package including: feasibility assessment & technical and targeted enablement for organizational migration (all organizations under the personal account)."),
				task("data-migration-feasibility", "Message and file migration feasibility",
					"Feasibility assessment & technical plan",
					"Provide a one-time file migration service package including: feasibility assessment and technical and targeted activation of historical file migration capability."),
			}},
			{Key: "account-migration", Name: "Enterprise account migration (≤ 3 stages: test, grayscale, production)",
				Tasks: []Task{
					task("account-migration", "Enterprise account migration",
						"Complete data transfer from personal to enterprise accounts with post-migration personal account deactivation.",
						"Migration monitoring & result verification support",
						"Get employee authorization via formal agreements to ensure compliance."),
					task("migration-log-review", "Migration log review and failure diagnostics",
						"Log review assistance for ≤3 migration phases (test, grayscale, and production)",
						"Failure diagnostics, such as financial constraints and tagging errors, for part of accounts."),
				},
				Deliverables: []Deliverable{
					explicit("migration-completion-confirmation-letter", "Migration Completion Confirmation Letter",
						"Migration Completion Confirmation Letter (Including a Summary of Migration Logs)",
						"Corporate Account Migration Completed:Original Personal Accounts Marked as \"Deactivated\""),
				},
			},
			{Key: "message-file-migration", Name: "Historical message / file migration",
				Tasks: []Task{
					task("message-migration", "Historical message migration",
						"Time-bound message transfer (Duration determined by the DingTalk Enterprise activation time and message valid period,up to 2 years.)",
						"Non-disruptive migration during off-peak hours.",
						"Through service groups, provide log viewing and issue troubleshooting, ensuring the use of historical messages for each account."),
					task("file-migration", "Historical file migration",
						"Time-bound file transfer (Duration determined by Enterprise Plan valid period and the file’s earliest saved time,up to 2 years.)",
						"Through service groups, provide log viewing and issue troubleshooting, ensuring the use of historical files."),
				},
				Deliverables: []Deliverable{
					explicit(report, "Data Integrity Verification Report",
						"Data Integrity Verification Report (MD5 Checksum Comparison Table)",
						"Historical Data Migration Completeness: ≥99.9%"),
					serviceAcceptanceForm(),
				},
			},
		},
		Thresholds: []Threshold{
			threshold(report, "migration_completeness", plan.AtLeast, 99.9, plan.Percent, "Historical Data Migration Completeness: ≥99.9%"),
		},
		FinalAcceptance: deliverableServiceAcceptance,
		AcceptanceCriteria: []string{
			"Corporate Account Migration Completed:Original Personal Accounts Marked as \"Deactivated\"",
			"Historical Data Migration Completeness: ≥99.9%",
		},
		Notes: notes000("The enterprise account can’t be returned as a personal account."),
	}
}

func hybridBaseInitialDeployment() Package {
	const (
		docs     = "system-deployment-documentation"
		uat      = "uat-functional-test-report"
		handover = "om-handover-checklist"
	)
	uatScenarios := threshold(uat, "uat_scenarios", plan.AtLeast, 100, plan.Count, "Covers 5 core modules and over 100 test scenarios.")
	uatScenarios.Note = "\"over 100\" translates the Chinese 100个以上, which includes 100 (PRC Civil Code art. 1259: 以上 includes the number itself); DESIGN.md also reads it as ≥ 100."
	return Package{
		Code:          "hybrid-base-initial-deployment",
		Name:          "DingTalk Hybrid Base Initial Deployment Service (Public Cloud)",
		Kind:          KindProject,
		Seed:          seed000("Service Pricing", "Service Highlights 7", "Service Description 7", "SOW 7", "Service Validity Period Explanation 1", "Acceptance Criteria 7"),
		Goal:          "Support for initial deployment and transition to operations of hybrid base",
		Description:   "Standard deployment plan, business research, environment check, software installation and deployment, system integration testing, system acceptance testing,application deployment.",
		Pricing:       fixedUSD(105000, "$105,000/unit"),
		Validity:      instant000(),
		Prerequisites: prereqs000(prereqServerResources),
		Clocks:        []Clock{window000()},
		Phases: []Phase{
			{Key: "deployment", Name: "Deployment",
				Tasks: []Task{
					task("deployment-planning", "Deployment plan, requirement analysis and environment diagnostics",
						"Provide standardized deployment plan,business requirement analysis, environment diagnostics, software installation & configuration"),
					task("multi-module-deployment", "Multi-module deployment",
						"multi-module deployment, such as Contacts, Instant Messaging, Files, and Search"),
				},
				Deliverables: []Deliverable{
					explicit(docs, "System Deployment Documentation",
						"Includes detailed installation steps and rollback plans.",
						"Deployment validation pass rate: 100%.",
						"System version matches contract specifications."),
				},
			},
			{Key: "testing-uat", Name: "Testing & UAT",
				Tasks: []Task{task("compatibility-acceptance-testing", "Cross-system compatibility and acceptance testing",
					"cross-system compatibility & acceptance testing")},
				Deliverables: []Deliverable{
					explicit(uat, "UAT Functional Test Report",
						"Covers 5 core modules and over 100 test scenarios.",
						"No critical/blocking defects or major defects in core functionalities."),
				},
			},
			{Key: "handover", Name: "Handover",
				Tasks: []Task{task("om-handover", "Documentation handover to the O&M team",
					"documentation handover to O&M team (First deployment per cluster)")},
				Deliverables: []Deliverable{
					explicit(handover, "Operation and Maintenance Handover Checklist",
						"Includes complete monitoring configuration templates.",
						"Network topology accuracy: 100%.",
						"Signed handover confirmation by operations team."),
					serviceAcceptanceForm(),
				},
			},
		},
		Thresholds: []Threshold{
			threshold(docs, "deployment_validation_pass_rate", plan.Equal, 100, plan.Percent, "Deployment validation pass rate: 100%."),
			threshold(uat, "uat_core_modules", plan.AtLeast, 5, plan.Count, "Covers 5 core modules and over 100 test scenarios."),
			uatScenarios,
			threshold(uat, "critical_blocking_defects", plan.Equal, 0, plan.Count, "No critical/blocking defects or major defects in core functionalities."),
			threshold(uat, "major_core_defects", plan.Equal, 0, plan.Count, "No critical/blocking defects or major defects in core functionalities."),
			threshold(handover, "network_topology_accuracy", plan.Equal, 100, plan.Percent, "Network topology accuracy: 100%."),
			{
				Threshold: plan.Threshold{Deliverable: handover, Metric: "monitoring_coverage", Comparison: plan.AtLeast, Value: 95, Unit: plan.Percent,
					Text: "Monitoring coverage of core components is ≥95%."},
				Note: "A total project criterion; measured at handover, which delivers the monitoring configuration.",
			},
		},
		FinalAcceptance: deliverableServiceAcceptance,
		AcceptanceCriteria: []string{
			"All deployed modules (Address Book, IM, File Management, Search, Interconnectivity) have achieved normal operation of basic functionalities.",
			"Monitoring coverage of core components is ≥95%.",
		},
		Notes: notes000(),
	}
}

func hybridBaseAnnualUpgrade() Package {
	const (
		quota       = "upgrades"
		upgradePlan = "upgrade-plan"
		log         = "upgrade-log"
		acceptance  = "upgrade-acceptance"
	)
	perUpgrade := Recurrence{Kind: plan.RecurPerQuotaUse, Quota: quota}
	return Package{
		Code:          "hybrid-base-annual-upgrade",
		Name:          "DingTalk Hybrid Base Annual Upgrade Service (Public Cloud)",
		Kind:          KindProject,
		Seed:          seed000("Service Pricing", "Service Highlights 8", "Service Description 8", "SOW 8", "Service Validity Period Explanation 2", "Acceptance Criteria 8"),
		Goal:          "Standard plan annual upgrade",
		Description:   "Provide standard upgrade plan, environment check, software deployment upgrade, system integration testing, system acceptance testing.",
		Pricing:       fixedUSD(147000, "$147,000/unit"),
		Validity:      continuous000(),
		Prerequisites: prereqs000(),
		Clocks:        []Clock{window000()},
		Quotas: []Quota{{
			Key:         quota,
			Name:        "Upgrades",
			Limit:       4,
			Period:      plan.QuotaPerValidity,
			Unit:        "upgrade",
			Deliverable: upgradePlan,
			Text:        "Up to 4 upgrades per year.",
		}},
		Phases: []Phase{
			{Key: "upgrade", Name: "Upgrade (per upgrade: plan → log → acceptance)",
				Tasks: []Task{
					task("upgrade-planning", "Upgrade plan and environment diagnostics",
						"Provide standard upgrade plan, environment diagnostics, software installation & configuration, cross-system compatibility & acceptance testing,multi-module deployment, such as Contacts, Instant Messaging, Files, and Search."),
				},
				Deliverables: []Deliverable{
					explicit(upgradePlan, "Upgrade Plan",
						"Includes grayscale rollout strategy, rollback procedures, and contingency plans for risks.",
					).delivered("Electronic document").recurring(perUpgrade),
					explicit(log, "Upgrade Log",
						"Contains upgrade time, version number, operator, and records of abnormal events.",
					).delivered("Timestamped spreadsheet").recurring(perUpgrade),
					explicit(acceptance, "Acceptance",
						"Pass 10 core scenario tests (e.g., functionality, performance, security).",
						"After the upgrade, 100% of the core module functionalities (Address Book, IM, File Management, Search, Interconnectivity) are available.",
						"No critical system defects (P0-level failures) are present post-upgrade.",
					).delivered("Electronic Documentation").recurring(perUpgrade),
				},
			},
		},
		Thresholds: []Threshold{
			threshold(acceptance, "core_scenario_tests_passed", plan.AtLeast, 10, plan.Count, "Pass 10 core scenario tests (e.g., functionality, performance, security)."),
			threshold(acceptance, "core_module_availability", plan.Equal, 100, plan.Percent, "After the upgrade, 100% of the core module functionalities (Address Book, IM, File Management, Search, Interconnectivity) are available."),
			threshold(acceptance, "p0_defects", plan.Equal, 0, plan.Count, "No critical system defects (P0-level failures) are present post-upgrade."),
		},
		AcceptanceCriteria: []string{
			"After the upgrade, 100% of the core module functionalities (Address Book, IM, File Management, Search, Interconnectivity) are available.",
			"No critical system defects (P0-level failures) are present post-upgrade.",
		},
		Notes: notes000(),
	}
}

func hybridBaseRemoteOM() Package {
	return Package{
		Code:        "hybrid-base-remote-om",
		Name:        "DingTalk Hybrid Base Remote O&M Support",
		Kind:        KindProject,
		Seed:        seed000("Service Pricing", "Service Highlights 9", "Service Description 9", "SOW 9", "Service Validity Period Explanation 2", "Acceptance Criteria 9"),
		Goal:        "Enable remote operations and remote operations personnel management",
		Description: "Offer 1-year remote operations support service, including emergency fault handling, problem diagnosis, fault review, to ensure stable online operation of hybrid base. Additionally, manage remote operations personnel, providing technical support,performance evaluation, empowerment, and skill enhancement.",
		Pricing: Pricing{
			Model:         PricingPerUserBlock,
			Currency:      "USD",
			ListPrice:     189000,
			IncludedUsers: 10000,
			BlockUsers:    10000,
			BlockPrice:    63000,
			Text:          "≤10,000 users: $189,000/unit For every additional 10,000 users, an additional cost of $63,000/unit will be required.",
			Note:          "\"Every additional 10,000 users\" is charged per further 10,000 users or part of it: 10,001 users cost 189,000 + 63,000.",
		},
		Validity: continuous000(),
		Options: []OptionSpec{{
			Field:    OptionUsers,
			Type:     OptionInteger,
			Required: true,
			Min:      1,
			Rule:     "users ≥ 1 (the price covers 10,000 users per block)",
			Text:     "≤10,000 users: $189,000/unit For every additional 10,000 users, an additional cost of $63,000/unit will be required.",
		}},
		Prerequisites: prereqs000(),
		ServiceHours:  hours5x8(""),
		ResponseTargets: []ResponseTarget{
			{Severity: "routine", Action: "response", Target: Duration{Value: 120, Unit: UnitBusinessMinutes},
				Text: "120-min response for routine issues and 60-min response for critical failures."},
			{Severity: "critical", Action: "response", Target: Duration{Value: 60, Unit: UnitMinutes},
				Text: "7x24 incident response (excluding 7x24 monitoring).",
				Note: "Wall-clock minutes: critical failures get the 7x24 incident response; the 60 minutes come from \"60-min response for critical failures\"."},
		},
		Clocks: []Clock{window000()},
		Phases: []Phase{
			{Key: "operations", Name: "Remote operations (12 months)",
				Tasks: []Task{
					task("monitoring-incident-response", "Monitoring, incident response and post-mortems",
						"Annual remote support, covering monitoring & incident response,post-mortem analysis & improvement tracking, business continuity initiatives."),
					task("ticket-support", "Ticket-based technical support", "Ticket-based technical support."),
					task("health-checks", "System health checks", "System health checks"),
					task("incident-management", "Incident lifecycle management", "Incident lifecycle management"),
					task("change-control", "Change control", "Change control"),
					task("crisis-intervention", "Crisis intervention", "Crisis intervention"),
					task("team-governance", "Remote O&M team governance",
						"Remote O&M team governance & performance tracking, technical requirements support, and technical capability development programs."),
				},
				Deliverables: []Deliverable{
					explicit("monthly-operations-report", "Monthly Operations Report",
						"Includes fault statistics, issue categorization, and improvement measures.",
					).recurring(Recurrence{Kind: plan.RecurMonthly}),
					explicit("change-record", "Change Log/Record Form",
						"Records change time, content, and responsible party.",
					).recurring(Recurrence{Kind: plan.RecurPerEvent, Event: "change"}),
					explicit("post-incident-analysis-report", "Post-Incident Analysis Report",
						"Includes root cause analysis, corrective actions, and preventive measures.",
					).recurring(Recurrence{Kind: plan.RecurPerEvent, Event: "incident"}),
				},
			},
			{Key: "annual-summary", Name: "Annual service summary",
				Deliverables: []Deliverable{
					explicit("annual-service-summary-report", "Annual Service Summary Report",
						"Compares SLA achievement rate (committed vs. actual values)."),
				},
			},
		},
		AcceptanceCriteria: []string{
			"Service Provider shall respond to and resolve issues in accordance with the agreed service standards, deliver corresponding deliverables, and the service will be deemed fully delivered upon completion of the 12-month service period.",
		},
		Notes: notes000(),
	}
}

func hybridBaseProjectManagement() Package {
	const par = "project-acceptance-report"
	return Package{
		Code:        "hybrid-base-project-management",
		Name:        "DingTalk Hybrid Base Project Management Service",
		Kind:        KindProject,
		Seed:        seed000("Service Pricing", "Service Highlights 10", "Service Description 10", "SOW 10", "Service Validity Period Explanation 1", "Acceptance Criteria 10"),
		Goal:        "Complete project management process",
		Description: "Full project management process including initiation, execution, monitoring, and closure.",
		Pricing:     fixedUSD(100800, "$100,800/unit"),
		Validity: func() Validity {
			v := instant000()
			v.Note = "For this package the Project Acceptance Report is the final-acceptance signature (\"the customer has formally signed the Project Acceptance Report (PAR) to acknowledge completion\")."
			return v
		}(),
		Prerequisites: prereqs000(),
		Clocks:        []Clock{window000()},
		Phases: []Phase{
			{Key: "initiation", Name: "Initiation",
				Tasks: []Task{
					task("confirm-management-system", "Confirm management system, objectives, scope and milestones",
						"Discuss with Party A's project manager to confirm the project management system, project objectives, scope and milestones of each stage."),
					task("kickoff-meeting", "Project team and kickoff meeting",
						"Establish a projct temand hold a project kickoffmeting"),
				},
				Deliverables: []Deliverable{
					explicit("kickoff-documentation", "Kickoff Documentation",
						"Include project objectives, scope, and team roles/responsibilities in documentation. Requires signed approval from the client’s project manager."),
				},
			},
			{Key: "planning", Name: "Planning",
				Tasks: []Task{
					task("work-breakdown", "Work breakdown structure and resource mapping",
						"Work breakdow structure &resource maping."),
					task("project-plans", "Project plans", "Produce project plans."),
				},
				Deliverables: []Deliverable{
					explicit("project-plan", "Project Plan",
						"Detail work breakdown structure (WBS), resource allocation, and timelines. Confirm in writing via email or DingTalk service group."),
				},
			},
			{Key: "execution", Name: "Execution",
				Tasks: []Task{
					task("project-meetings", "Project meetings and implementation",
						"Organize project meetings and implement the project according to plans."),
					task("change-risk-control", "Change control and risk management",
						"Implement project change control and risk management measures."),
					task("project-documents", "Project documents",
						"Prepare and manage various project documents."),
				},
				Deliverables: []Deliverable{
					explicit("project-change-log", "Project Change Log",
						"Document all requirement/scope changes with attached customer approval records."),
					explicit("project-risk-list", "Project Risk List",
						"List identified risks and corresponding mitigation measures. Customer confirms no major unresolved risks exist."),
					explicit("acceptance-materials", "Acceptance Materials").
						noted("Listed among the Execution deliverables; the seed's acceptance table states no requirement for it."),
				},
			},
			{Key: "monitoring", Name: "Monitoring",
				Tasks: []Task{
					task("status-monitoring", "Status monitoring and corrective measures",
						"Monitor project status and execution, identify deviations in a timely manner and take corrective measures and submit project status reports regularly at various stages."),
					task("key-meetings", "Key meetings and decisions",
						"Paricipate in key project meetings and decision-making."),
				},
				Deliverables: []Deliverable{
					deemed("stage-reports", "Stage Reports",
						"Per the customer's request, submit a weekly or bi-weekly report detailing progress, issues, and next steps. The report will be considered accepted if no objections are raised.",
					).recurring(Recurrence{Kind: plan.RecurPerEvent, Event: "reporting-period"}).
						noted("One round per reporting period, weekly or bi-weekly as the customer requests."),
					explicit("weekly-progress-reports", "Weekly Progress Reports",
						"Key milestones (e.g., deployment completion, first upgrade) must be reported to the client. Signature confirmation is required post-reporting.",
					).recurring(Recurrence{Kind: plan.RecurPerEvent, Event: "key-milestone"}),
				},
			},
			{Key: "closure", Name: "Closure",
				Tasks: []Task{
					task("project-acceptance", "Project acceptance", "Complete project acceptance."),
					task("archive", "Archive project materials", "Archive project materials."),
				},
				Deliverables: []Deliverable{
					explicit(par, "Project Acceptance Report",
						"Consolidate all deliverables, and obtain the customer's signature and seal as the basis for project closure."),
				},
			},
		},
		FinalAcceptance: par,
		AcceptanceCriteria: []string{
			"Project has been executed per schedule, achieving 100% completion of deployment, upgrades, and operations & maintenance (O&M) objectives, including key milestones such as hybrid cloud integration testing and annual upgrades.",
			"The project management process strictly followed the SOW (Statement of Work)-defined workflow (Initiation → Planning → Execution → Monitoring → Closure), and the customer has formally signed the Project Acceptance Report (PAR) to acknowledge completion.",
		},
		Notes: notes000(),
	}
}

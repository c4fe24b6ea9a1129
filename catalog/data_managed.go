package catalog

import "github.com/sowflow/sowflow/plan"

// Seed 002: Managed Services.

func managedServicesPackage() Package {
	const (
		window     = "After these project reports are submitted, Party A shall confirm the solution within five working days."
		deemedText = "If no objection is raised, both parties sign the “Project Acceptance Report”"
		par        = "project-acceptance-report"
	)
	return Package{
		Code: "managed-services",
		Name: "Managed Services",
		Kind: KindProject,
		Seed: SeedRef{ID: "002", File: seed002File, Sections: []string{
			"1 Scope of Services", "2 Prerequisites", "3 Service Content", "4 Project Milestones", "6 Acceptance Criteria", "7 Mark of Completion"}},
		Description: "Plan, design, organize, and operate Party A’s IT technology management jobs, and work with Party B’s expert team to design and build the technology management architecture and framework, service continuous improvement process, service delivery, and IT governance (ITG), to meet Party A’s needs on management of the IT infrastructure, applications, services, business, and security;",
		Pricing:     unpriced("Seed 002 states no list price."),
		Validity: Validity{
			Type:                  plan.ValidityContinuous,
			StartsOn:              plan.EventContractSigning,
			EndsOnFinalAcceptance: true,
			Text: []string{
				"The project start time shall be subject to the time for signing the “Managed Services Project Contract”.",
				"The Managed Services is complete after project acceptance is finished and both parties sign the “Project Acceptance Report”.",
			},
			Note: "Seed 002 states a start (contract signing) and a completion (both parties sign the Project Acceptance Report) but no duration, so the project has no term and never expires by itself (DESIGN.md rule 10); it completes at final acceptance. A start may give the contract's end (dates.contract_end): the project expires then.",
		},
		Prerequisites: []Prerequisite{
			{Key: "on-premises-facilities", Text: "If the Project is implemented on the premises of Party A, upon start of the Project, Party A shall provide the necessary office facilities, including desks and chairs, restroom facilities, mains power supply and outlets, and network cables. Party A shall ensure the personal safety of Party B’s personnel. The office environment provided by Party A shall be free of harmful gases. Outdoor environments provided shall be protected against inclement weather;"},
			{Key: "english-documents", Text: "All work records and documents of the Project shall be in English, and shall be provided as required by Party A.The electronic files shall be submitted in Microsoft Word, Microsoft PowerPoint, Microsoft Excel, or Microsoft Project format;"},
			{Key: "communication", Text: "During the Project, Party A and Party B shall communicate with each other in a manner agreed upon by both parties. Optional communication methods include Internet, fax, email, or written communication;"},
			{Key: "site-arrival-report", Text: "Both parties have signed the site arrival report for the on-site service, and confirmed the service start time and end time."},
		},
		Clocks: []Clock{acceptanceWindow(window, "")},
		Phases: []Phase{
			{Key: "kickoff", Name: "Project kickoff meeting",
				Tasks: []Task{task("kickoff-meeting", "Project kickoff meeting", "Project kickoff meeting: Alibaba Cloud submits the “Project Kickoff Meeting Report”, the customer is responsible for holding the project kickoff meeting, and both parties reach an agreement regarding the Project’s main content, implementation methods, and expectations.")},
				Deliverables: []Deliverable{
					deemed("kickoff-meeting-report", "IT Managed Services Project Kickoff Meeting Report", window, deemedText),
				},
			},
			{Key: "implementation-solution", Name: "Project solution report",
				Tasks: []Task{task("solution-report", "Project solution report", "Project solution report: Alibaba Cloud submits the “Project Implementation Solution” and both parties reach an agreement regarding the Project’s implementation content, processes, steps, and plans.")},
				Deliverables: []Deliverable{
					deemed("implementation-solution", "IT Managed Services Project Implementation Solution", window, deemedText),
				},
			},
			{Key: "stage-progress", Name: "Stage progress report",
				Tasks: []Task{
					task("technology-management-framework", "Technology management architecture and framework", "Party B’s expert team shall collect Party A’s current situations and objectives in business through surveys and interviews; learn the organizational structure, process specification, and operation effects of Party A’s technology management; evaluate the improvements and direction of the enterprise information system by using gap analysis and other methods; help Party A design, plan, and build the technology management architecture and framework, organizational structure, process specification, and assessment of operation based on Alibaba Cloud’s best practices; and design the framework of processes such as service continuous improvement, ITG, and service delivery to satisfy rapid response to technology management and to support business development.", "Based on the planning and design schemes, Party B shall organize its expert team to build and provide the technology management architecture and framework, process, specification, platform, and resources in line with Party A’s business development needs. Such provision shall cover schemes for technology management including service continuous improvement, service delivery, and ITG to fully support rapid development of Party A’s business."),
					task("service-continuous-improvement", "Service continuous improvement process", "Party B’s expert team shall refine the design service continuous improvement process based on the technology management architecture and framework design and service continuous improvement framework design and combined with Party A’s current business situation, business strategic objectives, IT strategic objectives, personnel, and resources; design, build, and provide a service capability system for management of service acquisition, project delivery, events, problems, changes, architectures, performance and capacity, daily operations, service measurement and improvement, and so on based on the Alibaba Cloud and best practices to meet the daily technology management needs; and ensure continuous technical service improvement to support rapid business evolutions."),
					task("service-delivery", "Service delivery", "Party B’s expert team shall refine the service delivery architecture, process, and specification based on the technology management architecture design and service delivery framework design and combined with Party A’s current business situation, business strategic objectives, IT strategic objectives, personnel, and resources; and design, build, and provide a service capability system for management of contracts, audit, SLA, finance, architecture, processes, projects, and so on based on the Alibaba Cloud and best practices to improve Party A’s comprehensive delivery capability on the basis of service continuous improvement and to continuously accelerate the conversion from IT technologies into service operation capabilities."),
					task("it-governance", "IT governance (ITG)", "Party B’s expert team shall refine the ITG architecture, process, and specification based on the technology management architecture design and ITG framework design and combined with Party A’s current business situation, business strategic objectives, IT strategic objectives, personnel, and resources; and design, build, and provide a service capability system for management of the business objectives and strategies, long-term planning, business partners, performance assessment, upgrade, and so on based on the Alibaba Cloud and best practices to improve Party A’s ITG capability on the basis of service continuous improvement and service delivery and to promote business strategic development continuously."),
					task("stage-progress-report", "Stage progress report", "Stage progress report: Alibaba Cloud submits the “Stage Progress Report” and both parties reach an agreement on the report."),
				},
				Deliverables: []Deliverable{
					deemed("stage-progress-report", "IT Managed Services Project Stage Progress Report", window, deemedText),
				},
			},
			{Key: "summary", Name: "Summary report",
				Tasks: []Task{task("summary-report", "Summary report", "Summary report: Alibaba Cloud submits the “Technology Management Summary Report” and both parties reach an agreement regarding the Project’s content and effect.")},
				Deliverables: []Deliverable{
					deemed("summary-report", "IT Managed Services Project Summary Report", window, deemedText).
						noted("The milestone list calls it the “Technology Management Summary Report”."),
				},
			},
			{Key: "acceptance", Name: "Project acceptance",
				Tasks: []Task{task("project-acceptance", "Project acceptance", "Project acceptance: After Alibaba Cloud submits the “Project Acceptance Report”, the customer shall confirm the content in the report within five working days and sign their acceptance comments.")},
				Deliverables: []Deliverable{
					explicit(par, "Project Acceptance Report",
						"the customer shall confirm the content in the report within five working days and sign their acceptance comments.",
						"Signing of the “Project Acceptance Report” is deemed as completion of project acceptance."),
				},
			},
		},
		FinalAcceptance: par,
		AcceptanceCriteria: []string{
			"After these project reports are submitted, Party A shall confirm the solution within five working days. If no objection is raised, both parties sign the “Project Acceptance Report”;",
			"Signing of the “Project Acceptance Report” is deemed as completion of project acceptance.",
			"The Managed Services is complete after project acceptance is finished and both parties sign the “Project Acceptance Report”.",
		},
		Notes: []string{"Provide consulting, technical instructions, and solutions for the business system to be migrated to the cloud, but do not provide the development service for the application system or designs for transformation of specific applications or databases."},
	}
}

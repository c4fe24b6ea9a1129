package workflows

import "go.temporal.io/sdk/workflow"

// WorkflowRegistry is what workflows are registered with: a worker, or a
// replayer of recorded histories.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// RegisterWorkflows registers every sowflow workflow under its name, so a
// worker runs them and a replayer replays any of their histories.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(ProjectWorkflow, workflow.RegisterOptions{Name: ProjectWorkflowName})
	r.RegisterWorkflowWithOptions(ServiceWorkflow, workflow.RegisterOptions{Name: ServiceWorkflowName})
	r.RegisterWorkflowWithOptions(TicketWorkflow, workflow.RegisterOptions{Name: TicketWorkflowName})
	r.RegisterWorkflowWithOptions(SLAPeriodWorkflow, workflow.RegisterOptions{Name: SLAPeriodWorkflowName})
	r.RegisterWorkflowWithOptions(SLAAccountWorkflow, workflow.RegisterOptions{Name: SLAAccountWorkflowName})
}

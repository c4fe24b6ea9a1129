// Package worker registers sowflow's workflows and activities on a Temporal
// worker.
package worker

import (
	"crypto/rand"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Deps are the side-effect implementations activities use.
type Deps struct {
	// Calendar returns the calendar in force; nil means the embedded China data.
	Calendar func() *calendar.Calendar
	// Store is the read model the projection activity writes.
	Store *store.Store
}

// Tuning sizes a worker (SOWFLOW_WORKER_* in config): the sticky workflow
// cache, the task slots and the pollers. A zero slot or poller count keeps
// the SDK's default; CacheSize 0 turns sticky execution off.
type Tuning struct {
	CacheSize          int
	MaxWorkflowTasks   int
	MaxActivities      int
	MaxLocalActivities int
	WorkflowPollers    int
	ActivityPollers    int
}

// Options are the SDK worker options t asks for.
func (t Tuning) Options() sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentWorkflowTaskExecutionSize:  t.MaxWorkflowTasks,
		MaxConcurrentActivityExecutionSize:      t.MaxActivities,
		MaxConcurrentLocalActivityExecutionSize: t.MaxLocalActivities,
		MaxConcurrentWorkflowTaskPollers:        t.WorkflowPollers,
		MaxConcurrentActivityTaskPollers:        t.ActivityPollers,
	}
}

// New returns a worker polling taskQueue with every sowflow workflow and
// activity registered, with the SDK's default sizing. The caller starts and
// stops it.
func New(c client.Client, taskQueue string, d Deps) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	Register(w, d)
	return w
}

// NewTuned is New sized by t. The sticky workflow cache is shared by every
// worker of the process and made when the first one starts, so NewTuned must
// come before any other worker of the process is created.
func NewTuned(c client.Client, taskQueue string, d Deps, t Tuning) sdkworker.Worker {
	sdkworker.SetStickyWorkflowCacheSize(t.CacheSize)
	w := sdkworker.New(c, taskQueue, t.Options())
	Register(w, d)
	return w
}

// Register adds every sowflow workflow and activity to r, under the names the
// workflows use. Tests register the same set on their own workers.
func Register(r sdkworker.Registry, d Deps) {
	deadlines := &activities.Deadlines{Calendar: d.Calendar}
	r.RegisterActivityWithOptions(deadlines.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
	slaActs := &activities.SLA{Calendar: d.Calendar}
	r.RegisterActivityWithOptions(slaActs.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
	r.RegisterActivityWithOptions(slaActs.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
	projection := &activities.Projection{Store: d.Store}
	r.RegisterActivityWithOptions(projection.RecordProject, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
	r.RegisterActivityWithOptions(projection.RecordService, activity.RegisterOptions{Name: workflows.RecordServiceActivity})
	r.RegisterActivityWithOptions(projection.RecordTicket, activity.RegisterOptions{Name: workflows.RecordTicketActivity})
	r.RegisterActivityWithOptions(projection.RecordSLAPeriod, activity.RegisterOptions{Name: workflows.RecordSLAPeriodActivity})
	workflows.RegisterWorkflows(r)
}

// Identity is the Temporal client identity of a sowflow process, which
// Temporal writes into every history the process touches (workflow and
// activity task events, starts, updates, signals): the process role (api,
// worker or dev) and a random instance ID made at each start, so histories
// tell processes apart without naming hosts or process IDs.
func Identity(role string) string {
	return "sowflow-" + role + "@" + strings.ToLower(rand.Text()[:16])
}

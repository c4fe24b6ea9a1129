package workflows

// Change IDs of workflow.GetVersion calls in the service, ticket and SLA
// period workflows, as project_versions.go holds the project's: every
// change to their logic that could alter the commands a running history
// replays goes behind a new change ID here, and the golden histories
// recorded before the change are kept under workflows/testdata/
// (service-v0-*.json and ticket-v0-*.json are those from before
// changeServiceProjection and changeTicketProjection, sla-v1-*.json those
// from before changeSLAPeriodProjection) so the replay test catches
// incompatible edits.
const (
	// changeServiceProjection makes the service workflow write its state
	// and new events to the read model (RecordServiceActivity) after every
	// change, and its updates answer only once their events are written.
	// A projecting run says so in its continued-as-new event ("projected":
	// true); the first projecting run of a service whose earlier runs did
	// not project first writes the events its state still holds
	// (RecentEvents, the last maxServiceEvents).
	changeServiceProjection = "service-projection"
	// changeTicketProjection makes the ticket workflow write its state and
	// new events to the read model (RecordTicketActivity) after every
	// change, and its updates answer only once their events are written.
	// Tickets opened before the change never project (a ticket does not
	// continue as new).
	changeTicketProjection = "ticket-projection"
	// changeSLAPeriodProjection makes the SLA period workflow write its
	// state and new events to the read model (RecordSLAPeriodActivity)
	// after every change, and its updates answer only once their events are
	// written. Periods started before the change never project (a period
	// does not continue as new); sla-v1-*.json are their golden histories.
	changeSLAPeriodProjection = "sla-period-projection"
	// changeSLACalendarRecompute makes the SLA period workflow handle
	// SignalCalendarUpdated: a provisional claim window that has not closed
	// is recomputed through the claim-window local activity and moved
	// (EventClaimWindowRecomputed). GetVersion is called only when the
	// signal is handled, so histories without the signal are unchanged;
	// one from before the change drops the signal, as it did.
	changeSLACalendarRecompute = "sla-calendar-recompute"
	// changeSLAAccountCustomerAttr makes the SLA account start each period
	// with the customer search attribute (SowCustomer), as the API does;
	// periods started before it have none.
	changeSLAAccountCustomerAttr = "sla-account-customer-attr"
)

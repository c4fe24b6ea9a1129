// Package workflows holds sowflow's deterministic workflow code: five
// workflows on one runtime.
//
//   - ProjectWorkflow runs a project (a statement of work) from a catalog
//     plan: phases and their deliverables, submissions with acceptance
//     windows (deemed or explicit), customer-caused delays, quotas, the
//     contract's clocks and its validity, to final acceptance, expiry or
//     termination.
//   - ServiceWorkflow runs a support service year: tickets, quotas per
//     period, periodic and per-incident obligations, and the annual
//     summary; it continues as new at each service month.
//   - TicketWorkflow is one support ticket, a child of its service: its
//     response clock with warning and breach, response, resolution,
//     closure and severity changes, reported to the service.
//   - SLAPeriodWorkflow is one month of a mail SLA: outages or error
//     intervals, the availability and compensation computed at the
//     month's end, and the claim window.
//   - SLAAccountWorkflow starts an account's SLAPeriodWorkflow each month.
//
// Every workflow takes actions as updates (validated first) and as signals
// of the same names, records events in order and writes its state and new
// events to the read model through a projection activity; see runtime.go
// for what they share (actions, events, the wake timer, the history
// budget), events.go, clocks.go and messages.go for the shared types, and
// versions.go for the rule that governs changes to this code.
//
// Nothing here does I/O, reads the clock, or loads calendar or catalog
// data: deadlines come from local activities whose results are recorded in
// history.
package workflows

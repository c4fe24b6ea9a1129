// Package activities holds the side effects of sowflow's workflows, as
// Temporal activities the worker registers under the names package
// workflows executes them by:
//
//   - Deadlines computes contract deadlines on the calendar in force
//     (calendar.ComputeDeadlineActivity, a local activity: its result is
//     recorded in history, so a replay never recomputes it, DESIGN.md
//     rule 7);
//   - SLA computes a mail SLA period's claim window and availability with
//     package sla (workflows.SLAClaimWindowActivity and
//     workflows.SLAComputeActivity, local activities too);
//   - Projection writes the state and new events of projects, services,
//     tickets and SLA periods to the PostgreSQL read model, with the
//     outbox entries of the events that need a person's attention
//     (workflows.RecordProjectActivity, RecordServiceActivity,
//     RecordTicketActivity, RecordSLAPeriodActivity). Every write is
//     idempotent by event sequence number, so retries are harmless.
package activities

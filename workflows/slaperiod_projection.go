package workflows

// RecordSLAPeriodActivity is the name of the SLA period projection
// activity, the period's RecordServiceActivity: a regular activity (not
// local) that writes an SLAPeriodRecord to the read model, idempotent by
// sequence number, attention events going to the outbox once. Its result
// is a RecordResult.
const RecordSLAPeriodActivity = "RecordSLAPeriod"

// SLAPeriodRecord is the input of RecordSLAPeriodActivity: the period's
// state after the events (its Events left empty, as TicketRecord's are:
// the read model keeps every event) and the events recorded since the
// previous record, in order.
type SLAPeriodRecord struct {
	State  SLAPeriodState `json:"state"`
	Events []Event        `json:"events"`
}

package workflows

// RecordServiceActivity is the name of the service projection activity: a
// regular activity (not local) that writes a ServiceRecord to the read
// model, with the contract of RecordProjectActivity (idempotent by sequence
// number; attention events go to the outbox once). Its result is a
// RecordResult.
const RecordServiceActivity = "RecordService"

// ServiceRecord is the input of RecordServiceActivity: the state after the
// events, and the events recorded since the previous record, in order. The
// state's RecentEvents is left empty: the read model keeps every event, and
// a record carrying the last hundred each time would bloat the history.
type ServiceRecord struct {
	State  ServiceState `json:"state"`
	Events []Event      `json:"events"`
}

package plan

// Start rules carried by StartError.
const (
	StartRuleRequired    = "required"
	StartRuleInvalid     = "invalid"
	StartRuleUnsupported = "unsupported"
	StartRuleLeadTime    = "lead-time"
)

// StartError is a reason a workflow cannot start: the request field, the rule
// it breaks and a message naming both.
type StartError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Error renders "field: message".
func (e *StartError) Error() string { return e.Field + ": " + e.Message }

// ErrorsOf returns every error of type T in err's tree — through Unwrap()
// error and Unwrap() []error (errors.Join) — in order, without looking
// inside a T. Plan input is checked whole and its errors joined; this is
// how a caller reads them back one by one (workflows.StartErrors,
// catalog.OptionErrors).
func ErrorsOf[T error](err error) []T {
	var out []T
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if t, ok := err.(T); ok {
			out = append(out, t)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

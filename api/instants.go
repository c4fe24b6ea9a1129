package api

import (
	"time"

	"github.com/sowflow/sowflow/calendar"
)

// cst presents an instant in China Standard Time, as every API answer does.
func cst(t time.Time) time.Time { return t.In(calendar.Zone()) }

// cstPtr is cst for an optional instant.
func cstPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := cst(*t)
	return &v
}

// validInstant is the instant s, which the rfc3339 rule has validated ("" is
// the zero instant).
func validInstant(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

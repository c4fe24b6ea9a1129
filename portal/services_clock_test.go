package portal

import (
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// TestDescribeClock: a business-hour clock says how much business time is
// left and, outside 09:00–17:00 or on a day off, until when it is paused;
// a wall-clock one only how long is left.
func TestDescribeClock(t *testing.T) {
	cst := calendar.Zone()
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, cst)
	}
	china := calendar.China()
	table := dayTable{}
	for _, d := range china.Days(calendar.Date{Year: 2026, Month: time.September, Day: 1}, calendar.Date{Year: 2026, Month: time.November, Day: 30}) {
		table[d.Date] = d
	}
	business := calendar.Spec{Kind: calendar.BusinessMinutes, N: 240, Hours: defaultBusinessHours}
	tests := []struct {
		name     string
		spec     calendar.Spec
		now, due time.Time
		left     string
		paused   string
		overdue  bool
	}{
		{"inside business hours", business, at(time.November, 4, 10, 0), at(time.November, 4, 14, 0), "4 h 00 min of business time left", "", false},
		{"the evening pauses until the next morning", business, at(time.November, 4, 18, 30), at(time.November, 5, 11, 0), "2 h 00 min of business time left", "paused until Thu 09:00", false},
		{"a Friday evening pauses until Monday", business, at(time.November, 6, 17, 0), at(time.November, 9, 12, 0), "3 h 00 min of business time left", "paused until Mon 09:00", false},
		{"National Day pauses until the make-up working day", business, at(time.October, 1, 10, 0), at(time.October, 9, 12, 0), "", "paused until", false},
		{"a wall clock never pauses", calendar.Spec{Kind: calendar.Minutes, N: 60}, at(time.November, 7, 23, 0), at(time.November, 8, 0, 0), "1 h 00 min left", "", false},
		{"past the deadline", business, at(time.November, 4, 15, 0), at(time.November, 4, 14, 0), "overdue by 1 h 00 min", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := describeClock(store.LanguageEnglish, tt.spec, tt.due, tt.now, table)
			if !strings.Contains(v.Left, tt.left) || v.Overdue != tt.overdue {
				t.Errorf("left %q overdue %v; want %q, %v", v.Left, v.Overdue, tt.left, tt.overdue)
			}
			if (tt.paused == "") != (v.Paused == "") || !strings.Contains(v.Paused, tt.paused) {
				t.Errorf("paused %q; want %q", v.Paused, tt.paused)
			}
		})
	}
}

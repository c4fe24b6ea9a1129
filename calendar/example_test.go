package calendar_test

import (
	"fmt"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

func ExampleCalendar_Deadline() {
	submitted := time.Date(2026, 9, 29, 10, 0, 0, 0, calendar.Zone())
	res, err := calendar.China().Deadline(submitted, calendar.Spec{Kind: calendar.WorkingDays, N: 5})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Deadline.Format(time.RFC3339), res.Provisional)

	hours, err := calendar.ParseHours("09:00-17:00")
	if err != nil {
		panic(err)
	}
	late := time.Date(2026, 12, 31, 16, 0, 0, 0, calendar.Zone())
	res, err = calendar.China().Deadline(late, calendar.Spec{Kind: calendar.BusinessMinutes, N: 120, Hours: hours})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Deadline.Format(time.RFC3339), res.Provisional)
	// Output:
	// 2026-10-13T00:00:00+08:00 false
	// 2027-01-04T10:00:00+08:00 true
}

func ExampleCalendar_NthWorkingDay() {
	d, provisional, err := calendar.China().NthWorkingDay(2026, time.October, 5)
	if err != nil {
		panic(err)
	}
	fmt.Println(d, provisional)
	// Output: 2026-10-13 false
}

package api

import (
	"strings"
	"testing"

	"github.com/sowflow/sowflow/calendar"
)

// prettyYear2027 is a 2027 holiday file laid out one member a line, as the
// holiday-cn files are, with extra entries before the closing bracket.
func prettyYear2027(extra ...string) string {
	entries := []string{
		`{"name": "元旦", "date": "2027-01-01", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2027-05-01", "isOffDay": true}`,
		`{"name": "国庆节", "date": "2027-10-01", "isOffDay": true}`,
		`{"name": "国庆节", "date": "2027-10-02", "isOffDay": true}`,
		`{"name": "国庆节", "date": "2027-10-03", "isOffDay": true}`,
	}
	entries = append(entries, extra...)
	// Line 1 {, 2 year, 3 papers, 4 days, entries from line 5.
	return "{\n  \"year\": 2027,\n  \"papers\": [],\n  \"days\": [\n    " + strings.Join(entries, ",\n    ") + "\n  ]\n}\n"
}

func TestPlaceHolidayErrors(t *testing.T) {
	type placed struct {
		field, rule string
		line        int
	}
	tests := []struct {
		name string
		body string
		want []placed
	}{
		{"a date that does not exist", prettyYear2027(`{"name": "x", "date": "2027-02-30", "isOffDay": true}`),
			[]placed{{"days[5].date", "date", 10}}},
		{"a make-up working day on a Friday", prettyYear2027(`{"name": "国庆节", "date": "2027-10-08", "isOffDay": false}`),
			[]placed{{"days[5].isOffDay", "weekend", 10}}},
		{"a date listed both ways", prettyYear2027(`{"name": "国庆节", "date": "2027-10-09", "isOffDay": false}`, `{"name": "x", "date": "2027-10-09", "isOffDay": true}`),
			[]placed{{"days[6].isOffDay", "conflict", 11}}},
		{"isOffDay missing and a date far from the year, both answered", prettyYear2027(`{"name": "x", "date": "2027-03-01"}`, `{"name": "x", "date": "2029-03-01", "isOffDay": true}`),
			[]placed{{"days[5].isOffDay", "required", 10}, {"days[6].date", "range", 11}}},
		{"isOffDay not a boolean", prettyYear2027(`{"name": "x", "date": "2027-03-06", "isOffDay": "no"}`),
			[]placed{{"days[5].isOffDay", "boolean", 10}}},
		{"an entry that is no object", prettyYear2027(`"2027-03-06"`),
			[]placed{{"days[5]", "object", 10}}},
		{"a statutory holiday left out: the file as a whole, on the days key",
			strings.Replace(prettyYear2027(), `{"name": "劳动节", "date": "2027-05-01", "isOffDay": true},`, `{"name": "x", "date": "2027-05-02", "isOffDay": true},`, 1),
			[]placed{{"days", "holiday_data", 4}}},
		{"not JSON: the line of the syntax error", "{\n  \"year\": 2027,\n  \"days\": [\n    {\"date\": \"2027-01-01\" \"isOffDay\": true}\n  ]\n}\n",
			[]placed{{"body", "json", 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, refusal := calendar.Parse([]byte(tt.body))
			if refusal == nil {
				t.Fatal("the calendar accepted the file; the case tests nothing")
			}
			got := placeHolidayErrors([]byte(tt.body), refusal)
			if len(got) != len(tt.want) {
				t.Fatalf("errors %+v, want %+v", got, tt.want)
			}
			lines := strings.Split(tt.body, "\n")
			for i, w := range tt.want {
				g := got[i]
				if g.Field != w.field || g.Rule != w.rule || g.Line != w.line || g.Detail == "" {
					t.Errorf("error %d = %+v, want %+v", i, g, w)
					continue
				}
				if g.Column < 1 || g.Column > len([]rune(lines[g.Line-1]))+1 {
					t.Errorf("error %d: column %d outside line %q", i, g.Column, lines[g.Line-1])
				}
			}
		})
	}
}

func TestPlaceHolidayErrorsColumn(t *testing.T) {
	body := prettyYear2027(`{"name": "国庆节", "date": "2027-10-08", "isOffDay": false}`)
	_, refusal := calendar.Parse([]byte(body))
	got := placeHolidayErrors([]byte(body), refusal)
	line := strings.Split(body, "\n")[got[0].Line-1]
	if at := []rune(line)[got[0].Column-1:]; !strings.HasPrefix(string(at), `"isOffDay"`) {
		t.Errorf("column %d of %q does not point at the isOffDay key", got[0].Column, line)
	}
}

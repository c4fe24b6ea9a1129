package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/calendar"
)

func TestRunSLA(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// 86 whole intervals failing and one at 2/5: exactly 99.00% of a 30-day
	// period's 8,640 intervals.
	var exact strings.Builder
	exact.WriteString("# September 2026\n\n")
	for i := 0; i < 86; i++ {
		exact.WriteString("12,12\n")
	}
	exact.WriteString("2026-09-30T23:55:00+08:00, 2, 5\n")
	exactRates := write("exact.csv", exact.String())
	timed := write("timed.csv", "2026-09-01T00:00:00+08:00,1,4\n2026-09-01T00:05:00+08:00,0,0\n3,4\n")
	badLine := write("bad-line.csv", "1,2\n1;2\n")
	tooMany := write("too-many.csv", "5,4\n")
	outside := write("outside.csv", "2026-10-01T00:00:00+08:00,1,2\n")
	offGrid := write("off-grid.csv", "2026-09-01T00:03:00+08:00,1,2\n")
	twice := write("twice.csv", "2026-09-01T00:05:00+08:00,1,2\n2026-09-01T00:05:00+08:00,1,3\n")
	badData := write("bad.json", `{"year":2027,"papers":[],"days":[]}`)
	version := calendar.China().Version()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     map[string]any // fields of the JSON output
		raw      []string       // substrings of the raw output
		wantErr  string         // substring of the single stderr line
		help     string         // substring of the usage on stdout
		window   bool           // no input: the claim window only, no availability
	}{
		{name: "issue example", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "432"},
			want: map[string]any{"service": "email", "period": "2026-09", "period_days": 30.0, "total_minutes": 43200.0, "unavailable_minutes": 432.0,
				"availability_exact": "99", "compensation_pct": 10.0, "claim_opens": "2026-10-14T00:00:00+08:00",
				"claim_closes": "2026-12-01T00:00:00+08:00", "provisional": false, "calendar_version": version},
			raw: []string{`"availability_pct": 99.00,`, `"commitment_pct": 99.90,`}},
		{name: "one minute more", args: []string{"credit", "--service=email", "--period=2026-09", "--unavailable-minutes=433"},
			want: map[string]any{"compensation_pct": 20.0}, raw: []string{`"availability_pct": 98.99,`}},
		{name: "one minute less", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "431"},
			want: map[string]any{"compensation_pct": 10.0}},
		{name: "display truncates", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "44"},
			want: map[string]any{"compensation_pct": 10.0, "availability_exact": "10789/108"}, raw: []string{`"availability_pct": 99.89,`}},
		{name: "commitment met", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "0", "--monthly-fee", "12.34"},
			want: map[string]any{"compensation_pct": 0.0}, raw: []string{`"availability_pct": 100.00,`, `"compensation_amount": 0.00`}},
		{name: "25 days of use: exactly 99.90%", args: []string{"credit", "--service", "email", "--period", "2026-09", "--usage-days", "25", "--unavailable-minutes", "36"},
			want: map[string]any{"period_days": 25.0, "total_minutes": 36000.0, "compensation_pct": 0.0}, raw: []string{`"availability_pct": 99.90,`}},
		{name: "25 days of use: one minute under 99.90%", args: []string{"credit", "--service", "email", "--period", "2026-09", "--usage-days", "25", "--unavailable-minutes", "37"},
			want: map[string]any{"compensation_pct": 10.0}},
		{name: "fee and amount", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "433", "--monthly-fee", "12.35"},
			raw: []string{`"monthly_fee": 12.35,`, `"compensation_amount": 2.47,`}},
		{name: "lump sum apportioned", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "3000", "--monthly-fee", "100", "--fee-months", "3"},
			want: map[string]any{"compensation_pct": 50.0, "fee_months": 3.0}, raw: []string{`"monthly_fee": 33.33,`, `"compensation_amount": 16.66,`}},
		{name: "february", args: []string{"credit", "--service", "email", "--period", "2026-02", "--unavailable-minutes", "0"},
			want: map[string]any{"total_minutes": 40320.0, "claim_opens": "2026-03-07T00:00:00+08:00", "claim_closes": "2026-05-01T00:00:00+08:00"}},
		{name: "claims close at the end of the second month after", args: []string{"credit", "--service", "email", "--period", "2026-06", "--unavailable-minutes", "0"},
			want: map[string]any{"claim_opens": "2026-07-08T00:00:00+08:00", "claim_closes": "2026-09-01T00:00:00+08:00"}},
		{name: "31 october a saturday: closes monday 2 november", args: []string{"credit", "--service", "email", "--period", "2026-08", "--unavailable-minutes", "0"},
			want: map[string]any{"claim_opens": "2026-09-08T00:00:00+08:00", "claim_closes": "2026-11-03T00:00:00+08:00", "provisional": false}},
		{name: "31 january a saturday: closes monday 2 february", args: []string{"credit", "--service", "email", "--period", "2025-11", "--unavailable-minutes", "0"},
			want: map[string]any{"claim_opens": "2025-12-06T00:00:00+08:00", "claim_closes": "2026-02-03T00:00:00+08:00", "provisional": false}},
		{name: "claim on 30 april, the last day", args: []string{"credit", "--service", "email", "--period", "2026-02", "--unavailable-minutes", "432", "--claim-at", "2026-04-30T23:59:00+08:00"},
			want: map[string]any{"claim": map[string]any{"at": "2026-04-30T23:59:00+08:00", "accepted": true}}},
		{name: "provisional window", args: []string{"credit", "--service", "sendify", "--period", "2026-12", "--error-intervals", "90"},
			want: map[string]any{"total_intervals": 8928.0, "error_intervals": 90.0, "error_rate_sum": "90", "compensation_pct": 20.0,
				"claim_opens": "2027-01-09T00:00:00+08:00", "claim_closes": "2027-03-02T00:00:00+08:00", "provisional": true}},
		{name: "sendify exactly 99.00%", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", exactRates},
			want: map[string]any{"error_intervals": 87.0, "error_rate_sum": "432/5", "availability_exact": "99", "compensation_pct": 10.0},
			raw:  []string{`"availability_pct": 99.00,`}},
		{name: "sendify timed intervals", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", timed},
			want: map[string]any{"error_intervals": 3.0, "error_rate_sum": "1", "compensation_pct": 0.0}},
		{name: "sendify no errors", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-intervals", "0"},
			want: map[string]any{"availability_exact": "100", "compensation_pct": 0.0}},
		{name: "claim one minute after opening", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "432", "--claim-at", "2026-10-14T00:01:00+08:00"},
			want: map[string]any{"claim": map[string]any{"at": "2026-10-14T00:01:00+08:00", "accepted": true}}},
		{name: "claim one minute before closing, in UTC", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "432", "--claim-at", "2026-11-30T15:59:00Z"},
			want: map[string]any{"claim": map[string]any{"at": "2026-11-30T23:59:00+08:00", "accepted": true}}},
		{name: "claim one minute before opening", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "432", "--claim-at", "2026-10-13T23:59:00+08:00"},
			wantCode: 1, want: map[string]any{"claim": map[string]any{"at": "2026-10-13T23:59:00+08:00", "accepted": false,
				"refusal": "claim at 2026-10-13T23:59:00+08:00 refused: the claim window is not open yet (period 2026-09: opens 2026-10-14T00:00:00+08:00, closes 2026-12-01T00:00:00+08:00)"}}},
		{name: "claim one minute after closing", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "432", "--claim-at", "2026-12-01T00:01:00+08:00"},
			wantCode: 1, raw: []string{`"accepted": false`, "the claim window has closed (period 2026-09"}},
		{name: "extra data makes the window certain", args: []string{"credit", "--service", "email", "--period", "2026-12", "--unavailable-minutes", "0", "--data", write("2027.json", year2027)},
			want: map[string]any{"provisional": false}},

		{name: "help", args: []string{"--help"}, help: "usage: sowflow sla <command>"},
		{name: "credit help", args: []string{"credit", "--help"}, help: "--error-rates FILE"},
		{name: "credit -h", args: []string{"credit", "-h"}, help: "--unavailable-minutes N"},

		{name: "no command", args: nil, wantCode: 2, wantErr: "missing command"},
		{name: "unknown command", args: []string{"debit"}, wantCode: 2, wantErr: `unknown command "debit"`},
		{name: "missing service", args: []string{"credit", "--period", "2026-09"}, wantCode: 2, wantErr: "missing --service"},
		{name: "unknown service", args: []string{"credit", "--service", "fax", "--period", "2026-09"}, wantCode: 2, wantErr: `--service: unknown service "fax"`},
		{name: "missing period", args: []string{"credit", "--service", "email", "--unavailable-minutes", "1"}, wantCode: 2, wantErr: "missing --period"},
		{name: "bad period", args: []string{"credit", "--service", "email", "--period", "2026-13", "--unavailable-minutes", "1"}, wantCode: 2, wantErr: `--period: period "2026-13"`},
		{name: "email window only", args: []string{"credit", "--service", "email", "--period", "2026-02"}, window: true,
			want: map[string]any{"period": "2026-02", "claim_opens": "2026-03-07T00:00:00+08:00", "claim_closes": "2026-05-01T00:00:00+08:00"}},
		{name: "email window only, 31 october a saturday", args: []string{"credit", "--service", "email", "--period", "2026-08"}, window: true,
			want: map[string]any{"claim_closes": "2026-11-03T00:00:00+08:00"}},
		{name: "fee without input", args: []string{"credit", "--service", "email", "--period", "2026-09", "--monthly-fee", "10"}, wantCode: 2, wantErr: "--monthly-fee needs the period's input"},
		{name: "email with intervals", args: []string{"credit", "--service", "email", "--period", "2026-09", "--error-intervals", "3"}, wantCode: 2, wantErr: "--error-intervals only applies to --service sendify"},
		{name: "too many minutes", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "43201"}, wantCode: 2, wantErr: "--unavailable-minutes: unavailable minutes 43201 exceed the 43200 minutes"},
		{name: "negative minutes", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "-1"}, wantCode: 2, wantErr: `--unavailable-minutes: must not be negative (got "-1")`},
		{name: "minutes not a number", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "4h"}, wantCode: 2, wantErr: "--unavailable-minutes: not a whole number"},
		{name: "sendify with minutes", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--unavailable-minutes", "3"}, wantCode: 2, wantErr: "--unavailable-minutes only applies to --service email"},
		{name: "sendify window only", args: []string{"credit", "--service", "sendify", "--period", "2026-09"}, window: true,
			want: map[string]any{"claim_opens": "2026-10-14T00:00:00+08:00", "claim_closes": "2026-12-01T00:00:00+08:00"}},
		{name: "sendify both inputs", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-intervals", "1", "--error-rates", timed}, wantCode: 2, wantErr: "not both"},
		{name: "sendify too many intervals", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--usage-days", "1", "--error-intervals", "289"}, wantCode: 2, wantErr: "--error-intervals: a 1-day period has only 288 intervals (got 289)"},
		{name: "sendify fee months", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-intervals", "1", "--monthly-fee", "9", "--fee-months", "2"}, wantCode: 2, wantErr: "--fee-months only applies to --service email"},
		{name: "rates file missing", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", filepath.Join(dir, "nope.csv")}, wantCode: 2, wantErr: "--error-rates: open"},
		{name: "rates bad line", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", badLine}, wantCode: 2, wantErr: "line 2: want FAILED,VALID or START,FAILED,VALID"},
		{name: "rates more failed than valid", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", tooMany}, wantCode: 2, wantErr: "line 1: invalid 5-minute interval: 5 failed requests exceed 4 valid requests"},
		{name: "rates outside the period", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", outside}, wantCode: 2, wantErr: "line 1: interval 2026-10-01T00:00:00+08:00 is outside period 2026-09"},
		{name: "rates off the grid", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", offGrid}, wantCode: 2, wantErr: "does not start on a 5-minute boundary"},
		{name: "rates interval twice", args: []string{"credit", "--service", "sendify", "--period", "2026-09", "--error-rates", twice}, wantCode: 2, wantErr: "line 2: interval 2026-09-01T00:05:00+08:00 is also on line 1"},
		{name: "usage days too many", args: []string{"credit", "--service", "email", "--period", "2026-02", "--usage-days", "29", "--unavailable-minutes", "1"}, wantCode: 2, wantErr: "--usage-days: must be 1 to 28, the days of 2026-02 (got 29)"},
		{name: "usage days zero", args: []string{"credit", "--service", "email", "--period", "2026-02", "--usage-days", "0", "--unavailable-minutes", "1"}, wantCode: 2, wantErr: "--usage-days: must be 1 to 28"},
		{name: "bad fee", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "--monthly-fee", "12.345"}, wantCode: 2, wantErr: `--monthly-fee: "12.345" is not an amount with at most two decimals`},
		{name: "negative fee", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "--monthly-fee", "-5"}, wantCode: 2, wantErr: "--monthly-fee:"},
		{name: "fee months without fee", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "--fee-months", "3"}, wantCode: 2, wantErr: "--fee-months needs --monthly-fee"},
		{name: "zero fee months", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "--monthly-fee", "3", "--fee-months", "0"}, wantCode: 2, wantErr: "--fee-months: must be 1 to 1200 (got 0)"},
		{name: "bad claim instant", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "--claim-at", "2026-10-14"}, wantCode: 2, wantErr: `--claim-at: not an RFC 3339 instant (got "2026-10-14")`},
		{name: "unknown option", args: []string{"credit", "--service", "email", "--period", "2026-09", "--outage", "1"}, wantCode: 2, wantErr: "unknown option --outage"},
		{name: "option without value", args: []string{"credit", "--service", "email", "--period"}, wantCode: 2, wantErr: "--period needs a value"},
		{name: "stray argument", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "now"}, wantCode: 2, wantErr: `unexpected argument "now"`},
		{name: "bad data file", args: []string{"credit", "--service", "email", "--period", "2026-09", "--unavailable-minutes", "1", "--data", badData}, wantCode: 2, wantErr: "--data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runSLA(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.wantCode, stdout.String(), stderr.String())
			}
			switch {
			case tc.wantErr != "":
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", stdout.String())
				}
				line := stderr.String()
				if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
					t.Errorf("stderr = %q, want exactly one line", line)
				}
				if !strings.HasPrefix(line, "sowflow sla") || !strings.Contains(line, tc.wantErr) {
					t.Errorf("stderr = %q, want it to mention %q", line, tc.wantErr)
				}
			case tc.help != "":
				if !strings.Contains(stdout.String(), tc.help) || stderr.Len() != 0 {
					t.Errorf("help: stdout %q, stderr %q", stdout.String(), stderr.String())
				}
			default:
				if stderr.Len() != 0 {
					t.Errorf("stderr = %q", stderr.String())
				}
				var got map[string]any
				if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
					t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
				}
				for k, want := range tc.want {
					if g, w := mustJSON(t, got[k]), mustJSON(t, want); g != w {
						t.Errorf("%s = %s, want %s", k, g, w)
					}
				}
				for _, s := range tc.raw {
					if !strings.Contains(stdout.String(), s) {
						t.Errorf("output lacks %q:\n%s", s, stdout.String())
					}
				}
				for _, k := range []string{"commitment_pct", "claim_opens", "claim_closes", "provisional", "calendar_version"} {
					if _, ok := got[k]; !ok {
						t.Errorf("output lacks %q", k)
					}
				}
				for _, k := range []string{"availability_pct", "availability_exact", "compensation_pct"} {
					if _, ok := got[k]; ok == tc.window {
						t.Errorf("output has %q: %t, want %t", k, ok, !tc.window)
					}
				}
			}
		})
	}
}

// TestSLACommandListed checks that "sowflow --help" lists the command.
func TestSLACommandListed(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "sla       mail SLA credit computation") {
		t.Errorf("exit %d, usage:\n%s", code, stdout.String())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

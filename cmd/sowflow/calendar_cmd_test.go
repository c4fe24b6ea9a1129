package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/calendar"
)

// year2027 is a hypothetical 2027 holiday file for the --data tests.
const year2027 = `{"year":2027,"papers":[],"days":[
{"name":"元旦","date":"2027-01-01","isOffDay":true},
{"name":"元旦","date":"2027-01-02","isOffDay":true},
{"name":"元旦","date":"2027-01-03","isOffDay":true},
{"name":"劳动节","date":"2027-05-01","isOffDay":true},
{"name":"国庆节","date":"2027-10-01","isOffDay":true},
{"name":"国庆节","date":"2027-10-02","isOffDay":true},
{"name":"国庆节","date":"2027-10-03","isOffDay":true},
{"name":"国庆节","date":"2027-10-04","isOffDay":true},
{"name":"国庆节","date":"2027-10-09","isOffDay":false}]}`

func TestRunCalendar(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "2027.json")
	if err := os.WriteFile(good, []byte(year2027), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"year":2027,"papers":[],"days":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // exact, when wantCode is 0 and not a help test
		wantErr    string // substring of the single stderr line
		help       string // substring of the usage printed on stdout
	}{
		{name: "working days design example", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--working-days", "5"},
			wantStdout: "2026-10-13T00:00:00+08:00\n"},
		{name: "equals syntax and UTC input", args: []string{"add", "--from=2026-09-29T17:30:00Z", "--working-days=5"},
			wantStdout: "2026-10-14T00:00:00+08:00\n"},
		{name: "single dash", args: []string{"add", "-from", "2026-09-29T10:00:00+08:00", "-working-days", "5"},
			wantStdout: "2026-10-13T00:00:00+08:00\n"},
		{name: "natural days", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--natural-days", "5"},
			wantStdout: "2026-10-09T00:00:00+08:00\n"},
		{name: "months", args: []string{"add", "--from", "2024-02-29T10:00:00+08:00", "--months", "12"},
			wantStdout: "2025-03-01T00:00:00+08:00\n"},
		{name: "business minutes default hours", args: []string{"add", "--from", "2026-09-30T16:00:00+08:00", "--business-minutes", "120"},
			wantStdout: "2026-10-08T10:00:00+08:00\n"},
		{name: "business minutes nine to six", args: []string{"add", "--from", "2026-11-23T17:00:00+08:00", "--business-minutes", "120", "--hours", "09:00-18:00"},
			wantStdout: "2026-11-24T10:00:00+08:00\n"},
		{name: "minutes", args: []string{"add", "--from", "2026-09-29T17:30:00Z", "--minutes", "15"},
			wantStdout: "2026-09-30T01:45:00+08:00\n"},
		{name: "provisional", args: []string{"add", "--from", "2026-12-28T10:00:00+08:00", "--working-days", "5"},
			wantStdout: "2027-01-06T00:00:00+08:00 provisional\n"},
		{name: "extra data ends provisional", args: []string{"add", "--from", "2026-12-28T10:00:00+08:00", "--working-days", "5", "--data", good},
			wantStdout: "2027-01-06T00:00:00+08:00\n"},
		{name: "working day make-up saturday", args: []string{"working-day", "2026-10-10"}, wantStdout: "true\n"},
		{name: "working day holiday", args: []string{"working-day", "2026-10-01"}, wantStdout: "false\n"},
		{name: "working day weekend", args: []string{"working-day", "2026-10-11"}, wantStdout: "false\n"},
		{name: "working day provisional", args: []string{"working-day", "2027-10-04"}, wantStdout: "true provisional\n"},
		{name: "working day with data after date", args: []string{"working-day", "2027-10-04", "--data", good}, wantStdout: "false\n"},
		{name: "nth working day", args: []string{"nth-working-day", "--month", "2026-10", "--n", "5"}, wantStdout: "2026-10-13\n"},
		{name: "nth working day provisional", args: []string{"nth-working-day", "--month", "2027-01", "--n", "1"}, wantStdout: "2027-01-04 provisional\n"},

		{name: "help", args: []string{"--help"}, help: "usage: sowflow calendar <command>"},
		{name: "add help", args: []string{"add", "--help"}, help: "--working-days N"},
		{name: "add -h", args: []string{"add", "-h"}, help: "--working-days N"},
		{name: "working-day help", args: []string{"working-day", "--help"}, help: "usage: sowflow calendar working-day"},
		{name: "nth help", args: []string{"nth-working-day", "--help"}, help: "usage: sowflow calendar nth-working-day"},

		{name: "no command", args: nil, wantCode: 2, wantErr: "missing command"},
		{name: "unknown command", args: []string{"subtract"}, wantCode: 2, wantErr: `unknown command "subtract"`},
		{name: "bad instant", args: []string{"add", "--from", "2026-09-29 10:00", "--working-days", "5"}, wantCode: 2, wantErr: "not an RFC 3339 instant"},
		{name: "date is not an instant", args: []string{"add", "--from", "2026-09-29", "--working-days", "5"}, wantCode: 2, wantErr: "--from: not an RFC 3339 instant"},
		{name: "from without value", args: []string{"add", "--working-days", "5", "--from"}, wantCode: 2, wantErr: "--from needs a value"},
		{name: "bad json flag", args: []string{"add", "--json=maybe"}, wantCode: 2, wantErr: "--json: "},
		{name: "missing from", args: []string{"add", "--working-days", "5"}, wantCode: 2, wantErr: "missing --from"},
		{name: "negative count", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--working-days", "-1"}, wantCode: 2, wantErr: `--working-days: must not be negative (got "-1")`},
		{name: "not a number", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--months", "twelve"}, wantCode: 2, wantErr: `--months: not a whole number (got "twelve")`},
		{name: "too large", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--months", "5000"}, wantCode: 2, wantErr: "--months: must be at most 1200"},
		{name: "unknown option", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--weeks", "2"}, wantCode: 2, wantErr: "unknown option --weeks"},
		{name: "no kind", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00"}, wantCode: 2, wantErr: "missing kind"},
		{name: "two kinds", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--working-days", "5", "--minutes", "3"}, wantCode: 2, wantErr: "exactly one kind, not both --working-days and --minutes"},
		{name: "hours without business minutes", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--minutes", "3", "--hours", "09:00-18:00"}, wantCode: 2, wantErr: "--hours only applies"},
		{name: "bad hours", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--business-minutes", "3", "--hours", "18:00-09:00"}, wantCode: 2, wantErr: "--hours:"},
		{name: "stray argument", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--minutes", "3", "now"}, wantCode: 2, wantErr: `unexpected argument "now"`},
		{name: "from out of range", args: []string{"add", "--from", "9999-01-01T00:00:00+08:00", "--minutes", "3"}, wantCode: 2, wantErr: "--from: must be in years"},
		{name: "bad data file", args: []string{"add", "--from", "2026-09-29T10:00:00+08:00", "--minutes", "3", "--data", bad}, wantCode: 2, wantErr: "no days listed"},
		{name: "missing data file", args: []string{"working-day", "2026-10-10", "--data", filepath.Join(dir, "nope.json")}, wantCode: 2, wantErr: "--data:"},
		{name: "working day bad date", args: []string{"working-day", "2026-02-30"}, wantCode: 2, wantErr: "no such day"},
		{name: "working day no date", args: []string{"working-day"}, wantCode: 2, wantErr: "missing date"},
		{name: "working day two dates", args: []string{"working-day", "2026-10-10", "2026-10-11"}, wantCode: 2, wantErr: `unexpected argument "2026-10-11"`},
		{name: "nth missing month", args: []string{"nth-working-day", "--n", "5"}, wantCode: 2, wantErr: "missing --month"},
		{name: "nth missing n", args: []string{"nth-working-day", "--month", "2026-10"}, wantCode: 2, wantErr: "missing --n"},
		{name: "nth bad month", args: []string{"nth-working-day", "--month", "2026-13", "--n", "1"}, wantCode: 2, wantErr: `--month: "2026-13" is not a month`},
		{name: "nth zero", args: []string{"nth-working-day", "--month", "2026-10", "--n", "0"}, wantCode: 2, wantErr: "--n: must be at least 1"},
		{name: "nth too many", args: []string{"nth-working-day", "--month", "2026-10", "--n", "19"}, wantCode: 2, wantErr: "--n: 2026-10 has only 18 working days"},
		{name: "nth negative", args: []string{"nth-working-day", "--month", "2026-10", "--n", "-2"}, wantCode: 2, wantErr: "--n: must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runCalendar(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.wantCode, stdout.String(), stderr.String())
			}
			switch {
			case tc.wantCode != 0:
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", stdout.String())
				}
				line := stderr.String()
				if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
					t.Errorf("stderr = %q, want exactly one line", line)
				}
				if !strings.HasPrefix(line, "sowflow calendar") || !strings.Contains(line, tc.wantErr) {
					t.Errorf("stderr = %q, want it to mention %q", line, tc.wantErr)
				}
			case tc.help != "":
				if !strings.Contains(stdout.String(), tc.help) || stderr.Len() != 0 {
					t.Errorf("help: stdout %q, stderr %q", stdout.String(), stderr.String())
				}
			default:
				if stdout.String() != tc.wantStdout || stderr.Len() != 0 {
					t.Errorf("stdout %q, stderr %q, want stdout %q", stdout.String(), stderr.String(), tc.wantStdout)
				}
			}
		})
	}
}

func TestRunCalendarJSON(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		deadline    string
		provisional bool
	}{
		{"certain", []string{"add", "--json", "--from", "2026-09-29T10:00:00+08:00", "--working-days", "5"}, "2026-10-13T00:00:00+08:00", false},
		{"provisional", []string{"add", "--from", "2026-12-31T16:00:00+08:00", "--business-minutes", "120", "--json"}, "2027-01-04T10:00:00+08:00", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runCalendar(context.Background(), tc.args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			var got map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("output %q: %v", stdout.String(), err)
			}
			want := map[string]any{
				"deadline":         tc.deadline,
				"provisional":      tc.provisional,
				"calendar_version": calendar.China().Version(),
			}
			if len(got) != len(want) {
				t.Errorf("keys = %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if !regexp.MustCompile(`^\{.*\}\n$`).Match(stdout.Bytes()) {
				t.Errorf("output %q is not one JSON line", stdout.String())
			}
		})
	}
}

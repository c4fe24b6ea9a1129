package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/catalog"
)

func TestRunQuote(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		total  int64  // checked when status is 0
		stderr string // the one line expected on stderr, when status ≠ 0
	}{
		{"remote om 25000 users", []string{"--package", "hybrid-base-remote-om", "--users", "25000"}, 0, 315000, ""},
		{"remote om 10000 users", []string{"--package=hybrid-base-remote-om", "--users=10000"}, 0, 189000, ""},
		{"remote om 10001 users", []string{"-package", "hybrid-base-remote-om", "-users", "10001"}, 0, 252000, ""},
		{"fixed price", []string{"--package", "hybrid-base-project-management"}, 0, 100800, ""},
		{"remote om without users", []string{"--package", "hybrid-base-remote-om"}, 2, 0,
			"sowflow quote: --users: hybrid-base-remote-om is priced per user: users must be ≥ 1, got 0"},
		{"remote om 0 users", []string{"--package", "hybrid-base-remote-om", "--users", "0"}, 2, 0,
			"sowflow quote: --users: hybrid-base-remote-om is priced per user: users must be ≥ 1, got 0"},
		{"users not a number", []string{"--package", "hybrid-base-remote-om", "--users", "many"}, 2, 0,
			`sowflow quote: --users: "many" is not a whole number`},
		{"users for a fixed price", []string{"--package", "dingtalk-pro", "--users", "5"}, 2, 0,
			"sowflow quote: --users: dingtalk-pro is not priced per user"},
		{"missing package", nil, 2, 0, ""},
		{"unknown package", []string{"--package", "dingtalk-max"}, 2, 0, ""},
		{"unknown flag", []string{"--package", "dingtalk-pro", "--discount", "10"}, 2, 0,
			"sowflow quote: unknown flag -discount (see sowflow quote --help)"},
		{"flag without value", []string{"--package"}, 2, 0, "sowflow quote: --package needs a value"},
		{"positional argument", []string{"--package", "dingtalk-pro", "extra"}, 2, 0, `sowflow quote: unexpected argument "extra"`},
		{"no list price", []string{"--package", "landing-zone-basic"}, 1, 0,
			"sowflow quote: landing-zone-basic: no list price (the seed states none)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := runQuote(context.Background(), tt.args, &stdout, &stderr)
			if status != tt.status {
				t.Fatalf("status = %d, want %d (stderr %q)", status, tt.status, stderr.String())
			}
			if status != 0 {
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", stdout.String())
				}
				line := stderr.String()
				if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
					t.Errorf("stderr = %q, want one line", line)
				}
				if tt.stderr != "" && strings.TrimSuffix(line, "\n") != tt.stderr {
					t.Errorf("stderr = %q, want %q", line, tt.stderr)
				}
				return
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q", stderr.String())
			}
			var q struct {
				Currency   string `json:"currency"`
				AmountUnit string `json:"amount_unit"`
				Total      int64  `json:"total"`
				Lines      []struct {
					Amount int64 `json:"amount"`
				} `json:"lines"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &q); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
			}
			if q.Total != tt.total || q.Currency != "USD" || q.AmountUnit != "whole_dollars" || len(q.Lines) == 0 {
				t.Errorf("quote = %+v, want total %d USD", q, tt.total)
			}
			if !strings.Contains(stdout.String(), "\n  \"currency\": \"USD\"") {
				t.Errorf("output is not indented:\n%s", stdout.String())
			}
		})
	}
}

func TestRunQuoteOutput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := runQuote(context.Background(), []string{"--package", "hybrid-base-remote-om", "--users", "25000"}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	want := `{
  "package": "hybrid-base-remote-om",
  "name": "DingTalk Hybrid Base Remote O&M Support",
  "catalog_version": "` + catalog.Version + `",
  "currency": "USD",
  "amount_unit": "whole_dollars",
  "users": 25000,
  "total": 315000,
  "lines": [
    {
      "description": "DingTalk Hybrid Base Remote O&M Support, up to 10,000 users",
      "quantity": 1,
      "unit_price": 189000,
      "amount": 189000
    },
    {
      "description": "additional 10,000 users or part thereof (users 10,001–25,000)",
      "quantity": 2,
      "unit_price": 63000,
      "amount": 126000
    }
  ]
}
`
	if stdout.String() != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout.String(), want)
	}
}

func TestRunQuoteHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		var stdout, stderr bytes.Buffer
		if status := runQuote(context.Background(), []string{arg}, &stdout, &stderr); status != 0 {
			t.Errorf("%s: status %d, want 0", arg, status)
		}
		out := stdout.String()
		if !strings.HasPrefix(out, "usage: sowflow quote --package CODE [--users N]") ||
			!strings.Contains(out, "hybrid-base-remote-om") || !strings.Contains(out, "landing-zone-basic                 no list price") {
			t.Errorf("%s: usage =\n%s", arg, out)
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: stderr = %q", arg, stderr.String())
		}
	}
}

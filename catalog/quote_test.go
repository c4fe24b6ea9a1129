package catalog

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		code  string
		users int
		total int64
		lines int
	}{
		{"hybrid-base-remote-om", 1, 189000, 1},
		{"hybrid-base-remote-om", 10000, 189000, 1},
		{"hybrid-base-remote-om", 10001, 252000, 2},
		{"hybrid-base-remote-om", 20000, 252000, 2},
		{"hybrid-base-remote-om", 20001, 315000, 2},
		{"hybrid-base-remote-om", 25000, 315000, 2},
		{"hybrid-base-remote-om", 100000, 756000, 2},
		{"dingtalk-pro", 0, 7500, 1},
		{"dingtalk-enterprise-base", 0, 22500, 1},
		{"dingtalk-app-customization", 0, 37500, 1},
		{"dingtalk-access-security", 0, 20000, 1},
		{"dingtalk-hybrid-cloud-compliance", 0, 15000, 1},
		{"dingtalk-openness-integration", 0, 10000, 1},
		{"hybrid-base-initial-deployment", 0, 105000, 1},
		{"hybrid-base-annual-upgrade", 0, 147000, 1},
		{"hybrid-base-project-management", 0, 100800, 1},
	}
	c := Default()
	for _, tt := range tests {
		q, err := c.Quote(tt.code, QuoteRequest{Users: tt.users})
		if err != nil {
			t.Errorf("%s, %d users: %v", tt.code, tt.users, err)
			continue
		}
		if q.Total != tt.total || len(q.Lines) != tt.lines || q.Currency != "USD" || q.AmountUnit != AmountUnitWholeDollars {
			t.Errorf("%s, %d users: total %d in %d lines (%s %s), want %d in %d lines", tt.code, tt.users, q.Total, len(q.Lines), q.Currency, q.AmountUnit, tt.total, tt.lines)
		}
		var sum int64
		for _, l := range q.Lines {
			if l.Amount != l.Quantity*l.UnitPrice {
				t.Errorf("%s: line %q: %d × %d ≠ %d", tt.code, l.Description, l.Quantity, l.UnitPrice, l.Amount)
			}
			sum += l.Amount
		}
		if sum != q.Total {
			t.Errorf("%s: lines sum to %d, total %d", tt.code, sum, q.Total)
		}
	}
}

func TestQuoteRemoteOMLines(t *testing.T) {
	q, err := Default().Quote("hybrid-base-remote-om", QuoteRequest{Users: 25000})
	if err != nil {
		t.Fatal(err)
	}
	want := []QuoteLine{
		{Description: "DingTalk Hybrid Base Remote O&M Support, up to 10,000 users", Quantity: 1, UnitPrice: 189000, Amount: 189000},
		{Description: "additional 10,000 users or part thereof (users 10,001–25,000)", Quantity: 2, UnitPrice: 63000, Amount: 126000},
	}
	for i := range want {
		if q.Lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, q.Lines[i], want[i])
		}
	}
	b, _ := json.Marshal(q)
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	for _, k := range []string{"package", "currency", "amount_unit", "total", "lines", "users", "catalog_version"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("quote JSON lacks %q: %s", k, b)
		}
	}
	if raw["total"] != float64(315000) {
		t.Errorf("total = %v", raw["total"])
	}
}

func TestQuoteErrors(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		users  int
		is     error
		rule   string
		errMsg string
	}{
		{"remote om 0 users", "hybrid-base-remote-om", 0, nil, RuleMin, "users: hybrid-base-remote-om is priced per user: users must be ≥ 1, got 0"},
		{"remote om negative users", "hybrid-base-remote-om", -1, nil, RuleMin, "users: hybrid-base-remote-om is priced per user: users must be ≥ 1, got -1"},
		{"remote om overflow", "hybrid-base-remote-om", 1 << 62, nil, RuleMax, ""},
		{"users for a fixed price", "dingtalk-pro", 10, nil, RuleNotOffered, "users: dingtalk-pro is not priced per user"},
		{"landing zone", "landing-zone-basic", 0, ErrNoListPrice, "", "landing-zone-basic: no list price (the seed states none)"},
		{"managed services", "managed-services", 0, ErrNoListPrice, "", "managed-services: no list price (the seed states none)"},
		{"unknown", "nope", 0, ErrUnknownPackage, "", `unknown package "nope"`},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Quote(tt.code, QuoteRequest{Users: tt.users})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			if tt.rule != "" {
				var oe *OptionError
				if !errors.As(err, &oe) || oe.Rule != tt.rule || oe.Field != "users" {
					t.Errorf("err = %#v, want rule %s on users", err, tt.rule)
				}
			}
			if tt.errMsg != "" && err.Error() != tt.errMsg {
				t.Errorf("err = %q, want %q", err, tt.errMsg)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 10001: "10,001", 1234567: "1,234,567", -25000: "-25,000"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

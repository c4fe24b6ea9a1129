package catalog

import (
	"errors"
	"testing"
)

func TestCheckOptions(t *testing.T) {
	tests := []struct {
		name    string
		code    string
		opts    Options
		field   string // "" when valid
		rule    string
		message string
	}{
		{"lz basic network planning", "landing-zone-basic", Options{DesignDomains: []string{"network-planning"}}, "", "", ""},
		{"lz basic security protection", "landing-zone-basic", Options{DesignDomains: []string{"security-protection"}}, "", "", ""},
		{"lz basic with account management listed", "landing-zone-basic", Options{DesignDomains: []string{"account-management", "security-protection"}}, "", "", ""},
		{"lz basic both", "landing-zone-basic", Options{DesignDomains: []string{"network-planning", "security-protection"}},
			"options.design_domains", RuleExactlyOneOf, "options.design_domains: landing-zone-basic requires exactly one of network-planning, security-protection"},
		{"lz basic neither", "landing-zone-basic", Options{},
			"options.design_domains", RuleExactlyOneOf, "options.design_domains: landing-zone-basic requires exactly one of network-planning, security-protection"},
		{"lz basic only account management", "landing-zone-basic", Options{DesignDomains: []string{"account-management"}},
			"options.design_domains", RuleExactlyOneOf, "options.design_domains: landing-zone-basic requires exactly one of network-planning, security-protection"},
		{"lz basic unknown domain", "landing-zone-basic", Options{DesignDomains: []string{"financial-management"}},
			"options.design_domains", RuleChoices, `options.design_domains: landing-zone-basic does not offer "financial-management"; choose from account-management, network-planning, security-protection`},
		{"lz basic duplicate", "landing-zone-basic", Options{DesignDomains: []string{"network-planning", "network-planning"}},
			"options.design_domains", RuleUnique, `options.design_domains: "network-planning" is listed twice`},
		{"lz standard designs all six", "landing-zone-standard", Options{}, "", "", ""},
		{"lz standard takes no domains", "landing-zone-standard", Options{DesignDomains: []string{"network-planning"}},
			"options.design_domains", RuleNotOffered, "options.design_domains: landing-zone-standard takes no design_domains option"},
		{"lz advanced resource intensive", "landing-zone-advanced", Options{ResourceIntensive: true}, "", "", ""},
		{"app customization ABM", "dingtalk-app-customization", Options{IOSDistribution: "ABM"}, "", "", ""},
		{"app customization UAD", "dingtalk-app-customization", Options{IOSDistribution: "UAD"}, "", "", ""},
		{"app customization missing", "dingtalk-app-customization", Options{},
			"options.ios_distribution", RuleRequired, "options.ios_distribution: dingtalk-app-customization requires one of ABM, UAD"},
		{"app customization lower case", "dingtalk-app-customization", Options{IOSDistribution: "abm"},
			"options.ios_distribution", RuleOneOf, `options.ios_distribution: dingtalk-app-customization requires one of ABM, UAD, got "abm"`},
		{"remote om 1 user", "hybrid-base-remote-om", Options{Users: 1}, "", "", ""},
		{"remote om users missing", "hybrid-base-remote-om", Options{},
			"options.users", RuleRequired, "options.users: hybrid-base-remote-om requires users ≥ 1"},
		{"remote om negative users", "hybrid-base-remote-om", Options{Users: -5},
			"options.users", RuleMin, "options.users: hybrid-base-remote-om requires users ≥ 1, got -5"},
		{"pro takes no users", "dingtalk-pro", Options{Users: 5},
			"options.users", RuleNotOffered, "options.users: dingtalk-pro takes no users option"},
		{"pro no options", "dingtalk-pro", Options{}, "", "", ""},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.CheckOptions(tt.code, tt.opts)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var oe *OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v, want *OptionError", err)
			}
			if oe.Field != tt.field || oe.Rule != tt.rule || oe.Package != tt.code || err.Error() != tt.message {
				t.Errorf("got %s / %s / %q\nwant %s / %s / %q", oe.Field, oe.Rule, err.Error(), tt.field, tt.rule, tt.message)
			}
		})
	}
}

func TestCheckOptionsReportsEveryField(t *testing.T) {
	err := Default().CheckOptions("dingtalk-pro", Options{DesignDomains: []string{"x"}, IOSDistribution: "ABM", Users: 3, ResourceIntensive: true})
	got := OptionErrors(err)
	want := []string{"options.design_domains", "options.ios_distribution", "options.users", "options.resource_intensive"}
	if len(got) != len(want) {
		t.Fatalf("got %d option errors (%v), want %d", len(got), err, len(want))
	}
	for i, oe := range got {
		if oe.Field != want[i] || oe.Rule != RuleNotOffered {
			t.Errorf("error %d = %s %s, want %s %s", i, oe.Field, oe.Rule, want[i], RuleNotOffered)
		}
	}
}

func TestCheckOptionsUnknownPackage(t *testing.T) {
	err := Default().CheckOptions("landing-zone-premium", Options{})
	if !errors.Is(err, ErrUnknownPackage) || err.Error() != `unknown package "landing-zone-premium"` {
		t.Errorf("err = %v", err)
	}
}

package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/plan"
)

// Options are the choices made when a project starts. Which fields a package
// takes, and the rules they obey, are the package's [OptionSpec]s; a field a
// package does not take must be left at its zero value.
type Options struct {
	// DesignDomains are the Landing Zone design domains (Basic edition).
	DesignDomains []string `json:"design_domains,omitempty"`
	// IOSDistribution is the iOS distribution mode, "ABM" or "UAD" (App
	// Customization).
	IOSDistribution string `json:"ios_distribution,omitempty"`
	// Users is the number of users covered (Remote O&M).
	Users int `json:"users,omitempty"`
	// ResourceIntensive marks a Landing Zone application as
	// resource-intensive, which lengthens its lead time to one month.
	ResourceIntensive bool `json:"resource_intensive,omitempty"`
}

// Option field names: the JSON names of the Options fields.
const (
	OptionDesignDomains     = "design_domains"
	OptionIOSDistribution   = "ios_distribution"
	OptionUsers             = "users"
	OptionResourceIntensive = "resource_intensive"
)

// OptionType is the shape of an option's value.
type OptionType string

// Option types.
const (
	OptionSet     OptionType = "set"
	OptionEnum    OptionType = "enum"
	OptionInteger OptionType = "integer"
	OptionBoolean OptionType = "boolean"
)

// optionFields maps every Options field to its type.
var optionFields = map[string]OptionType{
	OptionDesignDomains:     OptionSet,
	OptionIOSDistribution:   OptionEnum,
	OptionUsers:             OptionInteger,
	OptionResourceIntensive: OptionBoolean,
}

// optionOrder is the order in which CheckOptions reports fields.
var optionOrder = []string{OptionDesignDomains, OptionIOSDistribution, OptionUsers, OptionResourceIntensive}

// OptionSpec declares one start option of a package and its rule.
type OptionSpec struct {
	// Field is the option's name in [Options] (its JSON name).
	Field string `json:"field"`
	// Type is the shape of the value.
	Type OptionType `json:"type"`
	// Required options must be given.
	Required bool `json:"required"`
	// Choices are the values to choose from (set, enum).
	Choices []string `json:"choices,omitempty"`
	// Always are set members that are always included; giving them is
	// allowed and changes nothing (set).
	Always []string `json:"always,omitempty"`
	// MinChoices and MaxChoices bound how many of Choices a set holds.
	MinChoices int `json:"min_choices,omitempty"`
	MaxChoices int `json:"max_choices,omitempty"`
	// Min is the smallest allowed value (integer).
	Min int `json:"min,omitempty"`
	// Rule names the rule in words, as CheckOptions reports it.
	Rule string `json:"rule"`
	// Text quotes the seed.
	Text string `json:"text"`
}

// Option rule identifiers carried by [OptionError].
const (
	RuleRequired     = "required"
	RuleNotOffered   = "not-offered"
	RuleOneOf        = "one-of"
	RuleChoices      = "choices"
	RuleUnique       = "unique"
	RuleExactlyOneOf = "exactly-one-of"
	RuleCount        = "count"
	RuleMin          = "min"
	RuleMax          = "max"
)

// OptionError is a start option (or quote input) that breaks a package's
// rule. Field is the request field ("options.design_domains", "users"),
// Rule one of the Rule constants.
type OptionError struct {
	Package string
	Field   string
	Rule    string
	Message string
}

// Error renders "options.design_domains: landing-zone-basic requires ...".
func (e *OptionError) Error() string { return e.Field + ": " + e.Message }

// OptionErrors returns the *OptionError values in err, however joined.
func OptionErrors(err error) []*OptionError { return plan.ErrorsOf[*OptionError](err) }

// CheckOptions validates start options for the package with the given code.
// It returns ErrUnknownPackage (wrapped) for an unknown code, otherwise the
// problems found, one *OptionError per field, joined; nil when valid.
func (c *Catalog) CheckOptions(code string, opts Options) error {
	p, err := c.lookup(code)
	if err != nil {
		return err
	}
	return p.CheckOptions(opts)
}

// CheckOptions validates start options against the package's option specs.
// See [Catalog.CheckOptions].
func (p Package) CheckOptions(opts Options) error {
	var errs []error
	for _, field := range optionOrder {
		spec, offered := p.optionSpec(field)
		if !offered {
			if !opts.isZero(field) {
				errs = append(errs, p.optErr("options."+field, RuleNotOffered, "%s takes no %s option", p.Code, field))
			}
			continue
		}
		if err := p.checkOption(spec, "options."+field, opts); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p Package) optionSpec(field string) (OptionSpec, bool) {
	for _, s := range p.Options {
		if s.Field == field {
			return s, true
		}
	}
	return OptionSpec{}, false
}

func (p Package) optErr(field, rule, format string, args ...any) *OptionError {
	return &OptionError{Package: p.Code, Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// checkOption applies one spec; name is the field as reported.
func (p Package) checkOption(s OptionSpec, name string, opts Options) *OptionError {
	switch s.Type {
	case OptionSet:
		vals := opts.set(s.Field)
		seen := map[string]bool{}
		chosen := 0
		for _, v := range vals {
			if seen[v] {
				return p.optErr(name, RuleUnique, "%q is listed twice", v)
			}
			seen[v] = true
			switch {
			case slices.Contains(s.Always, v):
			case slices.Contains(s.Choices, v):
				chosen++
			default:
				return p.optErr(name, RuleChoices, "%s does not offer %q; choose from %s",
					p.Code, v, strings.Join(slices.Concat(s.Always, s.Choices), ", "))
			}
		}
		if len(vals) == 0 && !s.Required {
			return nil
		}
		if chosen < s.MinChoices || (s.MaxChoices > 0 && chosen > s.MaxChoices) {
			if s.MinChoices == 1 && s.MaxChoices == 1 {
				return p.optErr(name, RuleExactlyOneOf, "%s requires exactly one of %s", p.Code, strings.Join(s.Choices, ", "))
			}
			return p.optErr(name, RuleCount, "%s requires %s", p.Code, s.Rule)
		}
	case OptionEnum:
		v := opts.str(s.Field)
		if v == "" {
			if s.Required {
				return p.optErr(name, RuleRequired, "%s requires one of %s", p.Code, strings.Join(s.Choices, ", "))
			}
			return nil
		}
		if !slices.Contains(s.Choices, v) {
			return p.optErr(name, RuleOneOf, "%s requires one of %s, got %q", p.Code, strings.Join(s.Choices, ", "), v)
		}
	case OptionInteger:
		v := opts.integer(s.Field)
		if v == 0 && s.Required {
			return p.optErr(name, RuleRequired, "%s requires %s ≥ %d", p.Code, s.Field, s.Min)
		}
		if v != 0 && v < s.Min {
			return p.optErr(name, RuleMin, "%s requires %s ≥ %d, got %d", p.Code, s.Field, s.Min, v)
		}
	case OptionBoolean:
		// Both values are valid.
	}
	return nil
}

// normalizeOptions returns opts with set options ordered as the spec lists
// them (Always first), duplicates removed and Always members added.
func (p Package) normalizeOptions(opts Options) Options {
	if s, ok := p.optionSpec(OptionDesignDomains); ok {
		var out []string
		for _, v := range slices.Concat(s.Always, s.Choices) {
			if slices.Contains(s.Always, v) || slices.Contains(opts.DesignDomains, v) {
				out = append(out, v)
			}
		}
		opts.DesignDomains = out
	}
	return opts
}

func (o Options) isZero(field string) bool {
	switch field {
	case OptionDesignDomains:
		return len(o.DesignDomains) == 0
	case OptionIOSDistribution:
		return o.IOSDistribution == ""
	case OptionUsers:
		return o.Users == 0
	case OptionResourceIntensive:
		return !o.ResourceIntensive
	}
	return true
}

func (o Options) set(field string) []string {
	if field == OptionDesignDomains {
		return o.DesignDomains
	}
	return nil
}

func (o Options) str(field string) string {
	if field == OptionIOSDistribution {
		return o.IOSDistribution
	}
	return ""
}

func (o Options) integer(field string) int {
	if field == OptionUsers {
		return o.Users
	}
	return 0
}

func (o Options) boolean(field string) bool {
	if field == OptionResourceIntensive {
		return o.ResourceIntensive
	}
	return false
}

// matches reports whether the options satisfy the condition.
func (o Options) matches(c Condition) bool {
	switch optionFields[c.Option] {
	case OptionSet:
		return slices.Contains(o.set(c.Option), c.Value)
	case OptionEnum:
		return o.str(c.Option) == c.Value
	case OptionInteger:
		return strconv.Itoa(o.integer(c.Option)) == c.Value
	case OptionBoolean:
		return strconv.FormatBool(o.boolean(c.Option)) == c.Value
	}
	return false
}

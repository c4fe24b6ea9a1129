package catalog

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/plan"
)

// TestSchemaMatchesTypes holds package.schema.json against the Go types:
// every object of the schema has exactly the JSON fields of its type, so a
// field added to a type without the schema (or the reverse) fails here.
func TestSchemaMatchesTypes(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(SchemaJSON, &doc); err != nil {
		t.Fatal(err)
	}
	defs, _ := doc["$defs"].(map[string]any)
	def := func(name string) map[string]any {
		d, ok := defs[name].(map[string]any)
		if !ok {
			t.Fatalf("no $defs/%s", name)
		}
		return d
	}
	prop := func(obj map[string]any, names ...string) map[string]any {
		for _, n := range names {
			obj = obj["properties"].(map[string]any)[n].(map[string]any)
		}
		return obj
	}
	tests := []struct {
		typ    any
		schema map[string]any
	}{
		{Package{}, doc},
		{SeedRef{}, prop(doc, "seed")},
		{Pricing{}, def("pricing")},
		{Validity{}, def("validity")},
		{Duration{}, def("duration")},
		{Condition{}, def("condition")},
		{OptionSpec{}, def("option")},
		{Prerequisite{}, def("prerequisite")},
		{ServiceHours{}, def("service_hours")},
		{ResponseTarget{}, def("response_target")},
		{Clock{}, def("clock")},
		{Quota{}, def("quota")},
		{Phase{}, def("phase")},
		{Task{}, def("task")},
		{RACI{}, prop(def("task"), "raci")},
		{Deliverable{}, def("deliverable")},
		{Recurrence{}, prop(def("deliverable"), "recurrence")},
		{Threshold{}, def("threshold")},
		{ServiceItem{}, def("service_item")},
		{CreditTier{}, def("credit_tier")},
		{SLA{}, def("sla")},
		{ClaimRule{}, prop(def("sla"), "claims")},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.typ)
		t.Run(typ.Name(), func(t *testing.T) {
			if tt.schema["additionalProperties"] != false {
				t.Error("additionalProperties is not false")
			}
			var want []string
			var fields func(reflect.Type)
			fields = func(rt reflect.Type) {
				for i := range rt.NumField() {
					f := rt.Field(i)
					if f.Anonymous {
						fields(f.Type)
						continue
					}
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					want = append(want, name)
				}
			}
			fields(typ)
			var got []string
			for k := range tt.schema["properties"].(map[string]any) {
				got = append(got, k)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("schema properties %v, Go fields %v", got, want)
			}
			req, _ := tt.schema["required"].([]any)
			for _, r := range req {
				if !slices.Contains(want, r.(string)) {
					t.Errorf("required %s is no field", r)
				}
			}
		})
	}
}

// TestSchemaEnums holds the schema's enumerations against the Go constants.
func TestSchemaEnums(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(SchemaJSON, &doc); err != nil {
		t.Fatal(err)
	}
	at := func(path ...string) []string {
		var n any = doc
		for _, p := range path {
			n = n.(map[string]any)[p]
		}
		var out []string
		for _, v := range n.(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}
	strs := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, reflect.ValueOf(v).String())
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		path []string
		want []string
	}{
		{[]string{"properties", "kind"}, strs(KindProject, KindSupportPlan, KindSLA)},
		{[]string{"$defs", "pricing", "properties", "model"}, strs(PricingFixed, PricingPerUserBlock, PricingUnpriced)},
		{[]string{"$defs", "duration", "properties", "unit"}, strs(UnitNaturalDays, UnitWorkingDays, UnitMonths, UnitMinutes, UnitBusinessMinutes)},
		{[]string{"$defs", "event"}, strs(plan.EventPurchase, plan.EventPayment, plan.EventContractEffective, plan.EventContractSigning, plan.EventSubmission, plan.EventTicketOpened, plan.EventOrder)},
		{[]string{"$defs", "validity", "properties", "type"}, strs(plan.ValidityInstant, plan.ValidityContinuous, plan.ValidityServiceCycle, plan.ValidityMonthly)},
		{[]string{"$defs", "party"}, strs(plan.PartyProvider, plan.PartyCustomer)},
		{[]string{"$defs", "deliverable", "properties", "acceptance"}, strs(plan.AcceptDeemed, plan.AcceptExplicit)},
		{[]string{"$defs", "threshold", "properties", "comparison"}, strs(plan.AtLeast, plan.MoreThan, plan.AtMost, plan.LessThan, plan.Equal)},
		{[]string{"$defs", "threshold", "properties", "unit"}, strs(plan.Percent, plan.Count)},
		{[]string{"$defs", "quota", "properties", "period"}, strs(plan.QuotaPerValidity, plan.QuotaPerYear, plan.QuotaPerQuarter, plan.QuotaPerMonth)},
		{[]string{"$defs", "sla", "properties", "measure"}, strs(MeasureUnavailableMinutes, MeasureErrorRateIntervals)},
		{[]string{"$defs", "option", "properties", "type"}, strs(OptionSet, OptionEnum, OptionInteger, OptionBoolean)},
		{[]string{"$defs", "option", "properties", "field"}, strs(OptionDesignDomains, OptionIOSDistribution, OptionUsers, OptionResourceIntensive)},
		{[]string{"$defs", "condition", "properties", "option"}, strs(OptionDesignDomains, OptionIOSDistribution, OptionUsers, OptionResourceIntensive)},
	}
	for _, tt := range tests {
		if got := at(tt.path...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: enum %v, want %v", strings.Join(tt.path, "/"), got, tt.want)
		}
	}
	recur := func() []string {
		var out []string
		for _, v := range doc["$defs"].(map[string]any)["deliverable"].(map[string]any)["properties"].(map[string]any)["recurrence"].(map[string]any)["properties"].(map[string]any)["kind"].(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}()
	if want := strs(plan.RecurOnce, plan.RecurMonthly, plan.RecurPerEvent, plan.RecurPerQuotaUse); !slices.Equal(recur, want) {
		t.Errorf("recurrence kinds %v, want %v", recur, want)
	}
}

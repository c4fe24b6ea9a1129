package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/sowflow/sowflow/store"
)

// samplePayloads are outbox payloads of every kind, as the projections
// write them.
var samplePayloads = map[string]string{
	"deliverable-submitted":       `{"deliverable":"design","deliverable_name":"Design","deemed":true,"title":"HLD v1","uri":"https://docs.example/hld.pdf","window_closes":"2027-03-05T16:00:00Z"}`,
	"window-closing":              `{"deliverable":"design","deliverable_name":"Design","deemed":true,"window_closes":"2027-03-05T16:00:00Z"}`,
	"deliverable-deemed-accepted": `{"deliverable":"design","deliverable_name":"Design","deemed":true,"window_closes":"2027-03-05T16:00:00Z"}`,
	"customer-reminded":           `{"deliverable":"runbook","deliverable_name":"Runbook","window_closes":"2027-03-05T16:00:00Z"}`,
	"manager-escalated":           `{"deliverable":"runbook","deliverable_name":"Runbook","window_closes":"2027-03-05T16:00:00Z"}`,
	"deliverable-rejected":        `{"deliverable":"runbook","deliverable_name":"Runbook","round":1,"submission":2,"reason":"missing the DR section"}`,
	"phase-advanced":              `{"from":"build","to":"close","phase_name":"Close-out","final_acceptance_due":true,"final_deliverable":"final"}`,
	"clock-warning":               `{"clock":"activation","deadline":"2027-04-01T16:00:00Z"}`,
	"clock-breached":              `{"clock":"activation","deadline":"2027-04-01T16:00:00Z"}`,
	"calendar-updated":            `{"calendar_version":"2027.2","recomputed":[{"deadline":"design window","from":"2027-03-05T16:00:00Z","to":"2027-03-08T16:00:00Z"}]}`,
	"ticket-opened":               `{"ticket":3,"severity":"P1","title":"Mail down","deadline":"2027-03-05T02:00:00Z"}`,
	"severity-changed":            `{"ticket":3,"from":"P3","to":"P1","deadline":"2027-03-05T02:00:00Z"}`,
	"ticket-warning":              `{"ticket":3,"severity":"P1","deadline":"2027-03-05T02:00:00Z"}`,
	"ticket-breached":             `{"ticket":3,"severity":"P1","deadline":"2027-03-05T02:00:00Z"}`,
	"ticket-resolved":             `{"ticket":3,"resolution":"restarted the relay"}`,
	"ticket-reopened":             `{"ticket":3,"reason":"still down"}`,
	"sla-period-computed":         `{"period":"2027-02","result":{"availability_pct":"99.10","compensation_pct":10},"claim_opens":"2027-03-08T16:00:00Z","claim_closes":"2027-04-30T16:00:00Z"}`,
	"claim-window-opened":         `{"period":"2027-02","compensation_pct":10,"claim_closes":"2027-04-30T16:00:00Z"}`,
	"validity-ending":             `{"validity_end":"2027-03-31T16:00:00Z","days":30}`,
	"claim-window-closing":        `{"period":"2027-02","compensation_pct":10,"claim_closes":"2027-04-30T16:00:00Z","working_days":5}`,
	"obligation-short":            `{"obligation":"monthly-report","period":"2027-02","due":1,"submitted":0}`,
	"service-summary":             `{"summary":{}}`,
	store.KindEndpointDisabled:    `{"endpoint":"whe_1","url":"https://hooks.example/x","failing_since":"2027-03-04T01:00:00+00:00","disabled_at":"2027-03-05T01:00:00+00:00"}`,
}

func TestEveryKindRendersInBothLanguages(t *testing.T) {
	for _, k := range Kinds {
		payload, ok := samplePayloads[k.Name]
		if !ok {
			t.Errorf("%s: no sample payload", k.Name)
			continue
		}
		if !json.Valid([]byte(payload)) {
			t.Fatalf("%s: sample payload is not JSON", k.Name)
		}
		e := store.OutboxEntry{Source: store.SourceProject, ProjectID: "ms-1", Kind: k.Name, Payload: json.RawMessage(payload)}
		wantSubject, wantLink := "ms-1", "https://portal.example/projects/ms-1"
		if k.Name == store.KindEndpointDisabled {
			e = store.OutboxEntry{Source: store.SourceEndpoint, ServiceID: "whe_1", Kind: k.Name, Payload: json.RawMessage(payload)}
			wantSubject, wantLink = "whe_1", "https://portal.example/"
		}
		for _, lang := range []store.Language{store.LanguageEnglish, store.LanguageChinese} {
			t.Run(k.Name+"/"+string(lang), func(t *testing.T) {
				n, err := Render(e, lang, "https://portal.example/")
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(n.Subject+n.Body, "?") || !strings.Contains(n.Subject, wantSubject) {
					t.Errorf("notice has a missing value or no subject ID:\n%s\n%s", n.Subject, n.Body)
				}
				if n.Link != wantLink {
					t.Errorf("link %s", n.Link)
				}
				zh := strings.IndexFunc(n.Subject, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
				if zh != (lang == store.LanguageChinese) {
					t.Errorf("subject %q is not in %s", n.Subject, lang)
				}
			})
		}
	}
}

func TestEveryKindIsLabelledInBothLanguages(t *testing.T) {
	for _, k := range Kinds {
		for _, lang := range []store.Language{store.LanguageEnglish, store.LanguageChinese} {
			if k.Label[lang] == "" || k.Text[lang].Subject == "" || k.Text[lang].Body == "" {
				t.Errorf("%s has no label or text in %s", k.Name, lang)
			}
		}
		if len(k.Audience) == 0 {
			t.Errorf("%s has no audience", k.Name)
		}
	}
}

func TestDeemedSubmissionSaysSilenceIsAcceptance(t *testing.T) {
	tests := []struct {
		payload string
		lang    store.Language
		want    []string
		absent  string
	}{
		{samplePayloads["deliverable-submitted"], store.LanguageEnglish,
			[]string{"Design (design)", `"HLD v1"`, "https://docs.example/hld.pdf", "5 Mar 2027 24:00 China Standard Time", "deemed accepted"}, ""},
		{samplePayloads["deliverable-submitted"], store.LanguageChinese,
			[]string{"Design（design）", "2027年3月5日 24:00（北京时间）", "视为验收通过"}, ""},
		{`{"deliverable":"runbook","deemed":false,"window_closes":"2027-03-05T16:00:00Z"}`, store.LanguageEnglish,
			[]string{"runbook", "5 Mar 2027"}, "deemed"},
	}
	for _, tt := range tests {
		n, err := Render(store.OutboxEntry{Source: store.SourceProject, ProjectID: "ms-1", Kind: "deliverable-submitted", Payload: json.RawMessage(tt.payload)}, tt.lang, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(n.Subject+"\n"+n.Body, w) {
				t.Errorf("%s notice lacks %q:\n%s\n%s", tt.lang, w, n.Subject, n.Body)
			}
		}
		if tt.absent != "" && strings.Contains(n.Body, tt.absent) {
			t.Errorf("%s notice says %q:\n%s", tt.lang, tt.absent, n.Body)
		}
	}
}

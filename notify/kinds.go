package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// Kind is a notification kind people are told of: the outbox entries'
// kind (a workflow event type), who is told and its text in each language.
type Kind struct {
	Name string
	// Label names the kind in settings, in each language.
	Label map[store.Language]string
	// Audience is who is told: "customer", "manager" or both.
	Audience []string
	// Legal marks a kind whose notices can have legal effect (see
	// store.LegalNotice): they go out whatever a person's opt-outs say.
	Legal bool
	// Text is the subject and body in each language, as text/template
	// source over a noticeData.
	Text map[store.Language]MailText
}

// MailText is one kind's subject and body in one language.
type MailText struct {
	Subject, Body string
}

const (
	customer = "customer"
	manager  = "manager"
)

// Kinds are the notification kinds, in the order of the documentation's
// table. Each is sent to people by email and the portal's list; webhook
// endpoints may subscribe to any event kind.
var Kinds = []Kind{
	{Name: "deliverable-submitted", Label: map[store.Language]string{store.LanguageEnglish: "Deliverable submitted for acceptance", store.LanguageChinese: "交付物提交验收"}, Audience: []string{customer}, Legal: true, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Deliverable submitted for your acceptance: {{.Deliverable}} ({{.ID}})",
			`{{.Deliverable}} of {{.ID}} was submitted for your acceptance{{with .P.title}}: "{{.}}"{{end}}.{{with .P.uri}} Document: {{.}}{{end}}
The acceptance window closes at {{when .P.window_closes}}.{{if .P.deemed}} As the contract provides, if you give no answer by then, the deliverable is deemed accepted.{{end}}`},
		store.LanguageChinese: {"交付物已提交验收：{{.Deliverable}}（{{.ID}}）",
			`{{.ID}} 的交付物 {{.Deliverable}} 已提交，请您验收{{with .P.title}}：「{{.}}」{{end}}。{{with .P.uri}}文档：{{.}}{{end}}
验收期截止于 {{when .P.window_closes}}。{{if .P.deemed}}依合同约定，若届时未答复，该交付物即视为验收通过。{{end}}`},
	}},
	{Name: "window-closing", Label: map[store.Language]string{store.LanguageEnglish: "Acceptance window closing", store.LanguageChinese: "验收期即将结束"}, Audience: []string{customer}, Legal: true, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Acceptance window closes in one working day: {{.Deliverable}} ({{.ID}})",
			`{{.Deliverable}} of {{.ID}} is waiting for your decision. Its acceptance window closes at {{when .P.window_closes}}, in one working day.{{if ne (print .P.deemed) "false"}} As the contract provides, no answer by then means the deliverable is accepted.{{end}}`},
		store.LanguageChinese: {"验收期还剩一个工作日：{{.Deliverable}}（{{.ID}}）",
			`{{.ID}} 的交付物 {{.Deliverable}} 等待您的验收决定，验收期将于 {{when .P.window_closes}} 结束（还剩一个工作日）。{{if ne (print .P.deemed) "false"}}依合同约定，届时未答复即视为验收通过。{{end}}`},
	}},
	{Name: "deliverable-deemed-accepted", Label: map[store.Language]string{store.LanguageEnglish: "Deliverable deemed accepted", store.LanguageChinese: "交付物视为验收通过"}, Audience: []string{customer, manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Deliverable deemed accepted: {{.Deliverable}} ({{.ID}})",
			`The acceptance window of {{.Deliverable}} of {{.ID}} closed at {{when .P.window_closes}} without an answer; as the contract provides, the deliverable is deemed accepted.`},
		store.LanguageChinese: {"交付物已视为验收通过：{{.Deliverable}}（{{.ID}}）",
			`{{.ID}} 的交付物 {{.Deliverable}} 的验收期已于 {{when .P.window_closes}} 结束且未获答复，依合同约定视为验收通过。`},
	}},
	{Name: "customer-reminded", Label: map[store.Language]string{store.LanguageEnglish: "Acceptance decision overdue", store.LanguageChinese: "验收决定逾期"}, Audience: []string{customer}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Your decision is overdue: {{.Deliverable}} ({{.ID}})",
			`The acceptance window of {{.Deliverable}} of {{.ID}} closed at {{when .P.window_closes}}. The deliverable still needs your explicit acceptance or rejection.`},
		store.LanguageChinese: {"验收决定已逾期：{{.Deliverable}}（{{.ID}}）",
			`{{.ID}} 的交付物 {{.Deliverable}} 的验收期已于 {{when .P.window_closes}} 结束，仍需要您明确验收或拒绝。`},
	}},
	{Name: "manager-escalated", Label: map[store.Language]string{store.LanguageEnglish: "Customer decision overdue (escalation)", store.LanguageChinese: "客户验收逾期（升级）"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Customer decision overdue: {{.Deliverable}} ({{.ID}})",
			`The customer has not decided on {{.Deliverable}} of {{.ID}}; its acceptance window closed at {{when .P.window_closes}}. Please follow up.`},
		store.LanguageChinese: {"客户验收决定逾期：{{.Deliverable}}（{{.ID}}）",
			`客户尚未对 {{.ID}} 的交付物 {{.Deliverable}} 作出决定，验收期已于 {{when .P.window_closes}} 结束，请跟进。`},
	}},
	{Name: "deliverable-rejected", Label: map[store.Language]string{store.LanguageEnglish: "Deliverable rejected", store.LanguageChinese: "交付物被拒绝"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Deliverable rejected: {{.Deliverable}} ({{.ID}})",
			`The customer rejected {{.Deliverable}} of {{.ID}} (round {{.P.round}}, submission {{.P.submission}}). Reason: {{.P.reason}}`},
		store.LanguageChinese: {"交付物被拒绝：{{.Deliverable}}（{{.ID}}）",
			`客户拒绝了 {{.ID}} 的交付物 {{.Deliverable}}（第 {{.P.round}} 轮，第 {{.P.submission}} 次提交）。理由：{{.P.reason}}`},
	}},
	{Name: "phase-advanced", Label: map[store.Language]string{store.LanguageEnglish: "Phase advanced, final acceptance due", store.LanguageChinese: "阶段推进、待最终验收"}, Audience: []string{customer}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"{{if .P.final_acceptance_due}}Final acceptance due{{else}}Next phase started{{end}}: {{or .P.phase_name .P.to}} ({{.ID}})",
			`{{.ID}} moved from phase {{.P.from}} to {{or .P.phase_name .P.to}}.{{if .P.final_acceptance_due}} This phase ends with your final acceptance ({{.P.final_deliverable}}): please review and sign it when it is submitted.{{end}}`},
		store.LanguageChinese: {"{{if .P.final_acceptance_due}}待最终验收{{else}}项目进入下一阶段{{end}}：{{or .P.phase_name .P.to}}（{{.ID}}）",
			`{{.ID}} 已从阶段 {{.P.from}} 进入 {{or .P.phase_name .P.to}}。{{if .P.final_acceptance_due}}本阶段以您的最终验收（{{.P.final_deliverable}}）结束，提交后请审阅并签署。{{end}}`},
	}},
	{Name: "clock-warning", Label: map[store.Language]string{store.LanguageEnglish: "Contract deadline approaching", store.LanguageChinese: "合同期限临近"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Deadline approaching: {{.P.clock}} ({{.ID}})",
			`The {{.P.clock}} deadline of {{.ID}} is at {{when .P.deadline}}, and most of its time is used.`},
		store.LanguageChinese: {"期限临近：{{.P.clock}}（{{.ID}}）",
			`{{.ID}} 的 {{.P.clock}} 期限将于 {{when .P.deadline}} 到期，大部分时间已用完。`},
	}},
	{Name: "clock-breached", Label: map[store.Language]string{store.LanguageEnglish: "Contract deadline missed", store.LanguageChinese: "合同期限已错过"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Deadline missed: {{.P.clock}} ({{.ID}})",
			`The {{.P.clock}} deadline of {{.ID}} passed at {{when .P.deadline}} before it was met.`},
		store.LanguageChinese: {"期限已错过：{{.P.clock}}（{{.ID}}）",
			`{{.ID}} 的 {{.P.clock}} 期限已于 {{when .P.deadline}} 届满，尚未完成。`},
	}},
	{Name: store.KindValidityEnding, Label: map[store.Language]string{store.LanguageEnglish: "Validity ending in 30 days", store.LanguageChinese: "有效期 30 天内结束"}, Audience: []string{customer, manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Validity ends within {{.P.days}} days ({{.ID}})",
			`The validity of {{.ID}} ends at {{when .P.validity_end}}. Deliverables, acceptances and any renewal are due before then.`},
		store.LanguageChinese: {"有效期将在 {{.P.days}} 天内结束（{{.ID}}）",
			`{{.ID}} 的有效期将于 {{when .P.validity_end}} 结束。交付、验收及续约事宜须在此之前完成。`},
	}},
	{Name: "calendar-updated", Label: map[store.Language]string{store.LanguageEnglish: "Deadlines moved by a new calendar", store.LanguageChinese: "新日历调整期限"}, Audience: []string{customer, manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Deadlines moved by the new calendar ({{.ID}})",
			`The working-day calendar {{.P.calendar_version}} was loaded and deadlines of {{.ID}} were recomputed:{{range .P.recomputed}}
- {{.deadline}}: {{when .from}} → {{when .to}}{{end}}`},
		store.LanguageChinese: {"新日历调整了期限（{{.ID}}）",
			`已载入工作日日历 {{.P.calendar_version}}，{{.ID}} 的期限已重新计算：{{range .P.recomputed}}
- {{.deadline}}：{{when .from}} → {{when .to}}{{end}}`},
	}},
	{Name: "ticket-opened", Label: map[store.Language]string{store.LanguageEnglish: "Ticket opened", store.LanguageChinese: "新工单"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Ticket opened, {{.P.severity}}: {{.P.title}} ({{.ID}})",
			`A {{.P.severity}} ticket was opened on {{.ID}}: "{{.P.title}}". The response is due at {{when .P.deadline}}.`},
		store.LanguageChinese: {"新工单（{{.P.severity}}）：{{.P.title}}（{{.ID}}）",
			`{{.ID}} 新开了一张 {{.P.severity}} 级工单：「{{.P.title}}」。响应期限为 {{when .P.deadline}}。`},
	}},
	{Name: "severity-changed", Label: map[store.Language]string{store.LanguageEnglish: "Ticket severity changed", store.LanguageChinese: "工单级别变更"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Ticket severity changed to {{.P.to}} ({{.ID}})",
			`The severity of ticket {{.ID}} changed from {{.P.from}} to {{.P.to}}.{{with .P.deadline}} The response is now due at {{when .}}.{{end}}`},
		store.LanguageChinese: {"工单级别已改为 {{.P.to}}（{{.ID}}）",
			`工单 {{.ID}} 的级别已由 {{.P.from}} 改为 {{.P.to}}。{{with .P.deadline}}响应期限现为 {{when .}}。{{end}}`},
	}},
	{Name: "ticket-warning", Label: map[store.Language]string{store.LanguageEnglish: "Ticket response due soon", store.LanguageChinese: "工单即将超时"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Ticket response due soon ({{.ID}})",
			`75% of the response time of ticket {{.ID}} ({{.P.severity}}) is used; the response is due at {{when .P.deadline}}.`},
		store.LanguageChinese: {"工单即将超出响应时限（{{.ID}}）",
			`工单 {{.ID}}（{{.P.severity}}）的响应时限已用去 75%，须在 {{when .P.deadline}} 前响应。`},
	}},
	{Name: "ticket-breached", Label: map[store.Language]string{store.LanguageEnglish: "Ticket response target missed", store.LanguageChinese: "工单响应超时"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Ticket response target missed ({{.ID}})",
			`Ticket {{.ID}} ({{.P.severity}}) was not answered by {{when .P.deadline}}; its response target is missed.`},
		store.LanguageChinese: {"工单已超出响应时限（{{.ID}}）",
			`工单 {{.ID}}（{{.P.severity}}）未在 {{when .P.deadline}} 前响应，已超出响应时限。`},
	}},
	{Name: "ticket-resolved", Label: map[store.Language]string{store.LanguageEnglish: "Ticket resolved", store.LanguageChinese: "工单已解决"}, Audience: []string{customer}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Ticket resolved, please confirm ({{.ID}})",
			`Ticket {{.ID}} was resolved: {{.P.resolution}}. Please confirm its closure, or reopen it.`},
		store.LanguageChinese: {"工单已解决，请确认（{{.ID}}）",
			`工单 {{.ID}} 已解决：{{.P.resolution}}。请确认关闭，或重新打开。`},
	}},
	{Name: "ticket-reopened", Label: map[store.Language]string{store.LanguageEnglish: "Ticket reopened", store.LanguageChinese: "工单重新打开"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Ticket reopened ({{.ID}})",
			`The customer reopened ticket {{.ID}}. Reason: {{.P.reason}}`},
		store.LanguageChinese: {"工单被重新打开（{{.ID}}）",
			`客户重新打开了工单 {{.ID}}。理由：{{.P.reason}}`},
	}},
	{Name: "sla-period-computed", Label: map[store.Language]string{store.LanguageEnglish: "SLA missed, compensation due", store.LanguageChinese: "未达 SLA、应予补偿"}, Audience: []string{customer, manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"SLA missed, compensation due ({{.ID}})",
			`Availability for {{.ID}} was {{.P.result.availability_pct}}%, below the commitment: {{.P.result.compensation_pct}}% compensation is due. Claims can be filed from {{when .P.claim_opens}} until {{when .P.claim_closes}}.`},
		store.LanguageChinese: {"未达 SLA，应予补偿（{{.ID}}）",
			`{{.ID}} 的可用性为 {{.P.result.availability_pct}}%，低于承诺，应补偿 {{.P.result.compensation_pct}}%。索赔期自 {{when .P.claim_opens}} 至 {{when .P.claim_closes}}。`},
	}},
	{Name: "claim-window-opened", Label: map[store.Language]string{store.LanguageEnglish: "SLA claim window open", store.LanguageChinese: "SLA 索赔期开始"}, Audience: []string{customer}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"SLA claim window open ({{.ID}})",
			`You can now claim {{.P.compensation_pct}}% compensation for {{.ID}}, until {{when .P.claim_closes}}.`},
		store.LanguageChinese: {"SLA 索赔期已开始（{{.ID}}）",
			`您现在可以就 {{.ID}} 申请 {{.P.compensation_pct}}% 的补偿，截止于 {{when .P.claim_closes}}。`},
	}},
	{Name: store.KindClaimWindowClosing, Label: map[store.Language]string{store.LanguageEnglish: "SLA claim window closing", store.LanguageChinese: "SLA 索赔期即将截止"}, Audience: []string{customer}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"SLA claim window closes in {{.P.working_days}} working days ({{.ID}})",
			`The claim window for the {{.P.compensation_pct}}% compensation due for {{.ID}} closes at {{when .P.claim_closes}}, in {{.P.working_days}} working days, and no claim has been filed. File it in the portal before then.`},
		store.LanguageChinese: {"SLA 索赔期还剩 {{.P.working_days}} 个工作日（{{.ID}}）",
			`{{.ID}} 应予 {{.P.compensation_pct}}% 补偿，其索赔期将于 {{when .P.claim_closes}} 截止（还剩 {{.P.working_days}} 个工作日），目前尚未提出索赔。请在此之前通过门户提出。`},
	}},
	{Name: "obligation-short", Label: map[store.Language]string{store.LanguageEnglish: "Obligation short", store.LanguageChinese: "义务未完成"}, Audience: []string{manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Obligation short: {{.P.obligation}} ({{.ID}})",
			`{{.ID}} owed {{.P.due}} submissions of {{.P.obligation}} in {{.P.period}} and has {{.P.submitted}}.`},
		store.LanguageChinese: {"义务未完成：{{.P.obligation}}（{{.ID}}）",
			`{{.ID}} 在 {{.P.period}} 应提交 {{.P.due}} 次 {{.P.obligation}}，实际 {{.P.submitted}} 次。`},
	}},
	{Name: store.KindEndpointDisabled, Label: map[store.Language]string{store.LanguageEnglish: "Webhook endpoint disabled", store.LanguageChinese: "Webhook 端点停用"}, Audience: []string{"admin"}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Webhook endpoint disabled ({{.P.endpoint}})",
			`The webhook endpoint {{.P.endpoint}} ({{.P.url}}) failed every delivery since {{when .P.failing_since}} and was disabled at {{when .P.disabled_at}}; its unsent deliveries were given up. Fix the receiver, then enable it again (POST /v1/webhooks/{{.P.endpoint}}/enable).`},
		store.LanguageChinese: {"Webhook 端点已停用（{{.P.endpoint}}）",
			`Webhook 端点 {{.P.endpoint}}（{{.P.url}}）自 {{when .P.failing_since}} 起投递全部失败，已于 {{when .P.disabled_at}} 停用，未发送的投递已放弃。请修复接收端后重新启用（POST /v1/webhooks/{{.P.endpoint}}/enable）。`},
	}},
	{Name: "service-summary", Label: map[store.Language]string{store.LanguageEnglish: "Annual service summary", store.LanguageChinese: "年度服务总结"}, Audience: []string{customer, manager}, Text: map[store.Language]MailText{
		store.LanguageEnglish: {"Annual service summary ({{.ID}})",
			`The service year of {{.ID}} ended; its summary is in the portal.`},
		store.LanguageChinese: {"年度服务总结（{{.ID}}）",
			`{{.ID}} 的服务年度已结束，总结见门户。`},
	}},
}

// KindNames lists Kinds' names.
func KindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Name
	}
	return names
}

// KindOf returns the kind named name.
func KindOf(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// noticeData is what a kind's text templates see.
type noticeData struct {
	// ID names the subject (project, service, ticket "<service> #<n>" or
	// SLA period).
	ID string
	// Deliverable is the deliverable's name and key, when the notice is
	// about one.
	Deliverable string
	// P is the outbox entry's payload.
	P map[string]any
}

// Notice is one notification rendered in one language.
type Notice struct {
	Subject, Body string
	// Link is the page of the subject in the portal.
	Link string
}

// Render renders the notice of an outbox entry in lang; a kind without
// texts is an error.
func Render(e store.OutboxEntry, lang store.Language, publicURL string) (Notice, error) {
	k, ok := KindOf(e.Kind)
	if !ok {
		return Notice{}, fmt.Errorf("no text for notification kind %s", e.Kind)
	}
	if !lang.Valid() {
		lang = store.LanguageEnglish
	}
	t := k.Text[lang]
	d := noticeData{ID: subjectID(e), P: map[string]any{}}
	if len(e.Payload) > 0 {
		if err := json.Unmarshal(e.Payload, &d.P); err != nil {
			return Notice{}, fmt.Errorf("decode payload of %s: %w", e.Kind, err)
		}
	}
	if key, _ := d.P["deliverable"].(string); key != "" {
		d.Deliverable = key
		if name, _ := d.P["deliverable_name"].(string); name != "" && name != key {
			d.Deliverable = name + " (" + key + ")"
			if lang == store.LanguageChinese {
				d.Deliverable = name + "（" + key + "）"
			}
		}
	}
	var n Notice
	var err error
	if n.Subject, err = execText(k.Name+".subject", t.Subject, lang, d); err != nil {
		return Notice{}, err
	}
	if n.Body, err = execText(k.Name+".body", t.Body, lang, d); err != nil {
		return Notice{}, err
	}
	n.Link = PortalLink(publicURL, e)
	return n, nil
}

func execText(name, src string, lang store.Language, d noticeData) (string, error) {
	t, err := template.New(name).Option("missingkey=zero").Funcs(template.FuncMap{
		"when": func(v any) string { return formatInstant(lang, v) },
	}).Parse(src)
	if err != nil {
		return "", fmt.Errorf("parse text %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render text %s: %w", name, err)
	}
	return strings.ReplaceAll(b.String(), "<no value>", "?"), nil
}

// formatInstant writes an instant (an RFC 3339 string of a payload) in
// China Standard Time, the contracts' zone.
func formatInstant(lang store.Language, v any) string {
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if s == "" {
			return "?"
		}
		return s
	}
	// Midnight is the end of the day before, as the contracts count.
	t = t.In(calendar.Zone())
	clock := t.Format("15:04")
	if clock == "00:00" {
		t, clock = t.AddDate(0, 0, -1), "24:00"
	}
	if lang == store.LanguageChinese {
		return t.Format("2006年1月2日 ") + clock + "（北京时间）"
	}
	return t.Format("2 Jan 2006 ") + clock + " China Standard Time"
}

// subjectID names what the entry is about.
func subjectID(e store.OutboxEntry) string {
	switch e.Source {
	case store.SourceProject:
		return e.ProjectID
	case store.SourceSLAPeriod:
		return e.SLAPeriod
	case store.SourceTicket:
		return e.ServiceID + " #" + strconv.Itoa(e.Ticket)
	}
	return e.ServiceID
}

// PortalLink is the portal page of the entry's subject.
func PortalLink(publicURL string, e store.OutboxEntry) string {
	base := strings.TrimSuffix(publicURL, "/")
	switch e.Source {
	case store.SourceProject:
		return base + "/projects/" + e.ProjectID
	case store.SourceService, store.SourceTicket:
		return base + "/services/" + e.ServiceID
	}
	return base + "/"
}

package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sowflow/sowflow/store"
)

// dingTalkRobot is a DingTalk group robot: it checks each request's
// timestamp and sign against its secret and keeps the markdown messages.
type dingTalkRobot struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	got    []DingTalkMessage
}

func (d *dingTalkRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ts, err := strconv.ParseInt(r.URL.Query().Get("timestamp"), 10, 64)
	if err != nil || r.URL.Query().Get("access_token") != "robot-token" || r.URL.Query().Get("sign") != DingTalkSign(d.secret, ts) ||
		time.Since(time.UnixMilli(ts)).Abs() > time.Hour {
		d.t.Errorf("dingtalk request %s: bad timestamp, token or sign", r.URL)
		_, _ = io.WriteString(w, `{"errcode":310000,"errmsg":"sign not match"}`)
		return
	}
	var m DingTalkMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.MsgType != "markdown" {
		d.t.Errorf("dingtalk body %+v: %v", m, err)
	}
	d.mu.Lock()
	d.got = append(d.got, m)
	d.mu.Unlock()
	_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

// TestEveryKindReachesItsAudience runs the relay against a real SMTP
// server, a Standard Webhooks receiver and a DingTalk robot: every kind
// reaches its audience, in each person's language, by mail and in the
// portal; the manager's notices go to the delivery manager only; an
// opt-out stops a notice except one with legal effect.
func TestEveryKindReachesItsAudience(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{`DELETE FROM notification_optouts`, `DELETE FROM delivery_managers`, `DELETE FROM calendar_feeds`, `DELETE FROM people`} {
		if _, err := f.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	person := func(spec store.PersonSpec) store.Person {
		p, err := f.st.CreatePerson(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	li := person(store.PersonSpec{Email: "li@acme.example", Name: "李雷", Role: store.RoleCustomer, CustomerID: "acme", Language: store.LanguageChinese})
	ann := person(store.PersonSpec{Email: "ann@acme.example", Name: "Ann", Role: store.RoleCustomer, CustomerID: "acme", Language: store.LanguageEnglish})
	mia := person(store.PersonSpec{Email: "mia@provider.example", Name: "Mia", Role: store.RoleManager, Language: store.LanguageEnglish})
	wang := person(store.PersonSpec{Email: "wang@provider.example", Name: "王芳", Role: store.RoleManager, Language: store.LanguageChinese})
	person(store.PersonSpec{Email: "bob@globex.example", Name: "Bob", Role: store.RoleCustomer, CustomerID: "globex"})
	f.project(t, "ms-1", "acme")
	// Wang is the project's delivery manager: Mia hears nothing of it.
	if _, err := f.st.AssignDeliveryManager(store.WithActor(ctx, store.Actor{Subject: "user:" + mia.ID, Role: "manager"}),
		store.Owner{Kind: store.OwnerProject, ID: "ms-1", CustomerID: "acme"}, wang.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Ann switched off submissions and phases by mail: the deemed
	// submission (legal effect) still reaches her, the phase does not.
	if err := f.st.SetNotificationOptOuts(ctx, ann.ID, []store.OptOut{{Kind: "deliverable-submitted", Channel: store.ChannelEmail},
		{Kind: "phase-advanced", Channel: store.ChannelEmail}}); err != nil {
		t.Fatal(err)
	}

	var seq int64
	for _, k := range Kinds {
		if k.Name == store.KindEndpointDisabled {
			continue
		}
		seq++
		for _, role := range k.Audience {
			if _, err := f.pool.Exec(ctx, `INSERT INTO outbox (source, subject_id, event_seq, kind, recipient, payload) VALUES ('project', 'ms-1', $1, $2, $3, $4)`,
				seq, k.Name, role, samplePayloads[k.Name]); err != nil {
				t.Fatal(err)
			}
		}
	}

	box, smtpURL := startMailbox(t)
	rc := &receiver{t: t}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	robot := &dingTalkRobot{t: t, secret: "SECrobot-secret"}
	robotSrv := httptest.NewServer(robot)
	defer robotSrv.Close()
	rc.secret = f.endpoint(t, hook.URL, "acme", KindNames()...).Secret
	if _, err := f.st.CreateWebhookEndpoint(ctx, store.WebhookEndpointSpec{Kind: store.EndpointDingTalk, Secret: robot.secret,
		URL: robotSrv.URL + "/robot/send?access_token=robot-token", Events: []string{"deliverable-submitted", "window-closing"}, CustomerID: "acme"}); err != nil {
		t.Fatal(err)
	}
	// A second group's robot speaks English.
	enRobot := &dingTalkRobot{t: t, secret: "SECen-robot-secret"}
	enRobotSrv := httptest.NewServer(enRobot)
	defer enRobotSrv.Close()
	if _, err := f.st.CreateWebhookEndpoint(ctx, store.WebhookEndpointSpec{Kind: store.EndpointDingTalk, Secret: enRobot.secret, Language: store.LanguageEnglish,
		URL: enRobotSrv.URL + "/robot/send?access_token=robot-token", Events: []string{"window-closing"}, CustomerID: "acme"}); err != nil {
		t.Fatal(err)
	}
	r := &Relay{Store: f.st, Channels: []Channel{
		{Name: store.ChannelWebhook, Sender: &Webhook{Store: f.st, Client: hook.Client(), PublicURL: "https://portal.example"}, Retry: WebhookRetry},
		{Name: store.ChannelEmail, Retry: EmailRetry, Sender: &Email{Store: f.st, URL: smtpURL, From: "sowflow <noreply@provider.example>", PublicURL: "https://portal.example"}},
	}}
	drain(ctx, t, r)

	// Mail: who got which subjects.
	box.mu.Lock()
	msgs := append([]sentMail(nil), box.msgs...)
	box.mu.Unlock()
	subjects := map[string][]string{}
	printed := map[string]bool{}
	for _, m := range msgs {
		p := parseMail(t, m.data)
		subjects[m.to[0]] = append(subjects[m.to[0]], p.subject)
		lang := p.header.Get("Content-Language")
		if !printed[lang] && strings.Contains(p.subject, "Design") {
			printed[lang] = true
			t.Logf("a mail in %s:\nSubject: %s\n\n%s", lang, p.subject, p.text)
		}
	}
	want := map[string]struct{ has, hasNot string }{
		li.Email:   {has: "交付物已提交验收：Design（design）（ms-1）"},
		ann.Email:  {has: "Deliverable submitted for your acceptance: Design (design) (ms-1)", hasNot: "Final acceptance due"},
		wang.Email: {has: "交付物被拒绝：Runbook（runbook）（ms-1）"},
	}
	var customerKinds, managerKinds int
	for _, k := range Kinds {
		if slices.Contains(k.Audience, "customer") {
			customerKinds++
		}
		if slices.Contains(k.Audience, "manager") {
			managerKinds++
		}
	}
	counts := map[string]int{li.Email: customerKinds, ann.Email: customerKinds - 1, wang.Email: managerKinds, mia.Email: 0, "bob@globex.example": 0}
	for to, n := range counts {
		if len(subjects[to]) != n {
			t.Errorf("%s got %d mails, want %d: %q", to, len(subjects[to]), n, subjects[to])
		}
	}
	for to, w := range want {
		if w.has != "" && !slices.Contains(subjects[to], w.has) {
			t.Errorf("%s got no %q among %q", to, w.has, subjects[to])
		}
		for _, s := range subjects[to] {
			if w.hasNot != "" && strings.HasPrefix(s, w.hasNot) {
				t.Errorf("%s got %q although opted out", to, s)
			}
		}
	}
	if !printed["zh-CN"] || !printed["en"] {
		t.Errorf("no mail about the deliverable in both languages: %v", printed)
	}

	// The portal's list: every kind of the role, none switched off there.
	for _, c := range []struct {
		p    store.Person
		want int
	}{{li, customerKinds}, {ann, customerKinds}, {wang, managerKinds}, {mia, 0}} {
		n, err := f.st.UnreadNotifications(ctx, c.p.ID)
		if err != nil || n != c.want {
			t.Errorf("%s has %d unread notifications (%v), want %d", c.p.Name, n, err, c.want)
		}
	}

	// The webhook endpoint got every event once, in order; the robot the
	// two it subscribes to, in its language (Chinese); the English robot
	// its one in English.
	got := rc.messages()
	if len(got) != int(seq) {
		t.Errorf("webhook receiver got %d events, want %d", len(got), seq)
	}
	for i, m := range got {
		if m.event.Data.Seq != int64(i+1) {
			t.Errorf("webhook event %d has seq %d: out of order", i, m.event.Data.Seq)
		}
	}
	robot.mu.Lock()
	defer robot.mu.Unlock()
	if len(robot.got) != 2 || !strings.HasPrefix(robot.got[0].Markdown.Text, "#### 交付物已提交验收") || strings.Contains(robot.got[0].Markdown.Text, "Deliverable submitted") {
		t.Errorf("robot got %+v, want two messages in Chinese only", robot.got)
	}
	enRobot.mu.Lock()
	defer enRobot.mu.Unlock()
	if len(enRobot.got) != 1 || !strings.HasPrefix(enRobot.got[0].Markdown.Text, "#### Acceptance window closes in one working day") ||
		strings.Contains(enRobot.got[0].Markdown.Text, "验收") || !strings.Contains(enRobot.got[0].Markdown.Text, "](https://portal.example/projects/ms-1)") {
		t.Errorf("English robot got %+v, want one message in English", enRobot.got)
	}
	if len(robot.got) > 0 {
		t.Logf("a DingTalk message:\n%s", robot.got[0].Markdown.Text)
	}
}

// TestReceiverDownThenUpGetsEverythingInOrder: a receiver that refuses
// for a while gets every event afterwards, once, in order, although the
// relay takes several deliveries per pass.
func TestReceiverDownThenUpGetsEverythingInOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.project(t, "p-order", "acme")
	const events = 12
	for seq := int64(1); seq <= events; seq++ {
		f.queue(t, "p-order", seq, "ticket-warning", "manager")
	}
	// Down for the first 15 attempts, whichever messages they carry.
	script := make([]int, 15)
	for i := range script {
		script[i] = http.StatusServiceUnavailable
	}
	rc := &receiver{t: t, script: script}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	rc.secret = f.endpoint(t, srv.URL, "", "ticket-warning").Secret
	drain(ctx, t, f.relay(srv.Client(), Retry{}))
	got := rc.messages()
	if len(got) != events {
		t.Fatalf("receiver got %d events, want %d", len(got), events)
	}
	for i, m := range got {
		if m.event.Data.Seq != int64(i+1) {
			t.Errorf("event %d has seq %d, want %d: %v", i, m.event.Data.Seq, i+1, seqs(got))
			break
		}
	}
}

func seqs(got []received) string {
	var b strings.Builder
	for _, m := range got {
		fmt.Fprintf(&b, "%d ", m.event.Data.Seq)
	}
	return b.String()
}

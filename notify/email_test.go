package notify

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/sowflow/sowflow/store"
)

// mailbox is an in-process SMTP server that keeps every message.
type mailbox struct {
	mu   sync.Mutex
	msgs []sentMail
}

type sentMail struct {
	to   []string
	data []byte
}

type mailSession struct {
	box *mailbox
	to  []string
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }
func (s *mailSession) Reset()                                  { s.to = nil }
func (s *mailSession) Logout() error                           { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error    { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, sentMail{to: s.to, data: b})
	return nil
}

func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, "smtp://" + l.Addr().String()
}

// parsedMail is a received message's headers and its text and HTML parts.
type parsedMail struct {
	header     mail.Header
	subject    string
	text, html string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	out := parsedMail{header: m.Header, subject: subject}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			out.text = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	return out
}

func TestEmailReachesTheAudienceInTheirLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `DELETE FROM people`); err != nil {
		t.Fatal(err)
	}
	people := map[string]store.PersonSpec{
		"li":     {Email: "li@acme.example", Name: "李雷", Role: store.RoleCustomer, CustomerID: "acme", Language: store.LanguageChinese},
		"ann":    {Email: "ann@acme.example", Name: "Ann", Role: store.RoleCustomer, CustomerID: "acme", Language: store.LanguageEnglish},
		"gone":   {Email: "gone@acme.example", Name: "Gone", Role: store.RoleCustomer, CustomerID: "acme"},
		"other":  {Email: "bob@globex.example", Name: "Bob", Role: store.RoleCustomer, CustomerID: "globex"},
		"mgr":    {Email: "mia@provider.example", Name: "Mia", Role: store.RoleManager, Language: store.LanguageEnglish},
		"mgr-zh": {Email: "wang@provider.example", Name: "王芳", Role: store.RoleManager, Language: store.LanguageChinese},
	}
	for key, spec := range people {
		p, err := f.st.CreatePerson(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if key == "gone" {
			if _, err := f.st.SetPersonDisabled(ctx, p.ID, true, p.CreatedAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.project(t, "ms-9", "acme")
	f.queue(t, "ms-9", 5, "window-closing", "customer")
	f.queue(t, "ms-9", 6, "manager-escalated", "manager")
	f.queue(t, "ms-9", 7, "project-started", "customer") // no notice

	box, smtpURL := startMailbox(t)
	r := &Relay{Store: f.st, Channels: []Channel{{Name: store.ChannelEmail, Retry: EmailRetry,
		Sender: &Email{Store: f.st, URL: smtpURL, From: "sowflow <noreply@provider.example>", PublicURL: "https://portal.example"}}}}
	drain(ctx, t, r)

	box.mu.Lock()
	msgs := append([]sentMail(nil), box.msgs...)
	box.mu.Unlock()
	tests := []struct {
		to, subject, text, html string
		lang                    string
	}{
		{"li@acme.example", "验收期还剩一个工作日：d5（ms-9）", "李雷，您好：", "视为验收通过", "zh-CN"},
		{"ann@acme.example", "Acceptance window closes in one working day: d5 (ms-9)", "Hello Ann,", "no answer by then means the deliverable is accepted", "en"},
		{"mia@provider.example", "Customer decision overdue: d6 (ms-9)", "Hello Mia,", "Please follow up.", "en"},
		{"wang@provider.example", "客户验收决定逾期：d6（ms-9）", "王芳，您好：", "请跟进", "zh-CN"},
	}
	if len(msgs) != len(tests) {
		for _, m := range msgs {
			t.Logf("sent to %v", m.to)
		}
		t.Fatalf("%d mails sent, want %d", len(msgs), len(tests))
	}
	byRcpt := map[string]sentMail{}
	for _, m := range msgs {
		if len(m.to) != 1 {
			t.Fatalf("mail to %v, want one recipient each", m.to)
		}
		byRcpt[m.to[0]] = m
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			m, ok := byRcpt[tt.to]
			if !ok {
				t.Fatalf("nothing sent to %s", tt.to)
			}
			p := parseMail(t, m.data)
			if p.subject != tt.subject || p.header.Get("Content-Language") != tt.lang || p.header.Get("To") != "<"+tt.to+">" ||
				!strings.Contains(p.header.Get("From"), "noreply@provider.example") || !strings.HasPrefix(p.header.Get("Message-Id"), "<delivery-") {
				t.Errorf("headers %v, subject %q", p.header, p.subject)
			}
			link := "https://portal.example/projects/ms-9"
			if !strings.Contains(p.text, tt.text) || !strings.Contains(p.text, link) {
				t.Errorf("text part %q, want %q and %s", p.text, tt.text, link)
			}
			if !strings.Contains(p.html, tt.html) || !strings.Contains(p.html, `href="`+link+`"`) || !strings.Contains(p.html, `lang="`+tt.lang+`"`) {
				t.Errorf("html part %q, want %q and a link to %s", p.html, tt.html, link)
			}
		})
	}
	var unsent int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE channel = 'email' AND sent_at IS NULL`).Scan(&unsent); err != nil || unsent != 0 {
		t.Errorf("%d email deliveries unsent (%v)", unsent, err)
	}
}

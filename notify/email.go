package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/wneessen/go-mail"

	"github.com/sowflow/sowflow/store"
)

//go:embed templates/*.tmpl
var mailTemplates embed.FS

var (
	textMail = texttemplate.Must(texttemplate.ParseFS(mailTemplates, "templates/mail.txt.tmpl"))
	htmlMail = htmltemplate.Must(htmltemplate.ParseFS(mailTemplates, "templates/mail.html.tmpl"))
)

// MailText is one notification kind's mail in one language; %s in Subject
// and Body is the subject's ID (project, service or SLA period).
type MailText struct {
	Subject, Body string
}

// MailKinds are the notification kinds sent by email, each in Simplified
// Chinese and English. Other kinds are not mailed.
var MailKinds = map[string]map[store.Language]MailText{
	"window-closing": {
		store.LanguageEnglish: {"Acceptance window closes in one working day (%s)",
			"A deliverable of %s is waiting for your decision and its acceptance window closes in one working day. If the deliverable is accepted in silence, no answer by then means acceptance."},
		store.LanguageChinese: {"验收期还剩一个工作日（%s）",
			"%s 有一项交付物等待您的验收决定，验收期将在一个工作日后结束。若该交付物适用默认验收，届时未答复即视为验收通过。"},
	},
	"deliverable-deemed-accepted": {
		store.LanguageEnglish: {"Deliverable deemed accepted (%s)",
			"The acceptance window of a deliverable of %s ended without an answer; as the contract provides, the deliverable is deemed accepted."},
		store.LanguageChinese: {"交付物已视为验收通过（%s）",
			"%s 的一项交付物在验收期内未获答复，依合同约定视为验收通过。"},
	},
	"customer-reminded": {
		store.LanguageEnglish: {"A deliverable is overdue for your decision (%s)",
			"A deliverable of %s is past its acceptance window and still needs your explicit decision."},
		store.LanguageChinese: {"交付物验收已逾期（%s）",
			"%s 的一项交付物已过验收期，仍需要您明确的验收决定。"},
	},
	"manager-escalated": {
		store.LanguageEnglish: {"Customer decision overdue (%s)",
			"The customer has not decided on a deliverable of %s within its acceptance window. Please follow up."},
		store.LanguageChinese: {"客户验收决定逾期（%s）",
			"客户未在验收期内对 %s 的一项交付物作出决定，请跟进。"},
	},
}

// MailKindNames lists MailKinds' kinds.
func MailKindNames() []string {
	names := make([]string, 0, len(MailKinds))
	for k := range MailKinds {
		names = append(names, k)
	}
	return names
}

var mailWords = map[store.Language]struct{ greeting, link string }{
	store.LanguageEnglish: {"Hello %s,", "Open in the portal"},
	store.LanguageChinese: {"%s，您好：", "在门户中查看"},
}

// Email sends deliveries to people by SMTP.
type Email struct {
	Store *store.Store
	// URL is the SMTP server: smtp://[user:pass@]host[:port] (STARTTLS when
	// offered) or smtps://… (implicit TLS).
	URL string
	// From is the sender address.
	From string
	// PublicURL is the portal's address; links start with it.
	PublicURL string
	// Options are extra client options (tests trust their server's TLS).
	Options []mail.Option
}

// MessageID is the Message-ID of a delivery's mail: the same on every retry,
// so a resend can be recognised.
func MessageID(deliveryID int64, from string) string {
	_, domain, _ := strings.Cut(from, "@")
	if domain == "" {
		domain = "sowflow"
	}
	return "delivery-" + strconv.FormatInt(deliveryID, 10) + "@" + strings.Trim(domain, ">")
}

// Send mails the delivery to its person in their language. A person gone
// or a kind without text is permanent.
func (e *Email) Send(ctx context.Context, d store.Delivery) error {
	p, err := e.Store.FindPerson(ctx, d.Recipient)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.Disabled {
		return fmt.Errorf("person %s is gone or disabled: %w", d.Recipient, ErrPermanent)
	}
	if err != nil {
		return err
	}
	texts, ok := MailKinds[d.Entry.Kind]
	if !ok {
		return fmt.Errorf("no mail text for %s: %w", d.Entry.Kind, ErrPermanent)
	}
	lang := p.Language
	if !lang.Valid() {
		lang = store.LanguageEnglish
	}
	t := texts[lang]
	subject := subjectID(d.Entry)
	data := struct {
		Lang, Greeting, Body, Link, LinkLabel string
	}{string(lang), fmt.Sprintf(mailWords[lang].greeting, p.Name), fmt.Sprintf(t.Body, subject), portalLink(e.PublicURL), mailWords[lang].link}
	var text, html bytes.Buffer
	if err := textMail.Execute(&text, data); err != nil {
		return fmt.Errorf("render mail: %w", err)
	}
	if err := htmlMail.Execute(&html, data); err != nil {
		return fmt.Errorf("render mail: %w", err)
	}
	m := mail.NewMsg()
	if err := m.From(e.From); err != nil {
		return fmt.Errorf("mail from %q: %w: %w", e.From, err, ErrPermanent)
	}
	if err := m.To(p.Email); err != nil {
		return fmt.Errorf("mail to %q: %w: %w", p.Email, err, ErrPermanent)
	}
	m.Subject(fmt.Sprintf(t.Subject, subject))
	m.SetMessageIDWithValue(MessageID(d.ID, e.From))
	m.SetGenHeader(mail.HeaderContentLang, string(lang))
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, text.String())
	m.AddAlternativeString(mail.TypeTextHTML, html.String())

	c, err := e.client()
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("send mail to %s: %w", p.Email, err)
	}
	return nil
}

// client makes an SMTP client for e.URL.
func (e *Email) client() (*mail.Client, error) {
	u, err := url.Parse(e.URL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	opts := []mail.Option{mail.WithTLSPortPolicy(mail.TLSOpportunistic)}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		opts = []mail.Option{mail.WithSSL()}
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url port: %w", err)
		}
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	opts = append(opts, e.Options...)
	host, _, err := net.SplitHostPort(u.Host)
	if err != nil {
		host = u.Host
	}
	return mail.NewClient(host, opts...)
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

// portalLink is the portal's home page, where the person signs in and
// finds the subject (the portal has no page per project yet).
func portalLink(publicURL string) string { return strings.TrimSuffix(publicURL, "/") + "/" }

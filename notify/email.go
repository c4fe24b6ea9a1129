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
	"os"
	"path/filepath"
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
	// Dir, when set, keeps each mail as delivery-<id>.eml in this folder
	// instead of sending it (sowflow dev without an SMTP server).
	Dir string
}

// keep writes the mail of delivery d to e.Dir; a retry writes the same
// file again.
func (e *Email) keep(d store.Delivery, m *mail.Msg) error {
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return fmt.Errorf("mail folder: %w", err)
	}
	name := filepath.Join(e.Dir, "delivery-"+strconv.FormatInt(d.ID, 10)+".eml")
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("keep mail: %w", err)
	}
	if _, err := m.WriteTo(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("keep mail: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keep mail: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("keep mail: %w", err)
	}
	return nil
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
	lang := p.Language
	if !lang.Valid() {
		lang = store.LanguageEnglish
	}
	n, err := Render(d.Entry, lang, e.PublicURL)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	data := struct {
		Lang, Greeting, Body, Link, LinkLabel string
	}{string(lang), fmt.Sprintf(mailWords[lang].greeting, p.Name), n.Body, n.Link, mailWords[lang].link}
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
	m.Subject(n.Subject)
	m.SetMessageIDWithValue(MessageID(d.ID, e.From))
	m.SetGenHeader(mail.HeaderContentLang, string(lang))
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, text.String())
	m.AddAlternativeString(mail.TypeTextHTML, html.String())

	if e.Dir != "" {
		return e.keep(d, m)
	}
	c, err := e.client()
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		// A 5xx answer (no such mailbox, refused) is permanent; a 4xx one,
		// or a server that cannot be reached, is retried.
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 {
			return fmt.Errorf("send mail to %s: %w: %w", p.Email, err, ErrPermanent)
		}
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

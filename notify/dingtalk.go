package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/store"
)

// DingTalkSign returns the sign query parameter of a DingTalk robot
// request sent at timestamp (milliseconds since the Unix epoch): the base64
// HMAC-SHA256 of "<timestamp>\n<secret>", keyed by the secret.
func DingTalkSign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", timestamp, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// DingTalkMessage is the body a DingTalk robot takes: a markdown message.
type DingTalkMessage struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"markdown"`
}

// dingTalkMessage renders the delivery as markdown in lang, the robot's
// language (Simplified Chinese when it has none).
func dingTalkMessage(d store.Delivery, lang store.Language, publicURL string) (DingTalkMessage, error) {
	var m DingTalkMessage
	m.MsgType = "markdown"
	if !lang.Valid() {
		lang = store.LanguageChinese
	}
	n, err := Render(d.Entry, lang, publicURL)
	if err != nil {
		return m, err
	}
	m.Markdown.Title = n.Subject
	m.Markdown.Text = "#### " + markdownEscape(n.Subject) + "\n\n" + markdownEscape(n.Body) + "\n\n[" + mailWords[lang].link + "](" + n.Link + ")"
	return m, nil
}

// markdownEscape keeps text from an event (titles, reasons) from being
// read as markdown links or emphasis.
func markdownEscape(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`", "#", `\#`).Replace(s)
}

// sendDingTalk posts the delivery to a DingTalk group robot, signed as
// DingTalk specifies (timestamp and sign query parameters). DingTalk
// answers 200 with an errcode; only 0 is success, and a refusal other than
// its rate limit (130101) is permanent.
func (w *Webhook) sendDingTalk(ctx context.Context, ep store.WebhookEndpoint, d store.Delivery) error {
	msg, err := dingTalkMessage(d, ep.Language, w.PublicURL)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode dingtalk message: %w", err)
	}
	u, err := url.Parse(ep.URL)
	if err != nil {
		return fmt.Errorf("dingtalk robot url: %w: %w", err, ErrPermanent)
	}
	ts := w.now().UnixMilli()
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", DingTalkSign(ep.Secret, ts))
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("dingtalk request: %w: %w", err, ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := w.client().Do(req)
	if err != nil {
		return fmt.Errorf("post to dingtalk robot %s: %w", ep.ID, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := statusError(ep, resp); err != nil {
		return err
	}
	var answer struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(b, &answer); err != nil {
		return fmt.Errorf("dingtalk robot %s answered %q: %w", ep.ID, b, err)
	}
	switch answer.ErrCode {
	case 0:
		return nil
	case 130101:
		return fmt.Errorf("dingtalk robot %s: %d %s", ep.ID, answer.ErrCode, answer.ErrMsg)
	}
	return fmt.Errorf("dingtalk robot %s refused the message: %d %s: %w", ep.ID, answer.ErrCode, answer.ErrMsg, ErrPermanent)
}

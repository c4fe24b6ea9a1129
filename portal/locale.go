package portal

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/store"
)

// negotiateLanguage picks the language of a visitor who is not signed in:
// the one they switched to (a cookie), else the best of Accept-Language that
// the portal speaks, else English.
func negotiateLanguage(r *http.Request) store.Language {
	if c, err := r.Cookie(languageCookie); err == nil && store.Language(c.Value).Valid() {
		return store.Language(c.Value)
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// fromAcceptLanguage returns zh-CN or en, whichever Accept-Language ranks
// first (any zh variant counts as zh-CN); English when it names neither.
func fromAcceptLanguage(header string) store.Language {
	type choice struct {
		lang store.Language
		q    float64
		pos  int
	}
	var choices []choice
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch {
		case q <= 0:
		case primary == "zh":
			choices = append(choices, choice{store.LanguageChinese, q, i})
		case primary == "en":
			choices = append(choices, choice{store.LanguageEnglish, q, i})
		}
	}
	if len(choices) == 0 {
		return store.LanguageEnglish
	}
	sort.SliceStable(choices, func(a, b int) bool { return choices[a].q > choices[b].q })
	return choices[0].lang
}

package portal

import "github.com/sowflow/sowflow/store"

// The words of refused actions (api_call.go).
func init() {
	addMessages(map[store.Language]map[string]string{
		store.LanguageEnglish: {
			"refused_title":   "The action was not taken",
			"refused_intro":   "sowflow refused this action under the contract's rules; nothing was changed.",
			"refused_rule":    "Rule:",
			"refused_missing": "What is missing:",
			"refused_back":    "Back to the page",
		},
		store.LanguageChinese: {
			"refused_title":   "操作未执行",
			"refused_intro":   "依据合同规则，sowflow 拒绝了此操作；未做任何更改。",
			"refused_rule":    "规则：",
			"refused_missing": "尚缺：",
			"refused_back":    "返回页面",
		},
	})
}

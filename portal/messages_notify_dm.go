package portal

import "github.com/sowflow/sowflow/store"

// The words of the project's delivery-manager page
// (project_delivery_manager.go).
func init() {
	addMessages(map[store.Language]map[string]string{
		store.LanguageEnglish: {
			"dm_link":         "Delivery manager",
			"dm_title":        "Delivery manager",
			"dm_back":         "← Manage the project",
			"dm_intro":        "The delivery manager is told of the project's manager notices (rejections, escalations, deadlines at risk) by mail and in the portal.",
			"dm_current":      "Delivery manager",
			"dm_everyone":     "None: every manager is told",
			"dm_assigned":     "Assigned",
			"dm_by":           "by",
			"dm_change":       "Hand the project to another manager",
			"dm_person":       "Manager",
			"dm_choose":       "Choose a manager",
			"dm_hint":         "The change is recorded on the customer's audit trail with who made it.",
			"dm_button":       "Assign",
			"dm_done":         "The delivery manager was changed.",
			"dm_rule_choose":  "Choose a manager.",
			"dm_rule_manager": "This person is not an enabled manager.",
		},
		store.LanguageChinese: {
			"dm_link":         "交付经理",
			"dm_title":        "交付经理",
			"dm_back":         "← 管理项目",
			"dm_intro":        "交付经理通过邮件和门户接收本项目面向经理的通知（拒绝、升级、临近或错过的期限）。",
			"dm_current":      "交付经理",
			"dm_everyone":     "未指定：通知所有经理",
			"dm_assigned":     "指定于",
			"dm_by":           "操作人",
			"dm_change":       "将项目转交给其他经理",
			"dm_person":       "经理",
			"dm_choose":       "请选择经理",
			"dm_hint":         "变更及其操作人将记入客户的审计记录。",
			"dm_button":       "指定",
			"dm_done":         "交付经理已变更。",
			"dm_rule_choose":  "请选择一位经理。",
			"dm_rule_manager": "此人不是已启用的经理。",
		},
	})
}

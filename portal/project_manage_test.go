package portal

import (
	"strings"
	"testing"

	"github.com/sowflow/sowflow/catalog"
)

// TestPrerequisiteLabel: the delay form names a prerequisite by the
// contract's words, shortened for a phone, and by its key only when the
// contract gives none.
func TestPrerequisiteLabel(t *testing.T) {
	long := strings.Repeat("客户须提前申请。", 20)
	tests := []struct {
		name string
		pr   catalog.Prerequisite
		want string
	}{
		{"the contract's words", catalog.Prerequisite{Key: "k", Text: " Apply 15 working days before the order. "}, "Apply 15 working days before the order."},
		{"no words: the key", catalog.Prerequisite{Key: "application-lead-time"}, "application-lead-time"},
		{"long words are cut at a character, not a byte", catalog.Prerequisite{Key: "k", Text: long},
			string([]rune(long)[:prerequisiteLabelLength-1]) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := prerequisiteLabel(tt.pr); got != tt.want {
				t.Fatalf("prerequisiteLabel = %q, want %q", got, tt.want)
			}
		})
	}
}

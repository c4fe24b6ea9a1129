package workflows

import (
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes every project workflow keeps up to date, so operators can
// find projects in Temporal's own tools. sowflow's API lists projects from the
// PostgreSQL projection instead and never needs Temporal visibility.
var (
	AttrCustomer     = temporal.NewSearchAttributeKeyKeyword("SowCustomer")
	AttrPackage      = temporal.NewSearchAttributeKeyKeyword("SowPackage")
	AttrPhase        = temporal.NewSearchAttributeKeyKeyword("SowPhase")
	AttrStatus       = temporal.NewSearchAttributeKeyKeyword("SowStatus")
	AttrNextDeadline = temporal.NewSearchAttributeKeyTime("SowNextDeadline")
)

// SearchAttributes returns the custom search attributes to register on the
// namespace, by name and type.
func SearchAttributes() map[string]enums.IndexedValueType {
	return map[string]enums.IndexedValueType{
		AttrCustomer.GetName():     enums.INDEXED_VALUE_TYPE_KEYWORD,
		AttrPackage.GetName():      enums.INDEXED_VALUE_TYPE_KEYWORD,
		AttrPhase.GetName():        enums.INDEXED_VALUE_TYPE_KEYWORD,
		AttrStatus.GetName():       enums.INDEXED_VALUE_TYPE_KEYWORD,
		AttrNextDeadline.GetName(): enums.INDEXED_VALUE_TYPE_DATETIME,
	}
}

package api

import (
	"encoding/base64"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

// Lists read from the read model: pages in key order with an opaque
// cursor, and the customer scope.

// listPage is one page of a list read from the read model: the items in key
// order and, after a full page, the cursor of the next one.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// defaultListLimit is the page size of a list whose limit is not given.
const defaultListLimit = 50

// newListPage is the page of items read with page size limit; a full page
// carries the cursor after its last item, whose key is key.
func newListPage[T any](items []T, limit int, key func(T) string) listPage[T] {
	page := listPage[T]{Items: items}
	if page.Items == nil {
		page.Items = []T{}
	}
	if len(items) > 0 && len(items) == limit {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(items[len(items)-1])))
	}
	return page
}

// badCursor answers 400 naming the cursor parameter.
func badCursor(c *gin.Context) {
	invalid(c, "the cursor is not one this API gave out", FieldError{Field: "cursor", Rule: "cursor", Detail: "pass next_cursor from the previous page unchanged"})
}

// decodeCursor returns the key a cursor from newListPage carries ("" for
// no cursor); it answers 400 and returns false for one it did not give out.
func decodeCursor(c *gin.Context, cursor string) (string, bool) {
	after, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		badCursor(c)
		return "", false
	}
	return string(after), true
}

// scopeToCustomer applies a customer principal's scope to a list's customer
// filter: staff lists what they asked for; a customer lists its own, and a
// filter naming another customer selects nothing (none is true).
func scopeToCustomer(c *gin.Context, asked string) (customer string, none bool) {
	p := principal(c)
	if p.Role != store.RoleCustomer {
		return asked, false
	}
	return p.CustomerID, asked != "" && asked != p.CustomerID
}

package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/catalog"
)

// The catalog routes, and the resolution of a package into the plan a
// start passes to its workflow.

// catalogList and catalogPackage describe the packages; catalogQuote prices one.
func (h *handlers) catalogList(c *gin.Context) {
	if cat, ok := h.catalog(c); ok {
		c.JSON(http.StatusOK, cat)
	}
}

// SchemaContentType is the media type of /v1/catalog/schema.json.
const SchemaContentType = "application/schema+json"

// catalogSchema answers the JSON Schema of a catalog package file.
func catalogSchema(c *gin.Context) {
	c.Data(http.StatusOK, SchemaContentType, catalog.SchemaJSON)
}

func (h *handlers) catalogPackage(c *gin.Context) {
	if _, p, ok := h.catalogEntry(c); ok {
		c.JSON(http.StatusOK, p)
	}
}

// catalogEntry returns the catalog in force and the package of the path
// in it; it answers 404 and returns false when the catalog has none.
func (h *handlers) catalogEntry(c *gin.Context) (*catalog.Catalog, catalog.Package, bool) {
	cat, ok := h.catalog(c)
	if !ok {
		return nil, catalog.Package{}, false
	}
	p, ok := cat.Package(c.Param("code"))
	if !ok {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no package " + strconv.Quote(c.Param("code")) + " in the catalog"})
	}
	return cat, p, ok
}

type quoteQuery struct {
	Users int `form:"users" validate:"omitempty,min=1,max=100000000"`
}

func (h *handlers) catalogQuote(c *gin.Context) {
	var q quoteQuery
	if !bindQuery(c, &q) {
		return
	}
	cat, _, ok := h.catalogEntry(c)
	if !ok {
		return
	}
	quote, err := cat.Quote(c.Param("code"), catalog.QuoteRequest{Users: q.Users})
	if err != nil {
		if errors.Is(err, catalog.ErrNoListPrice) {
			writeProblem(c, Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity, Detail: err.Error(), Rule: "no-list-price"})
			return
		}
		if p, ok := optionsProblem(err, "the quote parameters do not fit the package"); ok {
			writeProblem(c, p)
			return
		}
		invalid(c, "the quote cannot be made", FieldError{Field: "users", Rule: "quote", Detail: err.Error()})
		return
	}
	c.JSON(http.StatusOK, quote)
}

// resolvePlan resolves a package of the catalog in force (the newest
// published version of each code) with the start options:
// an unknown package is 400, options that break the package's rules are 422
// naming each. It returns false when it answered.
func (h *handlers) resolvePlan(c *gin.Context, code string, opts catalog.Options) (catalog.Plan, bool) {
	cat, ok := h.catalog(c)
	if !ok {
		return catalog.Plan{}, false
	}
	plan, err := cat.Plan(code, opts)
	if errors.Is(err, catalog.ErrUnknownPackage) {
		invalid(c, "the package is not in the catalog", FieldError{Field: "package", Rule: "packagecode", Detail: "is not a package of catalog " + cat.Version + " (GET /v1/catalog lists them)"})
		return plan, false
	}
	if err != nil {
		if p, ok := optionsProblem(err, "the start options break the package's rules"); ok {
			writeProblem(c, p)
			return plan, false
		}
		h.internal(c, "resolve plan", err)
		return plan, false
	}
	return plan, true
}

// optionsProblem is the 422 answer, with detail, naming each option err
// says breaks the package's rules; false when err holds no
// *catalog.OptionError.
func optionsProblem(err error, detail string) (Problem, bool) {
	oerrs := catalog.OptionErrors(err)
	if len(oerrs) == 0 {
		return Problem{}, false
	}
	p := Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity, Detail: detail}
	for _, oe := range oerrs {
		// oe.Field is already the request field ("options.<name>", "users").
		p.Errors = append(p.Errors, FieldError{Field: oe.Field, Rule: oe.Rule, Detail: oe.Message})
	}
	return p, true
}

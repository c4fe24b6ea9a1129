package catalog

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrNoListPrice is returned (wrapped) when a quote is asked for a package
// whose seed states no list price.
var ErrNoListPrice = errors.New("no list price")

// AmountUnitWholeDollars is the unit of every amount in a [Quote] and in
// [Pricing]: whole US dollars, not cents.
const AmountUnitWholeDollars = "whole_dollars"

// QuoteRequest is the input of a price quote.
type QuoteRequest struct {
	// Users is the number of users, for packages priced per user block;
	// it must be zero for the others.
	Users int `json:"users,omitempty"`
}

// Quote is the list price of one unit of a package. Amounts are whole US
// dollars (int64), as AmountUnit says in the JSON form.
type Quote struct {
	Package        string      `json:"package"`
	Name           string      `json:"name"`
	CatalogVersion string      `json:"catalog_version"`
	Currency       string      `json:"currency"`
	AmountUnit     string      `json:"amount_unit"`
	Users          int         `json:"users,omitempty"`
	Total          int64       `json:"total"`
	Lines          []QuoteLine `json:"lines"`
}

// QuoteLine is one line of a quote: Amount = Quantity × UnitPrice.
type QuoteLine struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"`
	Amount      int64  `json:"amount"`
}

// Quote prices one unit of the package with the given code. Errors:
// ErrUnknownPackage and ErrNoListPrice (wrapped), or an *OptionError with
// Field "users" for a user count the package's pricing rule refuses.
func (c *Catalog) Quote(code string, q QuoteRequest) (Quote, error) {
	p, err := c.lookup(code)
	if err != nil {
		return Quote{}, err
	}
	out := Quote{
		Package:        p.Code,
		Name:           p.Name,
		CatalogVersion: c.Version,
		Currency:       p.Pricing.Currency,
		AmountUnit:     AmountUnitWholeDollars,
	}
	pr := p.Pricing
	switch pr.Model {
	case PricingFixed:
		if q.Users != 0 {
			return Quote{}, p.optErr(OptionUsers, RuleNotOffered, "%s is not priced per user", p.Code)
		}
		out.Lines = []QuoteLine{{Description: p.Name, Quantity: 1, UnitPrice: pr.ListPrice, Amount: pr.ListPrice}}
	case PricingPerUserBlock:
		if q.Users < 1 {
			return Quote{}, p.optErr(OptionUsers, RuleMin, "%s is priced per user: users must be ≥ 1, got %d", p.Code, q.Users)
		}
		out.Users = q.Users
		out.Lines = []QuoteLine{{
			Description: fmt.Sprintf("%s, up to %s users", p.Name, thousands(int64(pr.IncludedUsers))),
			Quantity:    1, UnitPrice: pr.ListPrice, Amount: pr.ListPrice,
		}}
		if extra := q.Users - pr.IncludedUsers; extra > 0 {
			blocks := int64((extra + pr.BlockUsers - 1) / pr.BlockUsers)
			if blocks > (math.MaxInt64-pr.ListPrice)/pr.BlockPrice {
				return Quote{}, p.optErr(OptionUsers, RuleMax, "%d users is beyond what a quote can price", q.Users)
			}
			out.Lines = append(out.Lines, QuoteLine{
				Description: fmt.Sprintf("additional %s users or part thereof (users %s–%s)",
					thousands(int64(pr.BlockUsers)), thousands(int64(pr.IncludedUsers)+1), thousands(int64(q.Users))),
				Quantity: blocks, UnitPrice: pr.BlockPrice, Amount: blocks * pr.BlockPrice,
			})
		}
	default:
		return Quote{}, fmt.Errorf("%s: %w (the seed states none)", p.Code, ErrNoListPrice)
	}
	for _, l := range out.Lines {
		out.Total += l.Amount
	}
	return out, nil
}

// thousands formats n with comma separators: 10000 → "10,000".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

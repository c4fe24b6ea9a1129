package api

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/sowflow/sowflow/calendar"
)

// maxBodyBytes bounds every request body; larger bodies get 413.
const maxBodyBytes = 1 << 20

// packageCodePattern is the shape of catalog package codes.
var packageCodePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// validate checks request structs; field names in errors are the JSON or
// query names clients send.
var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "form", "uri"} {
			if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" && name != "-" {
				return name
			}
		}
		return f.Name
	})
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(v.RegisterValidation("rfc3339", func(fl validator.FieldLevel) bool {
		_, err := time.Parse(time.RFC3339, fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("civildate", func(fl validator.FieldLevel) bool {
		_, err := calendar.ParseDate(fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("sha256hex", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		b, err := hex.DecodeString(s)
		return err == nil && len(b) == 32 && strings.ToLower(s) == s
	}))
	must(v.RegisterValidation("identifier", func(fl validator.FieldLevel) bool {
		return identifierPattern.MatchString(fl.Field().String())
	}))
	must(v.RegisterValidation("packagecode", func(fl validator.FieldLevel) bool {
		return packageCodePattern.MatchString(fl.Field().String())
	}))
	// "uri" is a document's URI here (the only kind the API takes), not
	// any absolute URI as the validator's own rule has it.
	must(v.RegisterValidationCtx("uri", func(ctx context.Context, fl validator.FieldLevel) bool {
		return documentURI(ctx, fl.Field().String())
	}))
	must(v.RegisterValidation("hours", func(fl validator.FieldLevel) bool {
		_, err := calendar.ParseHours(fl.Field().String())
		return err == nil
	}))
	return v
}

type httpDocumentURIsKey struct{}

// withHTTPDocumentURIs returns a context under which document URIs may be
// http:// as well as https:// (Deps.AllowHTTPDocumentURIs).
func withHTTPDocumentURIs(ctx context.Context) context.Context {
	return context.WithValue(ctx, httpDocumentURIsKey{}, true)
}

// documentURI reports whether s may be stored as a document's URI: an
// absolute https:// URL with a host, or http:// under withHTTPDocumentURIs.
// People open these as links, so javascript:, data:, file: and every other
// scheme are refused.
func documentURI(ctx context.Context, s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		allowed, _ := ctx.Value(httpDocumentURIsKey{}).(bool)
		return allowed
	}
	return false
}

// ruleDetail explains a validator tag in words.
func ruleDetail(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "rfc3339":
		return "must be an RFC 3339 instant such as 2026-09-29T10:00:00+08:00"
	case "civildate":
		return "must be a date such as 2026-10-10"
	case "sha256hex":
		return "must be 64 lower-case hexadecimal characters (a SHA-256)"
	case "hours":
		return "must be opening hours such as 09:00-17:00"
	case "identifier":
		return "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
	case "packagecode":
		return "must be a catalog package code such as landing-zone-advanced"
	case "required_if":
		return "is required here"
	case "excluded_unless":
		return "must be left out here"
	case "min":
		return "must be at least " + fe.Param()
	case "max":
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "url":
		return "must be an absolute URL"
	case "uri":
		return "must be an https:// URL with a host (http:// only where the server allows it)"
	}
	return "breaks rule " + fe.Tag()
}

// fieldErrors turns validation failures into problem field errors.
func fieldErrors(err error) []FieldError {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return nil
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		// Namespace is Type.field.sub; drop the struct name.
		field := fe.Namespace()
		if _, rest, ok := strings.Cut(field, "."); ok {
			field = rest
		}
		out = append(out, FieldError{Field: field, Rule: fe.Tag(), Detail: ruleDetail(fe)})
	}
	return out
}

// invalid writes a 400 validation problem listing errs.
func invalid(c *gin.Context, detail string, errs ...FieldError) {
	writeProblem(c, Problem{Type: ProblemValidation, Title: "Invalid request", Status: http.StatusBadRequest, Detail: detail, Errors: errs})
}

// bindJSON decodes the body strictly into dst and validates it: unknown
// fields, trailing data, keys that repeat in one object and keys that differ
// from a field's name only by case are errors (encoding/json alone would take
// the last of two keys and match names in any case), and the size is
// bounded. It writes the problem and returns false when the request is bad.
// Every JSON body the API reads goes through it (or strictJSON).
func bindJSON(c *gin.Context, dst any) bool {
	body, ok := readBody(c)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		writeDecodeProblem(c, err)
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		invalid(c, "the body must hold exactly one JSON value", FieldError{Field: "body", Rule: "single_value", Detail: "has data after the JSON value"})
		return false
	}
	if fe := strictJSON(body, reflect.TypeOf(dst)); fe != nil {
		invalid(c, "some fields are invalid", *fe)
		return false
	}
	return checkStruct(c, dst)
}

// strictJSON checks a JSON document that decodes into t (nil: any shape):
// no object repeats a key, and no object key of a struct differs from one of
// its JSON field names only by case. It returns the first offence, nil when
// there is none or the document is not JSON (the decoder reports that).
func strictJSON(body []byte, t reflect.Type) *FieldError {
	dec := json.NewDecoder(bytes.NewReader(body))
	fe, _ := strictValue(dec, t, "body")
	return fe
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// strictValue reads one value from dec, checking it against t.
func strictValue(dec *json.Decoder, t reflect.Type, at string) (*FieldError, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType)) {
		// Its own decoding: check for repeated keys only.
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		} else if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			path := joinField(at, key)
			if seen[key] {
				return &FieldError{Field: path, Rule: "duplicate", Detail: "appears more than once in one object"}, nil
			}
			seen[key] = true
			vt := elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return &FieldError{Field: path, Rule: "case", Detail: fmt.Sprintf("is not a field; the field is spelled %q", name)}, nil
						}
					}
				}
				vt = ft
			}
			if fe, err := strictValue(dec, vt, path); fe != nil || err != nil {
				return fe, err
			}
		}
		_, err := dec.Token()
		return nil, err
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if fe, err := strictValue(dec, elem, fmt.Sprintf("%s[%d]", at, i)); fe != nil || err != nil {
				return fe, err
			}
		}
		_, err := dec.Token()
		return nil, err
	}
	return nil, nil
}

// jsonFields maps the JSON names of struct t's fields (those of embedded
// structs included) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}

// readBody reads a bounded raw body, writing 413 when it is too large.
func readBody(c *gin.Context) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		writeDecodeProblem(c, err)
		return nil, false
	}
	return b, true
}

func writeDecodeProblem(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		writeProblem(c, Problem{Type: ProblemTooLarge, Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the body is larger than %d bytes", maxBodyBytes)})
	case errors.Is(err, io.EOF):
		invalid(c, "the body is empty", FieldError{Field: "body", Rule: "required", Detail: "must be a JSON object"})
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		invalid(c, "the body is not valid JSON", FieldError{Field: "body", Rule: "json", Detail: err.Error()})
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			// The body itself is not an object (an array, a string, ...).
			field = "body"
		}
		invalid(c, "a field has the wrong type", FieldError{Field: field, Rule: "type", Detail: "must be " + typeErr.Type.String()})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		invalid(c, "the body has a field this endpoint does not take", FieldError{Field: field, Rule: "unknown", Detail: "is not a field of this request"})
	default:
		invalid(c, "the body could not be read", FieldError{Field: "body", Rule: "json", Detail: err.Error()})
	}
}

// bindQuery decodes the query string into dst (form tags), refusing
// parameters dst does not declare, and validates it.
func bindQuery(c *gin.Context, dst any) bool {
	known := map[string]bool{}
	t := reflect.TypeOf(dst).Elem()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("form"), ","); name != "" {
			known[name] = true
		}
	}
	var errs []FieldError
	for name := range c.Request.URL.Query() {
		if !known[name] {
			errs = append(errs, FieldError{Field: name, Rule: "unknown", Detail: "is not a parameter of this endpoint"})
		}
	}
	if len(errs) > 0 {
		invalid(c, "the query has parameters this endpoint does not take", sortFieldErrors(errs)...)
		return false
	}
	if err := c.ShouldBindQuery(dst); err != nil {
		invalid(c, "a query parameter has the wrong type", FieldError{Field: "query", Rule: "type", Detail: err.Error()})
		return false
	}
	return checkStruct(c, dst)
}

// checkStruct validates dst, already decoded: no string holds a NUL, the
// validator's tags hold, and then, for a dst that is a fieldChecker, its own
// checks. It writes the problem and returns false when dst is invalid.
func checkStruct(c *gin.Context, dst any) bool {
	if field, ok := nulField(reflect.ValueOf(dst), "body"); ok {
		// PostgreSQL stores no U+0000 in text or jsonb: a NUL that reached a
		// workflow would stop its read model (and so its updates) for good.
		invalid(c, "some fields are invalid", FieldError{Field: field, Rule: "no_nul", Detail: "must not contain the NUL character (U+0000)"})
		return false
	}
	if err := validate.StructCtx(c.Request.Context(), dst); err != nil {
		if errs := fieldErrors(err); len(errs) > 0 {
			invalid(c, "some fields are invalid", errs...)
			return false
		}
		invalid(c, "the request is invalid", FieldError{Field: "body", Rule: "invalid", Detail: err.Error()})
		return false
	}
	if fc, ok := dst.(fieldChecker); ok {
		if errs := fc.check(); len(errs) > 0 {
			invalid(c, "some fields are invalid", errs...)
			return false
		}
	}
	return true
}

// fieldChecker is a request body or query with checks the validator's tags
// cannot say (the shape of an SLA account name, a month); checkStruct runs
// them once the tags hold.
type fieldChecker interface {
	check() []FieldError
}

func sortFieldErrors(errs []FieldError) []FieldError {
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}

// nulField returns the JSON path (from the struct's json names) of the first
// string in v that holds a NUL character, with at as the path of v itself.
func nulField(v reflect.Value, at string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return nulField(v.Elem(), at)
	case reflect.String:
		return at, strings.ContainsRune(v.String(), 0)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			path := at
			switch {
			case f.Anonymous && name == "":
			case name == "-":
				continue
			case name == "":
				path = joinField(at, f.Name)
			default:
				path = joinField(at, name)
			}
			if p, ok := nulField(v.Field(i), path); ok {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, ok := nulField(v.Index(i), fmt.Sprintf("%s[%d]", at, i)); ok {
				return p, true
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		for _, k := range keys {
			path := joinField(at, fmt.Sprint(k))
			if k.Kind() == reflect.String && strings.ContainsRune(k.String(), 0) {
				return path, true
			}
			if p, ok := nulField(v.MapIndex(k), path); ok {
				return p, true
			}
		}
	}
	return "", false
}

// joinField appends a field name to a path; the body itself is not named.
func joinField(at, name string) string {
	if at == "body" {
		return name
	}
	return at + "." + name
}

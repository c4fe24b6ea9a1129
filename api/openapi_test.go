package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// oasDoc is the OpenAPI document decoded into generic YAML values.
type oasDoc map[string]any

// oasOperation is one (method, path) of the document.
type oasOperation struct {
	method string // upper case
	path   string // OpenAPI template, {param}
	op     map[string]any
	item   map[string]any // the path item, for path-level parameters
}

func (o oasOperation) String() string { return o.method + " " + o.path }

var oasMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func oasLoad(t *testing.T) oasDoc {
	t.Helper()
	// Decode into a plain map: yaml.v3 gives nested mappings the type of
	// the outermost one.
	var doc map[string]any
	if err := yaml.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	return doc
}

// operations lists the document's operations in path order.
func (d oasDoc) operations(t *testing.T) []oasOperation {
	t.Helper()
	paths, ok := d["paths"].(map[string]any)
	if !ok {
		t.Fatal("openapi.yaml has no paths")
	}
	var out []oasOperation
	for path, raw := range paths {
		item, ok := raw.(map[string]any)
		if !ok {
			t.Fatalf("path %s is not an object", path)
		}
		for _, m := range oasMethods {
			if op, ok := item[m].(map[string]any); ok {
				out = append(out, oasOperation{method: strings.ToUpper(m), path: path, op: op, item: item})
			}
		}
	}
	slices.SortFunc(out, func(a, b oasOperation) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// lookup follows a local JSON pointer such as #/components/schemas/Problem.
func (d oasDoc) lookup(ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("%s: only local references are used", ref)
	}
	var node any = map[string]any(d)
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: %q is not inside an object", ref, tok)
		}
		if node, ok = m[tok]; !ok {
			return nil, fmt.Errorf("%s: no %q", ref, tok)
		}
	}
	return node, nil
}

// resolve follows $ref until it reaches an object without one.
func (d oasDoc) resolve(t *testing.T, node any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("%v is not an object", node)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var err error
		if node, err = d.lookup(ref); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("reference cycle at %v", node)
	return nil
}

// parameters returns the operation's parameters, path-level ones first, resolved.
func (d oasDoc) parameters(t *testing.T, o oasOperation) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, src := range []map[string]any{o.item, o.op} {
		list, _ := src["parameters"].([]any)
		for _, p := range list {
			out = append(out, d.resolve(t, p))
		}
	}
	return out
}

func oasGinPath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

func oasMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func oasStrings(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok && v != nil {
		t.Fatalf("%v is not a list", v)
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			t.Fatalf("%v is not a string", x)
		}
		out = append(out, s)
	}
	return out
}

func TestOpenAPIDocumentParses(t *testing.T) {
	doc := oasLoad(t)
	version, _ := doc["openapi"].(string)
	if !strings.HasPrefix(version, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", version)
	}
	info, _ := doc["info"].(map[string]any)
	if title, _ := info["title"].(string); title == "" {
		t.Error("info.title is empty")
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) == 0 || servers[0].(map[string]any)["url"] != "http://localhost:8080" {
		t.Errorf("servers = %v, want http://localhost:8080 first", servers)
	}
	// Every $ref resolves.
	var walk func(at string, node any)
	walk = func(at string, node any) {
		switch n := node.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if _, err := doc.lookup(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, v := range n {
				walk(at+"/"+k, v)
			}
		case []any:
			for i, v := range n {
				walk(fmt.Sprintf("%s/%d", at, i), v)
			}
		}
	}
	walk("#", map[string]any(doc))
}

// TestOpenAPIRoutesMatchRouter fails when a route exists without being
// documented, or the document describes a route that does not exist.
func TestOpenAPIRoutesMatchRouter(t *testing.T) {
	doc := oasLoad(t)
	engine, ok := New(Deps{}).(*gin.Engine)
	if !ok {
		t.Fatal("New does not return a *gin.Engine")
	}
	routed := map[string]bool{}
	for _, r := range engine.Routes() {
		routed[r.Method+" "+oasGinPath(r.Path)] = true
	}
	documented := map[string]bool{}
	for _, o := range doc.operations(t) {
		documented[o.String()] = true
	}
	var undocumented, unrouted []string
	for k := range routed {
		if !documented[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(unrouted)
	if len(undocumented) > 0 {
		t.Errorf("routes missing from openapi.yaml:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unrouted) > 0 {
		t.Errorf("operations in openapi.yaml that the router does not have:\n  %s", strings.Join(unrouted, "\n  "))
	}
	if len(routed) < 20 {
		t.Errorf("only %d routes registered; the route listing looks broken", len(routed))
	}
}

// TestOpenAPIIdempotencyKey: every mutating operation declares the
// Idempotency-Key header as required, and no other operation declares it.
func TestOpenAPIIdempotencyKey(t *testing.T) {
	doc := oasLoad(t)
	for _, o := range doc.operations(t) {
		t.Run(o.String(), func(t *testing.T) {
			var found map[string]any
			for _, p := range doc.parameters(t, o) {
				if p["in"] == "header" && strings.EqualFold(p["name"].(string), idempotencyHeader) {
					found = p
				}
			}
			// x-sowflow-pure marks a POST that changes nothing (the codec).
			mutating := oasMutating(o.method) && o.op["x-sowflow-pure"] != true
			switch {
			case !mutating && found != nil:
				t.Errorf("a %s declares %s", o.method, idempotencyHeader)
			case !mutating:
			case found == nil:
				t.Errorf("no %s header parameter", idempotencyHeader)
			case found["required"] != true:
				t.Errorf("%s is not required", idempotencyHeader)
			}
		})
	}
}

var oasPathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIPathParameters: the path parameters declared are exactly those
// of the path template, each required.
func TestOpenAPIPathParameters(t *testing.T) {
	doc := oasLoad(t)
	for _, o := range doc.operations(t) {
		t.Run(o.String(), func(t *testing.T) {
			var inTemplate, declared []string
			for _, m := range oasPathParam.FindAllStringSubmatch(o.path, -1) {
				inTemplate = append(inTemplate, m[1])
			}
			for _, p := range doc.parameters(t, o) {
				if p["in"] != "path" {
					continue
				}
				name, _ := p["name"].(string)
				declared = append(declared, name)
				if p["required"] != true {
					t.Errorf("path parameter %s is not required", name)
				}
				if p["schema"] == nil {
					t.Errorf("path parameter %s has no schema", name)
				}
			}
			slices.Sort(inTemplate)
			slices.Sort(declared)
			if !slices.Equal(inTemplate, declared) {
				t.Errorf("path parameters declared %v, template has %v", declared, inTemplate)
			}
		})
	}
}

// TestOpenAPIOperationsDescribed: every operation says what it does, who may
// call it and how it fails.
func TestOpenAPIOperationsDescribed(t *testing.T) {
	doc := oasLoad(t)
	ids := map[string]string{}
	for _, o := range doc.operations(t) {
		t.Run(o.String(), func(t *testing.T) {
			for _, k := range []string{"summary", "description", "operationId"} {
				if s, _ := o.op[k].(string); strings.TrimSpace(s) == "" {
					t.Errorf("no %s", k)
				}
			}
			if id, _ := o.op["operationId"].(string); ids[id] != "" {
				t.Errorf("operationId %s is also %s's", id, ids[id])
			} else {
				ids[id] = o.String()
			}
			raw, ok := o.op["x-sowflow-roles"]
			if !ok {
				t.Fatal("no x-sowflow-roles")
			}
			roles := oasStrings(t, raw)
			for _, r := range roles {
				if !store.Role(r).Valid() {
					t.Errorf("x-sowflow-roles names %q, not a role", r)
				}
			}
			security, ok := o.op["security"].([]any)
			if !ok {
				t.Fatal("no security")
			}
			responses, _ := o.op["responses"].(map[string]any)
			authenticated := strings.HasPrefix(o.path, "/v1/")
			switch {
			case authenticated && (len(security) != 1 || !reflect.DeepEqual(security[0], map[string]any{"bearerAuth": []any{}})):
				t.Errorf("security = %v, want [{bearerAuth: []}]", security)
			case authenticated && len(roles) == 0:
				t.Error("x-sowflow-roles is empty on an authenticated route")
			case authenticated && responses["401"] == nil:
				t.Error("no 401 answer")
			case !authenticated && (len(security) != 0 || len(roles) != 0):
				t.Errorf("an unauthenticated route has security %v and roles %v", security, roles)
			}
			if authenticated && len(roles) < len(store.Roles()) && responses["403"] == nil {
				t.Error("no 403 answer although some roles are refused")
			}
			if oasMutating(o.method) && o.op["x-sowflow-pure"] != true {
				for _, code := range []string{"400", "409", "413", "422"} {
					if responses[code] == nil {
						t.Errorf("a mutating route without a %s answer", code)
					}
				}
			}
			if oasPathParam.MatchString(o.path) && responses["404"] == nil && !strings.Contains(o.path, "{year}") {
				t.Error("a route with path parameters and no 404 answer")
			}
			var hasSuccess bool
			for code, r := range responses {
				resp := doc.resolve(t, r)
				content, _ := resp["content"].(map[string]any)
				if strings.HasPrefix(code, "2") {
					hasSuccess = true
				}
				if code < "400" || o.path == "/readyz" {
					continue
				}
				problem, _ := content[ProblemContentType].(map[string]any)
				if problem == nil || problem["schema"] == nil ||
					problem["schema"].(map[string]any)["$ref"] != "#/components/schemas/Problem" {
					t.Errorf("answer %s is not an %s with the Problem schema", code, ProblemContentType)
				}
			}
			if !hasSuccess {
				t.Error("no 2xx answer")
			}
		})
	}
}

// TestOpenAPIRoles holds x-sowflow-roles against the router: every role the
// document does not list gets 403, and every role it lists gets past the
// role check. The requests name no existing project and carry no body, so
// they change nothing.
func TestOpenAPIRoles(t *testing.T) {
	f := newFixture(t)
	doc := oasLoad(t)
	params := strings.NewReplacer("{id}", "openapi-no-such-project", "{key}", "kickoff", "{code}", "managed-services", "{year}", "2027")
	defer func(outer *testing.T) { f.t = outer }(f.t)
	for _, o := range doc.operations(t) {
		if !strings.HasPrefix(o.path, "/v1/") {
			continue
		}
		allowed := oasStrings(t, o.op["x-sowflow-roles"])
		for _, role := range store.Roles() {
			t.Run(o.String()+" as "+string(role), func(t *testing.T) {
				f.t = t
				var p Problem
				rec := f.do(o.method, params.Replace(o.path), role, nil, nil)
				if rec.Code == http.StatusForbidden {
					_ = json.Unmarshal(rec.Body.Bytes(), &p)
				}
				switch {
				case slices.Contains(allowed, string(role)) && rec.Code == http.StatusForbidden:
					t.Errorf("listed role %s refused: %s", role, rec.Body)
				case !slices.Contains(allowed, string(role)) && (rec.Code != http.StatusForbidden || p.Type != ProblemForbidden):
					t.Errorf("unlisted role %s got %d, want 403: %s", role, rec.Code, rec.Body)
				}
			})
		}
	}
}

// TestOpenAPIServed: GET /openapi.yaml serves the embedded document without
// a token.
func TestOpenAPIServed(t *testing.T) {
	rec := httptest.NewRecorder()
	New(Deps{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != OpenAPIContentType {
		t.Errorf("Content-Type %q, want %q", ct, OpenAPIContentType)
	}
	if !bytes.Equal(rec.Body.Bytes(), openAPIDocument) || len(openAPIDocument) == 0 {
		t.Errorf("served %d bytes, want the %d of openapi.yaml", rec.Body.Len(), len(openAPIDocument))
	}
}

// oasJSONField is one field of a Go type as encoding/json writes it.
type oasJSONField struct {
	name      string
	omittable bool   // omitempty or omitzero
	validate  string // the validate tag
	typ       reflect.Type
}

// oasJSONFields lists the JSON fields of struct type t, flattening embedded
// structs without a JSON name as encoding/json does.
func oasJSONFields(t reflect.Type) []oasJSONField {
	var out []oasJSONField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, oasJSONFields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" })
		out = append(out, oasJSONField{name: name, omittable: omit, validate: f.Tag.Get("validate"), typ: f.Type})
	}
	return out
}

// schemaProperties collects a schema's property names and required list,
// through $ref and allOf.
func (d oasDoc) schemaProperties(t *testing.T, node any) (props, required []string, additional any) {
	t.Helper()
	s := d.resolve(t, node)
	if m, ok := s["properties"].(map[string]any); ok {
		for k := range m {
			props = append(props, k)
		}
	}
	required = oasStrings(t, s["required"])
	additional = s["additionalProperties"]
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			p, r, _ := d.schemaProperties(t, sub)
			props = append(props, p...)
			required = append(required, r...)
		}
	}
	slices.Sort(props)
	slices.Sort(required)
	return props, required, additional
}

// oasSchemaKind says what a schema must agree with in its Go type.
type oasSchemaKind int

const (
	// oasResponseSchema: properties are the JSON fields; required are those
	// without omitempty or omitzero.
	oasResponseSchema oasSchemaKind = iota
	// oasRequestSchema: properties are the JSON fields; required are those
	// whose validate tag starts with required; unknown fields are refused.
	oasRequestSchema
)

// checkSchema holds the schema at pointer against goType: the same
// properties, the same required ones (validate "required" for requests,
// fields without omitempty for responses), and closed request bodies. It
// does the same, recursively, for every field whose Go type is a struct (or
// a pointer, slice or map of structs), so that a nested schema cannot be a
// bare `type: object` standing for a Go struct.
func (doc oasDoc) checkSchema(t *testing.T, pointer string, goType any, kind oasSchemaKind) {
	t.Helper()
	node, err := doc.lookup(pointer)
	if err != nil {
		t.Fatal(err)
	}
	doc.checkStruct(t, "", node, reflect.TypeOf(goType), kind, 0)
}

// oasOpaque reports whether encoding/json writes t through its own
// marshaller (time.Time, calendar.Hours, json.RawMessage) or cannot know
// its shape (an interface), so its schema has no properties to compare.
func oasOpaque(t reflect.Type) bool {
	marshaler := reflect.TypeFor[json.Marshaler]()
	textMarshaler := reflect.TypeFor[encoding.TextMarshaler]()
	for _, x := range []reflect.Type{t, reflect.PointerTo(t)} {
		if x.Implements(marshaler) || x.Implements(textMarshaler) {
			return true
		}
	}
	return t.Kind() == reflect.Interface
}

// property returns the schema of the property name of the schema node,
// through $ref and allOf; nil when it has none.
func (doc oasDoc) property(t *testing.T, node any, name string) any {
	t.Helper()
	s := doc.resolve(t, node)
	if m, ok := s["properties"].(map[string]any); ok && m[name] != nil {
		return m[name]
	}
	all, _ := s["allOf"].([]any)
	for _, sub := range all {
		if p := doc.property(t, sub, name); p != nil {
			return p
		}
	}
	return nil
}

// checkValue holds the schema node against a field's Go type: a struct's
// properties, an array's items, a map's additionalProperties.
func (doc oasDoc) checkValue(t *testing.T, at string, node any, typ reflect.Type, kind oasSchemaKind, depth int) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if oasOpaque(typ) {
		return
	}
	switch typ.Kind() {
	case reflect.Slice, reflect.Array:
		if typ.Elem().Kind() == reflect.Uint8 {
			return // base64
		}
		items, ok := doc.resolve(t, node)["items"]
		if !ok {
			t.Errorf("%s: an array of %s without items", at, typ.Elem())
			return
		}
		doc.checkValue(t, at+"/items", items, typ.Elem(), kind, depth)
	case reflect.Map:
		add, ok := doc.resolve(t, node)["additionalProperties"].(map[string]any)
		if !ok {
			if e := typ.Elem(); e.Kind() == reflect.Struct && !oasOpaque(e) {
				t.Errorf("%s: a map of %s without an additionalProperties schema", at, e)
			}
			return
		}
		doc.checkValue(t, at+"/additionalProperties", add, typ.Elem(), kind, depth)
	case reflect.Struct:
		doc.checkStruct(t, at, node, typ, kind, depth)
	}
}

// checkStruct compares the schema node's properties with the JSON fields
// of struct type typ, then checks each field's schema.
func (doc oasDoc) checkStruct(t *testing.T, at string, node any, typ reflect.Type, kind oasSchemaKind, depth int) {
	t.Helper()
	if depth > 16 {
		t.Errorf("%s: nested more than 16 deep", at)
		return
	}
	where := at
	if where != "" {
		where += ": "
	}
	props, required, additional := doc.schemaProperties(t, node)
	var wantProps, wantRequired []string
	fields := oasJSONFields(typ)
	for _, f := range fields {
		wantProps = append(wantProps, f.name)
		switch kind {
		case oasResponseSchema:
			if !f.omittable {
				wantRequired = append(wantRequired, f.name)
			}
		case oasRequestSchema:
			if rule, _, _ := strings.Cut(f.validate, ","); rule == "required" {
				wantRequired = append(wantRequired, f.name)
			}
		}
	}
	slices.Sort(wantProps)
	slices.Sort(wantRequired)
	if !slices.Equal(props, wantProps) {
		t.Errorf("%sproperties %v, Go type %s has %v", where, props, typ, wantProps)
	}
	if !slices.Equal(required, wantRequired) {
		t.Errorf("%srequired %v, want %v", where, required, wantRequired)
	}
	if kind == oasRequestSchema && additional != false {
		t.Errorf("%sadditionalProperties is %v: the API refuses unknown fields, so it must be false", where, additional)
	}
	for _, f := range fields {
		if sub := doc.property(t, node, f.name); sub != nil {
			doc.checkValue(t, at+"/"+f.name, sub, f.typ, kind, depth+1)
		}
	}
}

// TestOpenAPISchemasMatchGoTypes holds the document's schemas against the
// Go types the handlers decode and encode, so that a field added, renamed
// or made required in Go fails here until the document follows.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := oasLoad(t)
	const s = "#/components/schemas/"
	pkg := s + "Package/properties/"
	tests := []struct {
		pointer string
		goType  any
		kind    oasSchemaKind
	}{
		{s + "Problem", Problem{}, oasResponseSchema},
		{s + "FieldError", FieldError{}, oasResponseSchema},
		{s + "Principal", store.Principal{}, oasResponseSchema},
		{s + "Actor", workflows.Actor{}, oasResponseSchema},
		{s + "CalendarSummary", calendarSummary{}, oasResponseSchema},
		{s + "CalendarYear", store.CalendarYear{}, oasResponseSchema},
		{s + "YearLoaded", yearLoaded{}, oasResponseSchema},
		{s + "DeadlineResult", calendar.Result{}, oasResponseSchema},
		{s + "DaysResponse", daysResponse{}, oasResponseSchema},
		{s + "DayInfo", calendar.DayInfo{}, oasResponseSchema},
		{s + "ClockSpec", calendar.Spec{}, oasResponseSchema},
		{s + "Package", catalog.Package{}, oasResponseSchema},
		{pkg + "seed", catalog.SeedRef{}, oasResponseSchema},
		{pkg + "pricing", catalog.Pricing{}, oasResponseSchema},
		{pkg + "validity", catalog.Validity{}, oasResponseSchema},
		{pkg + "options/items", catalog.OptionSpec{}, oasResponseSchema},
		{pkg + "prerequisites/items", catalog.Prerequisite{}, oasResponseSchema},
		{pkg + "service_hours", catalog.ServiceHours{}, oasResponseSchema},
		{pkg + "response_targets/items", catalog.ResponseTarget{}, oasResponseSchema},
		{pkg + "clocks/items", catalog.Clock{}, oasResponseSchema},
		{pkg + "quotas/items", catalog.Quota{}, oasResponseSchema},
		{pkg + "phases/items", catalog.Phase{}, oasResponseSchema},
		{pkg + "phases/items/properties/deliverables/items", catalog.Deliverable{}, oasResponseSchema},
		{pkg + "thresholds/items", catalog.Threshold{}, oasResponseSchema},
		{pkg + "service_items/items", catalog.ServiceItem{}, oasResponseSchema},
		{pkg + "sla", catalog.SLA{}, oasResponseSchema},
		{s + "ContractDuration", catalog.Duration{}, oasResponseSchema},
		{s + "Quote", catalog.Quote{}, oasResponseSchema},
		{s + "QuoteLine", catalog.QuoteLine{}, oasResponseSchema},
		{s + "StartedProject", startedProject{}, oasResponseSchema},
		{s + "ProjectSummary", store.ProjectSummary{}, oasResponseSchema},
		{s + "ProjectPage", projectPage{}, oasResponseSchema},
		{s + "ProjectListItem", projectListItem{}, oasResponseSchema},
		{s + "ProjectEvent", store.ProjectEvent{}, oasResponseSchema},
		{s + "EventPage", eventPage{}, oasResponseSchema},
		{s + "LeadDatePage", leadDatesPage{}, oasResponseSchema},
		{s + "LeadDate", store.LeadDate{}, oasResponseSchema},
		{s + "Event", workflows.Event{}, oasResponseSchema},
		{s + "ActionResult", workflows.ActionResult{}, oasResponseSchema},
		{s + "ProjectState", workflows.ProjectState{}, oasResponseSchema},
		{s + "PackageRef", workflows.PackageRef{}, oasResponseSchema},
		{s + "PhaseState", workflows.PhaseState{}, oasResponseSchema},
		{s + "DeliverableState", workflows.DeliverableState{}, oasResponseSchema},
		{s + "RoundState", workflows.RoundState{}, oasResponseSchema},
		{s + "Submission", workflows.Submission{}, oasResponseSchema},
		{s + "Submission/properties/window", workflows.Window{}, oasResponseSchema},
		{s + "Submission/properties/decision", workflows.DecisionRecord{}, oasResponseSchema},
		{s + "DeadlineState", workflows.DeadlineState{}, oasResponseSchema},
		{s + "ValidityState", workflows.ValidityState{}, oasResponseSchema},
		{s + "ClockState", workflows.ClockState{}, oasResponseSchema},
		{s + "QuotaState", workflows.QuotaState{}, oasResponseSchema},
		{s + "QuotaState/properties/uses/items", workflows.QuotaUse{}, oasResponseSchema},
		{s + "Delay", workflows.Delay{}, oasResponseSchema},
		{s + "AuditReport", store.AuditReport{}, oasResponseSchema},
		{s + "AuditChainReport", store.AuditChainReport{}, oasResponseSchema},
		{s + "AuditBreak", store.AuditBreak{}, oasResponseSchema},
		{s + "HistoryEntry", history.Entry{}, oasResponseSchema},
		{s + "HistoryExport", history.Export{}, oasResponseSchema},
		{s + "HistoryExport/properties/runs/items", history.ExportRun{}, oasResponseSchema},
		{s + "ReplayResult", history.Result{}, oasResponseSchema},
		{s + "StartProjectRequest", startProjectRequest{}, oasRequestSchema},
		{s + "ContractDates", contractDates{}, oasRequestSchema},
		{s + "StartOptions", catalog.Options{}, oasRequestSchema},
		{s + "SubmitRequest", submitRequest{}, oasRequestSchema},
		{s + "DecisionRequest", decisionRequest{}, oasRequestSchema},
		{s + "EmptyRequest", emptyRequest{}, oasRequestSchema},
		{s + "OpenDelayRequest", openDelayRequest{}, oasRequestSchema},
		{s + "NoteRequest", noteRequest{}, oasRequestSchema},
		{s + "TerminateRequest", terminateRequest{}, oasRequestSchema},
		{s + "StartServiceRequest", startServiceRequest{}, oasRequestSchema},
		{s + "ObligationResult", obligationResult{}, oasResponseSchema},
		{s + "DeliveryManager", store.DeliveryManager{}, oasResponseSchema},
		{s + "CalendarFeed", calendarFeed{}, oasResponseSchema},
		{s + "DeliveryManagerRequest", deliveryManagerRequest{}, oasRequestSchema},
		{s + "NotificationSettings", notificationSettings{}, oasResponseSchema},
		{s + "CatalogVersionDetail", catalogVersionDetail{}, oasResponseSchema},
		{s + "CatalogVersionList", catalogVersionList{}, oasResponseSchema},
		{s + "CatalogDiff", catalogDiff{}, oasResponseSchema},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pointer, s), func(t *testing.T) {
			doc.checkSchema(t, tt.pointer, tt.goType, tt.kind)
		})
	}

	t.Run("Catalog", func(t *testing.T) {
		b, err := json.Marshal(catalog.Default())
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(b, &top); err != nil {
			t.Fatal(err)
		}
		var want []string
		for k := range top {
			want = append(want, k)
		}
		slices.Sort(want)
		props, required, _ := doc.schemaProperties(t, map[string]any{"$ref": s + "Catalog"})
		if !slices.Equal(props, want) || !slices.Equal(required, want) {
			t.Errorf("Catalog properties %v required %v, the catalog's JSON has %v", props, required, want)
		}
	})
}

// TestOpenAPIQueryParametersMatchGoTypes holds each operation's query
// parameters against the struct its handler binds the query into.
func TestOpenAPIQueryParametersMatchGoTypes(t *testing.T) {
	doc := oasLoad(t)
	bound := map[string]any{
		"GET /v1/calendars/cn/deadline":                 deadlineQuery{},
		"GET /v1/calendars/cn/days":                     daysQuery{},
		"GET /v1/catalog/{code}/quote":                  quoteQuery{},
		"GET /v1/catalog/{code}/diff":                   catalogDiffQuery{},
		"GET /v1/projects":                              listQuery{},
		"GET /v1/projects/{id}/events":                  eventsQuery{},
		"GET /v1/services":                              serviceListQuery{},
		"GET /v1/services/{id}/events":                  eventsQuery{},
		"GET /v1/services/{id}/tickets":                 ticketListQuery{},
		"GET /v1/services/{id}/tickets/{n}/events":      eventsQuery{},
		"GET /v1/sla-periods":                           slaPeriodListQuery{},
		"GET /v1/sla-periods/{account}/{period}/events": eventsQuery{},
	}
	for _, o := range doc.operations(t) {
		t.Run(o.String(), func(t *testing.T) {
			var names, required []string
			for _, p := range doc.parameters(t, o) {
				if p["in"] != "query" {
					continue
				}
				names = append(names, p["name"].(string))
				if p["required"] == true {
					required = append(required, p["name"].(string))
				}
			}
			var wantNames, wantRequired []string
			if q, ok := bound[o.String()]; ok {
				rt := reflect.TypeOf(q)
				for i := range rt.NumField() {
					f := rt.Field(i)
					name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
					wantNames = append(wantNames, name)
					if rule, _, _ := strings.Cut(f.Tag.Get("validate"), ","); rule == "required" {
						wantRequired = append(wantRequired, name)
					}
				}
			}
			for _, l := range [][]string{names, required, wantNames, wantRequired} {
				slices.Sort(l)
			}
			if !slices.Equal(names, wantNames) {
				t.Errorf("query parameters %v, the handler binds %v", names, wantNames)
			}
			if !slices.Equal(required, wantRequired) {
				t.Errorf("required query parameters %v, want %v", required, wantRequired)
			}
		})
	}
}

package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
)

// TestCatalogSchemaServed: GET /v1/catalog/schema.json serves the package
// file schema to every role, and the route leaves GET /v1/catalog/{code}
// answering packages.
func TestCatalogSchemaServed(t *testing.T) {
	f := newFixture(t)
	for _, role := range store.Roles() {
		rec := f.do(http.MethodGet, "/v1/catalog/schema.json", role, nil, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", role, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != SchemaContentType {
			t.Errorf("%s: content type %q", role, ct)
		}
		if !bytes.Equal(rec.Body.Bytes(), catalog.SchemaJSON) {
			t.Errorf("%s: body is not the package schema", role)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(catalog.SchemaJSON, &doc); err != nil || doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("schema $schema = %v (%v)", doc["$schema"], err)
	}
	var p catalog.Package
	if rec := f.do(http.MethodGet, "/v1/catalog/managed-services", store.RoleCustomer, nil, &p); rec.Code != http.StatusOK || p.Code != "managed-services" {
		t.Errorf("GET /v1/catalog/managed-services: %d %s", rec.Code, p.Code)
	}
}

package catalog

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaJSON is the JSON Schema (draft 2020-12) of a package file, served at
// GET /v1/catalog/schema.json for editors.
//
//go:embed package.schema.json
var SchemaJSON []byte

var packageSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("read package schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("package.schema.json", doc); err != nil {
		return nil, fmt.Errorf("add package schema: %w", err)
	}
	sch, err := c.Compile("package.schema.json")
	if err != nil {
		return nil, fmt.Errorf("compile package schema: %w", err)
	}
	return sch, nil
})

var schemaPrinter = message.NewPrinter(language.English)

// checkSchema checks the file against package.schema.json and places every
// violation at its line and column.
func (f *parsedFile) checkSchema() error {
	sch, err := packageSchema()
	if err != nil {
		return err
	}
	err = sch.Validate(f.value)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return &FileError{File: f.name, Rule: "schema", Message: err.Error()}
	}
	var out []*FileError
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		out = append(out, f.schemaErrors(e)...)
	}
	walk(ve)
	slices.SortStableFunc(out, func(a, b *FileError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	out = slices.CompactFunc(out, func(a, b *FileError) bool { return *a == *b })
	errs := make([]error, len(out))
	for i, fe := range out {
		errs[i] = fe
	}
	return errors.Join(errs...)
}

// schemaErrors turns one leaf violation into file errors: one per missing
// or unknown property, else one.
func (f *parsedFile) schemaErrors(e *jsonschema.ValidationError) []*FileError {
	loc := e.InstanceLocation
	kw := e.ErrorKind.KeywordPath()
	rule := "schema"
	if len(kw) > 0 {
		rule = kw[len(kw)-1]
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var out []*FileError
		for _, m := range k.Missing {
			fe := f.at(loc, rule, fmt.Sprintf("%s is required", m))
			fe.Path = pathOf(append(slices.Clone(loc), m))
			out = append(out, fe)
		}
		return out
	case *kind.AdditionalProperties:
		var out []*FileError
		for _, p := range k.Properties {
			fe := f.at(append(slices.Clone(loc), p), rule, fmt.Sprintf("%s is not a field here", p))
			if kn := f.keyNode(loc, p); kn != nil {
				fe.Line, fe.Column = kn.Line, kn.Column
			}
			out = append(out, fe)
		}
		return out
	}
	msg := e.ErrorKind.LocalizedString(schemaPrinter)
	return []*FileError{f.at(loc, rule, strings.TrimSpace(msg))}
}

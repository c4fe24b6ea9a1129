package catalog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The package files compiled into the binary: catalog.yaml lists the codes
// in catalog order, packages/<code>.yaml holds each package.
//
//go:embed catalog.yaml packages/*.yaml
var embedded embed.FS

// ParseFile reads one package file: YAML syntax, then the fields and their
// types, then the semantic rules of [Validate]. It returns every defect
// found at the first stage that finds any, each a *FileError naming the
// file, line and column, the field path and the rule, joined with
// errors.Join.
func ParseFile(name string, src []byte) (Package, error) {
	return parse(name, src, "")
}

// ParseUpload reads a package file uploaded for the given code, as
// [ParseFile] does (JSON is read as the YAML it is), and checks that the
// file holds that code; name is how errors name the file.
func ParseUpload(code, name string, src []byte) (Package, error) {
	return parse(name, src, code)
}

// parse reads and checks one package file; a non-empty code is the code the
// file must hold.
func parse(name string, src []byte, code string) (Package, error) {
	f, err := readYAML(name, src)
	if err != nil {
		return Package{}, err
	}
	if err := f.checkSchema(); err != nil {
		return Package{}, err
	}
	p, err := f.decode()
	if err != nil {
		return Package{}, err
	}
	if err := f.checkRules(p); err != nil {
		return Package{}, err
	}
	if len(p.ResponseTargets) > 0 {
		// A package with response targets runs as a service: its targets
		// must convert, or its first start would be refused.
		if _, err := serviceTargets(p); err != nil {
			return Package{}, f.at([]string{"response_targets"}, "catalog", err.Error())
		}
	}
	if code != "" && p.Code != code {
		return Package{}, f.at([]string{"code"}, "file", fmt.Sprintf("the file holds package %q, not %q", p.Code, code))
	}
	return p, nil
}

// checkRules runs Validate on the package alone and places each problem.
func (f *parsedFile) checkRules(p Package) error {
	err := Validate(New(Version, []Package{p}))
	if err == nil {
		return nil
	}
	var errs []error
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var pr *Problem
		if errors.As(err, &pr) {
			errs = append(errs, f.at(placeTokens(f, pr.Place), "catalog", pr.Message))
			return
		}
		errs = append(errs, &FileError{File: f.name, Rule: "catalog", Message: err.Error()})
	}
	walk(err)
	slices.SortStableFunc(errs, func(a, b error) int {
		fa, _ := a.(*FileError)
		fb, _ := b.(*FileError)
		if fa == nil || fb == nil || fa.Line != fb.Line {
			if fa == nil || fb == nil {
				return 0
			}
			return fa.Line - fb.Line
		}
		return fa.Column - fb.Column
	})
	return errors.Join(errs...)
}

// placeFields maps the words of a Problem place to the package fields, and
// the field that identifies an item of a list.
var placeFields = map[string]struct{ field, id string }{
	"phase":            {"phases", "key"},
	"task":             {"tasks", "key"},
	"deliverable":      {"deliverables", "key"},
	"quota":            {"quotas", "key"},
	"clock":            {"clocks", "key"},
	"prerequisite":     {"prerequisites", "key"},
	"option":           {"options", "field"},
	"response target":  {"response_targets", "severity"},
	"service item":     {"service_items", "key"},
	"threshold":        {"thresholds", "metric"},
	"tier":             {"tiers", ""},
	"pricing":          {"pricing", ""},
	"validity":         {"validity", ""},
	"final acceptance": {"final_acceptance", ""},
	"service hours":    {"service_hours", ""},
	"sla":              {"sla", ""},
	"claims":           {"claims", ""},
}

// placeTokens turns "package x, phase design, deliverable y" into the path
// tokens of the item in the file: phases/2/deliverables/0.
func placeTokens(f *parsedFile, place string) []string {
	parts := strings.Split(place, ", ")
	var toks []string
	for _, part := range parts[1:] {
		var word, id string
		for w := range placeFields {
			if part == w {
				word = w
				break
			}
			if rest, ok := strings.CutPrefix(part, w+" "); ok && (len(w) > len(word)) {
				word, id = w, rest
			}
		}
		pf, ok := placeFields[word]
		if !ok {
			break
		}
		toks = append(toks, pf.field)
		if id == "" {
			continue
		}
		list := f.node(toks)
		if list == nil || list.Kind != yaml.SequenceNode {
			break
		}
		idx := -1
		if n, ok := strings.CutPrefix(id, "#"); ok {
			if i, err := strconv.Atoi(n); err == nil {
				idx = i - 1
			}
		} else {
			for i := range list.Content {
				if v := f.node(append(slices.Clone(toks), strconv.Itoa(i), pf.id)); v != nil && v.Kind == yaml.ScalarNode && v.Value == id {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			break
		}
		toks = append(toks, strconv.Itoa(idx))
	}
	return toks
}

// ParseFS reads a catalog from fsys: catalog.yaml lists the package codes in
// order, packages/<code>.yaml holds each. Every file is checked as
// [ParseFile] checks it, a file must be named for its code, and every file
// must be listed; all defects are returned at once.
func ParseFS(fsys fs.FS) ([]Package, error) {
	src, err := fs.ReadFile(fsys, "catalog.yaml")
	if err != nil {
		return nil, fmt.Errorf("read catalog list: %w", err)
	}
	var list struct {
		Packages []string `yaml:"packages"`
	}
	if err := yaml.Unmarshal(src, &list); err != nil {
		return nil, yamlSyntaxError("catalog.yaml", err)
	}
	files, err := fs.Glob(fsys, "packages/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list package files: %w", err)
	}
	var errs []error
	var pkgs []Package
	for _, code := range list.Packages {
		name := "packages/" + code + ".yaml"
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, &FileError{File: "catalog.yaml", Path: "packages", Rule: "file", Message: fmt.Sprintf("package %s has no file %s", code, name)})
			continue
		}
		p, err := ParseFile(name, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p.Code != code {
			errs = append(errs, &FileError{File: name, Line: 1, Column: 1, Path: "code", Rule: "file", Message: fmt.Sprintf("code %q differs from the file name", p.Code)})
			continue
		}
		pkgs = append(pkgs, p)
	}
	for _, name := range files {
		if !slices.Contains(list.Packages, strings.TrimSuffix(path.Base(name), ".yaml")) {
			errs = append(errs, &FileError{File: name, Rule: "file", Message: "the file is not listed in catalog.yaml"})
		}
	}
	return pkgs, errors.Join(errs...)
}

// embeddedPackages parses the compiled-in package files once.
var embeddedPackages = sync.OnceValues(func() ([]Package, error) { return ParseFS(embedded) })

// Embedded returns the catalog of the package files compiled into the
// binary, at [Version].
func Embedded() (*Catalog, error) {
	pkgs, err := embeddedPackages()
	if err != nil {
		return nil, fmt.Errorf("embedded catalog: %w", err)
	}
	return New(Version, pkgs), nil
}

// EmbeddedFile returns the compiled-in package file of a code.
func EmbeddedFile(code string) ([]byte, bool) {
	if !keyPattern.MatchString(code) {
		return nil, false
	}
	b, err := embedded.ReadFile("packages/" + code + ".yaml")
	return b, err == nil
}

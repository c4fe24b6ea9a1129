package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Package files: one YAML document per package, whose keys are the JSON
// names of the Package fields (see docs/catalog.md and package.schema.json).

// FileError is one defect of a package file, placed at a line and column.
type FileError struct {
	// File names the file.
	File string
	// Line and Column are 1-based; 0 when the defect has no single place
	// (an empty file).
	Line, Column int
	// Path is the field's path in the package, e.g.
	// "phases[1].deliverables[0].acceptance"; empty for the whole file.
	Path string
	// Rule names the rule broken: "yaml" (syntax), a JSON Schema keyword
	// ("required", "enum", "pattern", ...), or "catalog" (the semantic
	// rules of Validate).
	Rule string
	// Message explains the defect.
	Message string
}

// Error renders "file:line:col: path: message (rule)".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	fmt.Fprintf(&b, "%s (%s)", e.Message, e.Rule)
	return b.String()
}

// FileErrors returns every *FileError joined in err, in order.
func FileErrors(err error) []*FileError {
	var out []*FileError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var fe *FileError
		if errors.As(err, &fe) && err == error(fe) {
			out = append(out, fe)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if errors.As(err, &fe) {
			out = append(out, fe)
		}
	}
	walk(err)
	return out
}

// MarshalYAML renders the package as a package file: the keys in the order
// of the Package fields, multi-line text as literal blocks.
func (p Package) MarshalYAML() (any, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode package %s: %w", p.Code, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := jsonToNode(dec)
	if err != nil {
		return nil, err
	}
	// Deliverable.Final is derived from final_acceptance: leave it out.
	for _, ph := range mappingValue(n, "phases").Content {
		for _, d := range mappingValue(ph, "deliverables").Content {
			for i := 0; i+1 < len(d.Content); i += 2 {
				if d.Content[i].Value == "final" {
					d.Content = slices.Delete(d.Content, i, i+2)
					break
				}
			}
		}
	}
	return n, nil
}

// mappingValue returns the value of a key of a mapping node, or an empty
// node.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return &yaml.Node{}
}

// EncodeYAML renders the package as a package file, prefixed with head (a
// comment, without the leading "# ", one line per line; may be empty).
func EncodeYAML(p Package, head string) ([]byte, error) {
	n, err := p.MarshalYAML()
	if err != nil {
		return nil, err
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n.(*yaml.Node)}}
	if head != "" {
		lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight("# "+l, " ")
		}
		doc.HeadComment = strings.Join(lines, "\n")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode package %s: %w", p.Code, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode package %s: %w", p.Code, err)
	}
	return buf.Bytes(), nil
}

func jsonToNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("read json: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("read json: %w", err)
				}
				key, _ := kt.(string)
				v, err := jsonToNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("read json: %w", err)
			}
			if len(n.Content) == 0 {
				n.Style = yaml.FlowStyle
			}
			return n, nil
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				v, err := jsonToNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("read json: %w", err)
			}
			if len(n.Content) == 0 {
				n.Style = yaml.FlowStyle
			}
			return n, nil
		}
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		if strings.Contains(t, "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("read json: unexpected token %v", tok)
}

// parsedFile is a package file read into a YAML tree and its plain value.
type parsedFile struct {
	name  string
	root  *yaml.Node // the document's top node; nil when empty
	value any
}

// readYAML parses one YAML document. Syntax errors come back as *FileError.
func readYAML(name string, src []byte) (*parsedFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FileError{File: name, Rule: "yaml", Message: "the file holds no package"}
		}
		return nil, yamlSyntaxError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &FileError{File: name, Line: extra.Line, Column: extra.Column, Rule: "yaml", Message: "a package file holds one document"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	f := &parsedFile{name: name, root: root}
	var errs []error
	f.value = f.plain(root, "", &errs)
	return f, errors.Join(errs...)
}

// yamlSyntaxError turns a yaml.v3 error ("yaml: line 3: ...") into a
// *FileError.
func yamlSyntaxError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	fe := &FileError{File: name, Rule: "yaml", Message: msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(num); err == nil {
				fe.Line, fe.Column, fe.Message = l, 1, tail
			}
		}
	}
	return fe
}

// plain converts a YAML node into the value encoding/json would decode
// (map[string]any, []any, string, float64/int, bool, nil), reporting keys
// that are not strings and repeated keys.
func (f *parsedFile) plain(n *yaml.Node, path string, errs *[]error) any {
	switch n.Kind {
	case yaml.AliasNode:
		return f.plain(n.Alias, path, errs)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode || k.Tag == "!!merge" {
				*errs = append(*errs, &FileError{File: f.name, Line: k.Line, Column: k.Column, Path: path, Rule: "yaml", Message: "merge keys and aliases as keys are not allowed"})
				continue
			}
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
				*errs = append(*errs, &FileError{File: f.name, Line: k.Line, Column: k.Column, Path: path, Rule: "yaml", Message: fmt.Sprintf("key %q is not a string", k.Value)})
				continue
			}
			if _, dup := m[k.Value]; dup {
				*errs = append(*errs, &FileError{File: f.name, Line: k.Line, Column: k.Column, Path: joinPath(path, k.Value), Rule: "yaml", Message: "key appears twice"})
				continue
			}
			m[k.Value] = f.plain(v, joinPath(path, k.Value), errs)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = f.plain(c, fmt.Sprintf("%s[%d]", path, i), errs)
		}
		return s
	case yaml.ScalarNode:
		if n.Tag == "!!timestamp" {
			// A date written unquoted is the text as written.
			return n.Value
		}
		var v any
		if err := n.Decode(&v); err != nil {
			*errs = append(*errs, &FileError{File: f.name, Line: n.Line, Column: n.Column, Path: path, Rule: "yaml", Message: err.Error()})
			return nil
		}
		if x, ok := v.(float64); ok && (math.IsInf(x, 0) || math.IsNaN(x)) {
			*errs = append(*errs, &FileError{File: f.name, Line: n.Line, Column: n.Column, Path: path, Rule: "yaml", Message: fmt.Sprintf("%s is not a number JSON can hold", n.Value)})
			return nil
		}
		return v
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// node returns the YAML node at a path of JSON Pointer tokens, or the
// deepest node on the way when the path leaves the tree.
func (f *parsedFile) node(tokens []string) *yaml.Node {
	n := f.root
	for _, tok := range tokens {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		next := (*yaml.Node)(nil)
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// pathOf renders JSON Pointer tokens as "phases[1].deliverables[0].key".
func pathOf(tokens []string) string {
	var b strings.Builder
	for _, tok := range tokens {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// at builds a *FileError placed at the node of the path tokens.
func (f *parsedFile) at(tokens []string, rule, msg string) *FileError {
	fe := &FileError{File: f.name, Path: pathOf(tokens), Rule: rule, Message: msg}
	if n := f.node(tokens); n != nil {
		fe.Line, fe.Column = n.Line, n.Column
	}
	return fe
}

// decode turns the file's plain value into a Package, refusing fields the
// Package does not have.
func (f *parsedFile) decode() (Package, error) {
	b, err := json.Marshal(f.value)
	if err != nil {
		return Package{}, &FileError{File: f.name, Line: 1, Column: 1, Rule: "yaml", Message: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Package
	if err := dec.Decode(&p); err != nil {
		fe := &FileError{File: f.name, Line: 1, Column: 1, Rule: "type", Message: err.Error()}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			fe = f.at(strings.Split(te.Field, "."), "type", fmt.Sprintf("is %s, want %s", te.Value, te.Type))
		}
		return Package{}, fe
	}
	normalize(&p)
	return p, nil
}

// keyNode returns the key node of a field of the mapping at tokens.
func (f *parsedFile) keyNode(tokens []string, field string) *yaml.Node {
	n := f.node(tokens)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == field {
			return n.Content[i]
		}
	}
	return nil
}

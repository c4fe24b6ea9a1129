package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ChangeOp says how a field or list item differs between two packages.
type ChangeOp string

// Change operations.
const (
	ChangeAdded   ChangeOp = "added"
	ChangeRemoved ChangeOp = "removed"
	ChangeChanged ChangeOp = "changed"
	ChangeMoved   ChangeOp = "moved"
)

// Change is one difference between two versions of a package. Path names
// list items by their key ("phases[design].deliverables[hld].acceptance"),
// so a change reads the same however the lists are ordered.
type Change struct {
	Op   ChangeOp `json:"op"`
	Path string   `json:"path"`
	// Old and New are the values (for an added or removed item, its name
	// or key); empty when absent.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// String renders "+ path: new", "- path: old", "~ path: old → new" or
// "↕ path: moved from position old to new".
func (c Change) String() string {
	switch c.Op {
	case ChangeAdded:
		return "+ " + c.Path + ": " + c.New
	case ChangeRemoved:
		return "- " + c.Path + ": " + c.Old
	case ChangeMoved:
		return "↕ " + c.Path + ": moved from position " + c.Old + " to " + c.New
	}
	return "~ " + c.Path + ": " + c.Old + " → " + c.New
}

// itemIDs are the fields that identify an item of a list, tried in order.
var itemIDs = []string{"key", "field", "severity"}

// Diff lists what changed from a to b: phases, tasks, deliverables and
// their acceptance rules, clocks, quotas, thresholds, prices and every other
// field, in the order of the package file. Items of keyed lists are matched
// by key, so a reordering shows as a move, not as a rewrite.
func Diff(a, b Package) ([]Change, error) {
	na, err := a.MarshalYAML()
	if err != nil {
		return nil, err
	}
	nb, err := b.MarshalYAML()
	if err != nil {
		return nil, err
	}
	var out []Change
	diffNodes("", na.(*yaml.Node), nb.(*yaml.Node), &out)
	return out, nil
}

func diffNodes(path string, a, b *yaml.Node, out *[]Change) {
	switch {
	case a.Kind == yaml.MappingNode && b.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(a.Content); i += 2 {
			k := a.Content[i].Value
			p := joinPath(path, k)
			if bv := mappingValue(b, k); bv.Kind != 0 {
				diffNodes(p, a.Content[i+1], bv, out)
			} else if !emptyNode(a.Content[i+1]) {
				*out = append(*out, Change{Op: ChangeRemoved, Path: p, Old: render(a.Content[i+1])})
			}
		}
		for i := 0; i+1 < len(b.Content); i += 2 {
			k := b.Content[i].Value
			if mappingValue(a, k).Kind == 0 && !emptyNode(b.Content[i+1]) {
				*out = append(*out, Change{Op: ChangeAdded, Path: joinPath(path, k), New: render(b.Content[i+1])})
			}
		}
	case a.Kind == yaml.SequenceNode && b.Kind == yaml.SequenceNode:
		diffLists(path, a.Content, b.Content, out)
	case a.Kind == yaml.ScalarNode && b.Kind == yaml.ScalarNode:
		if a.Value != b.Value {
			*out = append(*out, Change{Op: ChangeChanged, Path: path, Old: render(a), New: render(b)})
		}
	default:
		if render(a) != render(b) {
			*out = append(*out, Change{Op: ChangeChanged, Path: path, Old: render(a), New: render(b)})
		}
	}
}

// itemID returns the label of a list item: its key (or field, severity; a
// threshold's deliverable/metric), or "" when it has none.
func itemID(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for _, f := range itemIDs {
		if v := mappingValue(n, f); v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value
		}
	}
	d, m := mappingValue(n, "deliverable"), mappingValue(n, "metric")
	if d.Kind == yaml.ScalarNode && m.Kind == yaml.ScalarNode {
		return d.Value + "/" + m.Value
	}
	return ""
}

func diffLists(path string, a, b []*yaml.Node, out *[]Change) {
	ids := func(ns []*yaml.Node) ([]string, bool) {
		s := []string{}
		for _, n := range ns {
			id := itemID(n)
			if id == "" || slices.Contains(s, id) {
				return nil, false
			}
			s = append(s, id)
		}
		return s, true
	}
	ia, okA := ids(a)
	ib, okB := ids(b)
	if !okA || !okB {
		// Unkeyed items (quoted text): compare by value.
		va, vb := renderAll(a), renderAll(b)
		if slices.Equal(va, vb) {
			return
		}
		for i, v := range va {
			if !slices.Contains(vb, v) {
				*out = append(*out, Change{Op: ChangeRemoved, Path: fmt.Sprintf("%s[%d]", path, i), Old: v})
			}
		}
		for i, v := range vb {
			if !slices.Contains(va, v) {
				*out = append(*out, Change{Op: ChangeAdded, Path: fmt.Sprintf("%s[%d]", path, i), New: v})
			}
		}
		var ka, kb []string
		for _, v := range va {
			if slices.Contains(vb, v) {
				ka = append(ka, v)
			}
		}
		for _, v := range vb {
			if slices.Contains(va, v) {
				kb = append(kb, v)
			}
		}
		if !slices.Equal(ka, kb) {
			*out = append(*out, Change{Op: ChangeMoved, Path: path, Old: "the old order", New: "a new order"})
		}
		return
	}
	var kept []string
	for i, id := range ia {
		p := path + "[" + id + "]"
		j := slices.Index(ib, id)
		if j < 0 {
			*out = append(*out, Change{Op: ChangeRemoved, Path: p, Old: itemLabel(a[i])})
			continue
		}
		kept = append(kept, id)
		diffNodes(p, a[i], b[j], out)
	}
	var keptB []string
	for j, id := range ib {
		if !slices.Contains(ia, id) {
			*out = append(*out, Change{Op: ChangeAdded, Path: path + "[" + id + "]", New: itemLabel(b[j])})
			continue
		}
		keptB = append(keptB, id)
	}
	for i, id := range kept {
		if keptB[i] != id {
			*out = append(*out, Change{Op: ChangeMoved, Path: path + "[" + id + "]", Old: strconv.Itoa(slices.Index(ia, id) + 1), New: strconv.Itoa(slices.Index(ib, id) + 1)})
		}
	}
}

// itemLabel names an added or removed item: its name, else its rendering.
func itemLabel(n *yaml.Node) string {
	if v := mappingValue(n, "name"); v.Kind == yaml.ScalarNode {
		return strconv.Quote(v.Value)
	}
	return render(n)
}

func emptyNode(n *yaml.Node) bool {
	return (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && len(n.Content) == 0
}

func renderAll(ns []*yaml.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = render(n)
	}
	return out
}

// render writes a node on one line: scalars as themselves (strings quoted
// when they hold spaces), collections in YAML flow style.
func render(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!str" && (n.Value == "" || strings.ContainsAny(n.Value, " \n:#")) {
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	c := *n
	c.Style = yaml.FlowStyle
	b, err := yaml.Marshal(&c)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\n", " "))
}

package api

import (
	"reflect"
	"testing"
)

// TestNulField finds the first string holding a NUL character by its JSON
// path, through structs, pointers, slices and maps.
func TestNulField(t *testing.T) {
	type inner struct {
		Note string `json:"note"`
	}
	type body struct {
		Title  string            `json:"title"`
		Items  []inner           `json:"items"`
		Ptr    *inner            `json:"ptr"`
		Labels map[string]string `json:"labels"`
		Skip   string            `json:"-"`
		Plain  string
	}
	tests := []struct {
		name string
		in   body
		want string
	}{
		{"clean", body{Title: "ok", Items: []inner{{Note: "fine"}}}, ""},
		{"top level", body{Title: "a\x00b"}, "title"},
		{"in a slice", body{Items: []inner{{Note: "ok"}, {Note: "\x00"}}}, "items[1].note"},
		{"behind a pointer", body{Ptr: &inner{Note: "x\x00"}}, "ptr.note"},
		{"a map value", body{Labels: map[string]string{"b": "ok", "a": "\x00"}}, "labels.a"},
		{"a map key", body{Labels: map[string]string{"k\x00": "v"}}, "labels.k\x00"},
		{"ignored field", body{Skip: "\x00"}, ""},
		{"no json name", body{Plain: "\x00"}, "Plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := nulField(reflect.ValueOf(&tt.in), "body")
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("nulField = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

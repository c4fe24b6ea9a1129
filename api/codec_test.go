package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/store"
)

func TestCodecEndpoint(t *testing.T) {
	f := newFixture(t)
	plainHandler := f.handler
	pc, err := codec.NewAESGCM(bytes.Repeat([]byte{3}, codec.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	f.handler = New(Deps{Store: f.store, Codec: pc})

	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{
		{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"lz-secret"`)},
	}})
	var encoded json.RawMessage
	if rec := f.do(http.MethodPost, "/v1/codec/encode", store.RoleAuditor, body, &encoded); rec.Code != http.StatusOK {
		t.Fatalf("encode: %d %s", rec.Code, rec.Body)
	}
	if bytes.Contains(encoded, []byte("lz-secret")) {
		t.Fatal("encoded payloads are readable")
	}
	var decoded json.RawMessage
	if rec := f.do(http.MethodPost, "/v1/codec/decode", store.RoleManager, encoded, &decoded); rec.Code != http.StatusOK {
		t.Fatalf("decode: %d %s", rec.Code, rec.Body)
	}
	var out commonpb.Payloads
	if err := protojson.Unmarshal(decoded, &out); err != nil || string(out.Payloads[0].Data) != `"lz-secret"` {
		t.Fatalf("round trip gave %s (%v)", decoded, err)
	}

	tests := []struct {
		name    string
		handler http.Handler
		role    store.Role
		body    []byte
		want    int
	}{
		{"customers may not decode", f.handler, store.RoleCustomer, encoded, http.StatusForbidden},
		{"not payloads", f.handler, store.RoleAuditor, []byte(`{"payloads": 7}`), http.StatusBadRequest},
		{"tampered ciphertext", f.handler, store.RoleAuditor, bytes.Replace(encoded, []byte(`"data":"`), []byte(`"data":"AAAA`), 1), http.StatusBadRequest},
		{"encryption off", plainHandler, store.RoleAuditor, encoded, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.handler = tt.handler
			if rec := f.do(http.MethodPost, "/v1/codec/decode", tt.role, tt.body, nil); rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

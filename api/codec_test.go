package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
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

func TestDevCodecForTheWebUI(t *testing.T) {
	f := newFixture(t)
	pc, err := codec.NewAESGCM(bytes.Repeat([]byte{4}, codec.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	const origin = "http://127.0.0.1:8233"
	const secret = "per-start-secret"
	dev := New(Deps{Store: f.store, Codec: pc, DevCodecOrigin: origin, DevCodecSecret: secret})
	prod := New(Deps{Store: f.store, Codec: pc})
	encoded, err := pc.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"hello"`)}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: encoded})
	tests := []struct {
		name     string
		handler  http.Handler
		method   string
		path     string
		want     int
		wantCORS bool
	}{
		{"preflight", dev, http.MethodOptions, "/dev/codec/" + secret + "/decode", http.StatusNoContent, true},
		{"decode with the UI's secret", dev, http.MethodPost, "/dev/codec/" + secret + "/decode", http.StatusOK, true},
		{"decode without the secret", dev, http.MethodPost, "/dev/codec/decode", http.StatusNotFound, false},
		{"decode with another secret", dev, http.MethodPost, "/dev/codec/per-start-secreT/decode", http.StatusNotFound, false},
		{"not served outside dev", prod, http.MethodPost, "/dev/codec/" + secret + "/decode", http.StatusNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, bytes.NewReader(body))
			req.Header.Set("Origin", origin)
			rec := httptest.NewRecorder()
			tt.handler.ServeHTTP(rec, req)
			if rec.Code != tt.want || (rec.Header().Get("Access-Control-Allow-Origin") == origin) != tt.wantCORS {
				t.Fatalf("status %d, CORS %q: %s", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Body)
			}
			if tt.want == http.StatusOK && !strings.Contains(rec.Body.String(), base64.StdEncoding.EncodeToString([]byte(`"hello"`))) {
				t.Errorf("decoded body %s", rec.Body)
			}
		})
	}
}

package codec

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestParseKey(t *testing.T) {
	key := testKey(7)
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"base64", base64.StdEncoding.EncodeToString(key), true},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(key), true},
		{"hex", strings.Repeat("07", KeySize), true},
		{"too short", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"not encoded", "correct horse battery staple", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseKey(%q) error %v, want ok=%v", tt.in, err, tt.ok)
			}
			if tt.ok && !bytes.Equal(got, key) {
				t.Errorf("got %x", got)
			}
		})
	}
}

func TestEncodeDecode(t *testing.T) {
	c, err := NewAESGCM(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewAESGCM(testKey(2))
	plain := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`{"project_id":"secret-project"}`)}

	enc, err := c.Encode([]*commonpb.Payload{plain})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc[0].Data, []byte("secret-project")) || string(enc[0].Metadata["encoding"]) != EncodingEncrypted {
		t.Fatalf("encoded payload is readable: %q", enc[0].Data)
	}
	again, _ := c.Encode([]*commonpb.Payload{plain})
	if bytes.Equal(again[0].Data, enc[0].Data) {
		t.Error("two encodings of one payload are identical: the nonce is not random")
	}

	tampered := &commonpb.Payload{Metadata: enc[0].Metadata, Data: append([]byte(nil), enc[0].Data...)}
	tampered.Data[len(tampered.Data)-1] ^= 1
	tests := []struct {
		name    string
		codec   *AESGCM
		in      *commonpb.Payload
		want    string
		wantErr string
	}{
		{"round trip", c, enc[0], `{"project_id":"secret-project"}`, ""},
		{"plain payload passes through", c, plain, `{"project_id":"secret-project"}`, ""},
		{"tampered ciphertext", c, tampered, "", "decrypt payload"},
		{"another key", other, enc[0], "", "was encrypted with key " + c.KeyID()},
		{"truncated", c, &commonpb.Payload{Metadata: enc[0].Metadata, Data: []byte{1, 2}}, "", "shorter than its nonce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.codec.Decode([]*commonpb.Payload{tt.in})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out[0].Data) != tt.want || string(out[0].Metadata["encoding"]) != "json/plain" {
				t.Errorf("decoded %q %v", out[0].Data, out[0].Metadata)
			}
		})
	}
}

// Package codec encrypts Temporal payloads with AES-256-GCM when sowflow is
// given a payload key, so that what Temporal stores (inputs, results, update
// and signal arguments, query answers, history) is unreadable without it.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Metadata keys and values of encrypted payloads.
const (
	metadataEncoding = "encoding"
	metadataKeyID    = "encryption-key-id"
	// EncodingEncrypted marks a payload this codec encrypted.
	EncodingEncrypted = "binary/encrypted"
)

// KeySize is the length of a payload key: AES-256.
const KeySize = 32

// ParseKey decodes a payload key given as base64 (standard or URL alphabet)
// or hex; it must be exactly 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString, hex.DecodeString,
	} {
		if k, err := dec(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("want %d bytes as base64 or hex (for example `openssl rand -base64 32`)", KeySize)
}

// AESGCM is a converter.PayloadCodec that encrypts every payload. Payloads
// that are not encrypted (written before encryption was turned on) decode
// unchanged; payloads encrypted under another key fail to decode, naming the
// key ID they need.
type AESGCM struct {
	aead  cipher.AEAD
	keyID string
}

// NewAESGCM returns a codec for a 32-byte key.
func NewAESGCM(key []byte) (*AESGCM, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("payload key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create gcm: %w", err)
	}
	sum := sha256.Sum256(key)
	return &AESGCM{aead: aead, keyID: "sha256:" + hex.EncodeToString(sum[:8])}, nil
}

// KeyID names the key without revealing it.
func (c *AESGCM) KeyID() string { return c.keyID }

// Encode encrypts each payload, whole (metadata and data), into a new one.
func (c *AESGCM) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("marshal payload: %w", err)
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("read nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				metadataEncoding: []byte(EncodingEncrypted),
				metadataKeyID:    []byte(c.keyID),
			},
			Data: c.aead.Seal(nonce, nonce, plain, []byte(c.keyID)),
		}
	}
	return out, nil
}

// Decode decrypts payloads this codec encrypted and passes others through.
func (c *AESGCM) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[metadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		if id := string(p.GetMetadata()[metadataKeyID]); id != c.keyID {
			return nil, fmt.Errorf("payload was encrypted with key %s, this process has %s", id, c.keyID)
		}
		n := c.aead.NonceSize()
		if len(p.GetData()) < n {
			return nil, errors.New("encrypted payload is shorter than its nonce")
		}
		plain, err := c.aead.Open(nil, p.Data[:n], p.Data[n:], []byte(c.keyID))
		if err != nil {
			return nil, fmt.Errorf("decrypt payload: %w", err)
		}
		var decoded commonpb.Payload
		if err := proto.Unmarshal(plain, &decoded); err != nil {
			return nil, fmt.Errorf("unmarshal decrypted payload: %w", err)
		}
		out[i] = &decoded
	}
	return out, nil
}

// DataConverter returns the default data converter, wrapped with c when c
// is not nil.
func DataConverter(c *AESGCM) converter.DataConverter {
	if c == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

package api

import (
	"crypto/subtle"
	"net/http"

	"github.com/gin-gonic/gin"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// devSecret answers 404, as for no route, unless the path holds secret.
func devSecret(secret string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if subtle.ConstantTimeCompare([]byte(c.Param("secret")), []byte(secret)) != 1 {
			writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such resource"})
			return
		}
		c.Next()
	}
}

// devCORS lets the dev Web UI at origin call the codec from the browser and
// answers its preflight requests.
func devCORS(origin string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Access-Control-Allow-Origin", origin)
		c.Header("Access-Control-Allow-Methods", "POST, OPTIONS")
		c.Header("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		c.Header("Vary", "Origin")
		if c.Request.Method == http.MethodOptions {
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

// codecEndpoint serves Temporal's remote codec protocol (POST …/encode and
// …/decode with a JSON list of payloads) with the payload key of this
// process, so the Temporal CLI (`--codec-endpoint`, `--codec-auth "Bearer
// <token>"`) can show encrypted histories. It changes nothing, so it takes no
// Idempotency-Key. Without payload encryption there is nothing to decode.
func (h *handlers) codecEndpoint(decode bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if h.deps.Codec == nil {
			writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "payload encryption is off (SOWFLOW_PAYLOAD_KEY is not set); payloads are stored as they are"})
			return
		}
		body, ok := readBody(c)
		if !ok {
			return
		}
		var in commonpb.Payloads
		if err := protojson.Unmarshal(body, &in); err != nil {
			invalid(c, "the body is not a list of Temporal payloads", FieldError{Field: "payloads", Rule: "payloads", Detail: err.Error()})
			return
		}
		convert := h.deps.Codec.Encode
		if decode {
			convert = h.deps.Codec.Decode
		}
		out, err := convert(in.GetPayloads())
		if err != nil {
			invalid(c, "the payloads cannot be converted", FieldError{Field: "payloads", Rule: "codec", Detail: err.Error()})
			return
		}
		b, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
		if err != nil {
			h.internal(c, "encode payloads", err)
			return
		}
		c.Data(http.StatusOK, "application/json", b)
	}
}

package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// OpenAPIContentType is the media type /openapi.yaml is served with.
const OpenAPIContentType = "application/yaml"

// openAPIDocument is the API's OpenAPI 3.1 description, written by hand and
// held against the router, the role checks and the request and response
// types by the TestOpenAPI tests.
//
//go:embed openapi.yaml
var openAPIDocument []byte

// serveOpenAPI answers GET /openapi.yaml, unauthenticated, so that clients
// and tools can discover the API before they hold a token.
func serveOpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, OpenAPIContentType, openAPIDocument)
}

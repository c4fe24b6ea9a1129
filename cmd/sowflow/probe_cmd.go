package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const probeUsage = `Usage: sowflow probe URL

Sends GET URL and exits 0 when it answers 2xx within 5 seconds, 1 otherwise.
The distroless image has no shell or HTTP client, so the compose file's
health checks run it: sowflow probe http://127.0.0.1:8080/readyz for an API,
http://127.0.0.1:8081/readyz for a worker with SOWFLOW_HEALTH_ADDR set.
`

// probeTimeout bounds one probe.
const probeTimeout = 5 * time.Second

func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprint(stdout, probeUsage)
		return 0
	}
	if len(args) != 1 {
		fmt.Fprint(stderr, probeUsage)
		return 2
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "sowflow probe: %q is not an http:// or https:// URL\n", args[0])
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow probe: %v\n", err)
		return 2
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow probe: %v\n", err)
		return 1
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		fmt.Fprintf(stderr, "sowflow probe: %s answered %s\n", u, res.Status)
		return 1
	}
	fmt.Fprintf(stdout, "%s answered %s\n", u, res.Status)
	return 0
}

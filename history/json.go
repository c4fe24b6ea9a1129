package history

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
)

// MarshalHistory writes h in Temporal's JSON history format: the protojson
// of history.v1.History with the Temporal API's marshaller and payloads in
// full (no shorthand), as `temporal workflow show --output json` writes it.
// client.HistoryFromJSON and the SDK's WorkflowReplayer read it back.
func MarshalHistory(h *historypb.History) ([]byte, error) {
	b, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("marshal history: %w", err)
	}
	return b, nil
}

// UnmarshalHistory reads a history in Temporal's JSON format, as
// client.HistoryFromJSON does (unknown fields, written by newer servers, are
// ignored).
func UnmarshalHistory(b []byte) (*historypb.History, error) {
	h, err := client.HistoryFromJSON(bytes.NewReader(b), client.HistoryJSONOptions{})
	if err != nil {
		return nil, fmt.Errorf("read history json: %w", err)
	}
	return h, nil
}

// Export is the export document of a project: every run of its workflow,
// oldest first, each history in Temporal's JSON format.
type Export struct {
	WorkflowID string      `json:"workflow_id,omitempty"`
	Runs       []ExportRun `json:"runs"`
}

// ExportRun is one run of an Export.
type ExportRun struct {
	RunID   string          `json:"run_id"`
	History json.RawMessage `json:"history"`
}

// NewExport marshals the runs into an Export.
func NewExport(workflowID string, runs []Run) (*Export, error) {
	out := &Export{WorkflowID: workflowID, Runs: make([]ExportRun, 0, len(runs))}
	for _, r := range runs {
		b, err := MarshalHistory(r.History)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", r.RunID, err)
		}
		out.Runs = append(out.Runs, ExportRun{RunID: r.RunID, History: b})
	}
	return out, nil
}

// Histories decodes the export's runs.
func (e *Export) Histories() ([]Run, error) {
	runs := make([]Run, 0, len(e.Runs))
	for i, r := range e.Runs {
		if len(r.History) == 0 {
			return nil, fmt.Errorf("run %d: no history", i+1)
		}
		h, err := UnmarshalHistory(r.History)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		if len(h.Events) == 0 {
			return nil, fmt.Errorf("run %d: %w", i+1, ErrEmptyHistory)
		}
		id := r.RunID
		if id == "" {
			id = RunIDOf(h)
		}
		runs = append(runs, Run{RunID: id, History: h})
	}
	return runs, nil
}

// ErrNotHistory is returned by Parse for JSON that is neither a Temporal
// history nor an Export.
var ErrNotHistory = errors.New(`not a Temporal history ({"events": [...]}) or a sowflow export ({"runs": [...]})`)

// ErrTooLarge is returned by ParseLimited for a gzip'd document that
// unpacks to more than its limit.
var ErrTooLarge = errors.New("the history unpacks to more than the limit")

// Parse reads a Temporal JSON history or an Export, either optionally
// gzip'd, and returns its runs in order. A plain history's run ID is the one
// its start event records. Use ParseLimited for input from the network.
func Parse(b []byte) ([]Run, error) { return ParseLimited(b, 0) }

// ParseLimited is Parse with a bound on the size a gzip'd document unpacks
// to (0: none), so a small compressed body cannot expand without limit.
func ParseLimited(b []byte, limit int64) ([]Run, error) {
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		var r io.Reader = zr
		if limit > 0 {
			r = io.LimitReader(zr, limit+1)
		}
		if b, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		if limit > 0 && int64(len(b)) > limit {
			return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
		}
	}
	var probe struct {
		Events json.RawMessage `json:"events"`
		Runs   json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotHistory, err)
	}
	switch {
	case probe.Runs != nil && probe.Events == nil:
		var e Export
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("read export: %w", err)
		}
		if len(e.Runs) == 0 {
			return nil, errors.New("the export holds no runs")
		}
		return e.Histories()
	case probe.Events != nil && probe.Runs == nil:
		h, err := UnmarshalHistory(b)
		if err != nil {
			return nil, err
		}
		if len(h.Events) == 0 {
			return nil, ErrEmptyHistory
		}
		return []Run{{RunID: RunIDOf(h), History: h}}, nil
	}
	return nil, ErrNotHistory
}

// ReadFile reads a history or export file (see Parse).
func ReadFile(path string) ([]Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	runs, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return runs, nil
}

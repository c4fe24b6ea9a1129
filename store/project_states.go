package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// ProjectStates returns the state the read model last recorded of each
// project in ids (workflows.ProjectState JSON), by ID; an ID without a row
// is left out. One query, whatever the number of projects: the lists that
// show many projects' deadlines read them here rather than asking each
// workflow.
func (s *Store) ProjectStates(ctx context.Context, ids []string) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, state FROM projects WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read project states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var state json.RawMessage
		if err := rows.Scan(&id, &state); err != nil {
			return nil, fmt.Errorf("read project states: %w", err)
		}
		out[id] = state
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read project states: %w", err)
	}
	return out, nil
}

package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// SystemChain is the audit chain of actions that belong to no customer:
// token management and calendar loads.
const SystemChain = "system"

// CustomerChain returns the audit chain of a customer's actions and
// projects; a project without a customer is audited on SystemChain.
func CustomerChain(customerID string) string {
	if customerID == "" {
		return SystemChain
	}
	return "customer:" + customerID
}

// Audited actions recorded by the store itself. Workflow events are
// recorded as ActionProjectPrefix, ActionServicePrefix or ActionTicketPrefix
// followed by the event type.
const (
	ActionTokenCreate   = "token.create"
	ActionTokenRevoke   = "token.revoke"
	ActionCalendarLoad  = "calendar.load"
	ActionProjectPrefix = SourceProject + "."
	ActionServicePrefix = SourceService + "."
	ActionTicketPrefix  = SourceTicket + "."
)

// Actor is who performed an audited action, and the request it came with.
type Actor struct {
	Subject   string `json:"subject"`
	Role      string `json:"role"`
	RequestID string `json:"request_id,omitempty"`
	// ClientRequestID is the X-Request-ID the client sent, if any.
	ClientRequestID string `json:"client_request_id,omitempty"`
}

type actorKey struct{}

// WithActor returns a context that attributes the audit records written
// under it (token and calendar changes) to a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor WithActor put on ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// actorOr returns the context's actor, or one with only the given subject
// when the caller set none.
func actorOr(ctx context.Context, subject string) Actor {
	if a, ok := ActorFrom(ctx); ok && a.Subject != "" {
		return a
	}
	return Actor{Subject: subject}
}

// unattributed is the subject of a record whose caller named no actor.
const unattributed = "unattributed"

// Digest is a SHA-256 hash; it is written in JSON and text as lower-case hex.
type Digest []byte

// String returns the digest in hex.
func (d Digest) String() string { return hex.EncodeToString(d) }

// MarshalText writes the digest in hex.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a hex digest.
func (d *Digest) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	*d = v
	return nil
}

// genesis is the prev_hash of every chain's first record.
var genesis = make(Digest, sha256.Size)

// AuditEntry is an action to append to the audit log.
type AuditEntry struct {
	// Chain is CustomerChain(customer) or SystemChain.
	Chain string
	Actor Actor
	// OccurredAt is when the action happened; zero means now. It is stored
	// with microsecond precision.
	OccurredAt time.Time
	Action     string
	// ProjectID is the project the action concerns, if any.
	ProjectID string
	// Payload is the action's JSON value; empty means {}.
	Payload json.RawMessage
}

// AuditRecord is one stored audit record.
type AuditRecord struct {
	ID           int64  `json:"id"`
	Chain        string `json:"chain"`
	Seq          int64  `json:"seq"`
	ActorSubject string `json:"actor_subject"`
	ActorRole    string `json:"actor_role"`
	RequestID    string `json:"request_id"`
	// ClientRequestID is the client's own X-Request-ID, "" when it sent none.
	ClientRequestID string          `json:"client_request_id,omitempty"`
	OccurredAt      time.Time       `json:"occurred_at"`
	Action          string          `json:"action"`
	ProjectID       string          `json:"project_id,omitempty"`
	Payload         json.RawMessage `json:"payload"`
	PrevHash        Digest          `json:"prev_hash"`
	Hash            Digest          `json:"hash"`
}

// CanonicalContent returns the bytes a record's hash covers, after its
// prev_hash: the canonical JSON (see CanonicalJSON) of the object
//
//	{"action": Action, "actor": {"role": ActorRole, "subject": ActorSubject},
//	 "chain": Chain, "occurred_at": OccurredAt in UTC as RFC 3339 with
//	 fractional seconds and no trailing zeros (time.RFC3339Nano),
//	 "payload": Payload, "project_id": ProjectID or null when empty,
//	 "request_id": RequestID, "seq": Seq}
//
// plus "client_request_id": ClientRequestID when it is not empty (records
// written before the column existed hash without it).
func (r AuditRecord) CanonicalContent() ([]byte, error) {
	payload, err := decodeJSON(orEmptyObject(r.Payload))
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	var project any
	if r.ProjectID != "" {
		project = r.ProjectID
	}
	content := map[string]any{
		"action":      r.Action,
		"actor":       map[string]any{"role": r.ActorRole, "subject": r.ActorSubject},
		"chain":       r.Chain,
		"occurred_at": r.OccurredAt.UTC().Format(time.RFC3339Nano),
		"payload":     payload,
		"project_id":  project,
		"request_id":  r.RequestID,
		"seq":         json.Number(strconv.FormatInt(r.Seq, 10)),
	}
	if r.ClientRequestID != "" {
		content["client_request_id"] = r.ClientRequestID
	}
	var b bytes.Buffer
	if err := writeCanonical(&b, content); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ComputeHash returns SHA-256(PrevHash || CanonicalContent()), the hash the
// record must carry.
func (r AuditRecord) ComputeHash() (Digest, error) {
	content, err := r.CanonicalContent()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(r.PrevHash)
	h.Write(content)
	return h.Sum(nil), nil
}

// CanonicalJSON returns the canonical form of one JSON value, the form audit
// hashes are computed over:
//
//   - no insignificant whitespace;
//   - object members sorted by key, comparing the keys' UTF-8 bytes (that is,
//     by Unicode code point); when a key repeats, the last member wins, as in
//     PostgreSQL's jsonb;
//   - strings in UTF-8, escaping only '"' as \", '\' as \\, and the control
//     characters below U+0020: \b \f \n \r \t for those five, \u00xx with
//     lower-case hex for the rest; every other character, '/', '<', '>', '&',
//     U+2028 and U+2029 included, is written as itself;
//   - numbers exactly as the input spells them (no reformatting), so the hash
//     is computed over the numbers as PostgreSQL's jsonb prints them back
//     (jsonb normalises 1e2 to 100 but keeps 1.0), and the store hashes a
//     payload only after a round trip through jsonb;
//   - true, false and null as themselves.
//
// Input that is not valid UTF-8, or not exactly one JSON value, is refused.
// The string and layout rules are those of RFC 8785; key order and numbers
// differ from it as said above.
func CanonicalJSON(in []byte) ([]byte, error) {
	v, err := decodeJSON(in)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodeJSON parses exactly one JSON value, keeping numbers as written.
func decodeJSON(in []byte) (any, error) {
	if !utf8.Valid(in) {
		return nil, errors.New("canonical json: input is not valid utf-8")
	}
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("canonical json: more than one value")
	}
	return v, nil
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(v.String())
	case string:
		writeCanonicalString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonicalString(b, k)
			b.WriteByte(':')
			if err := writeCanonical(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("canonical json: unexpected %T", v)
	}
	return nil
}

func writeCanonicalString(b *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// AppendAudit appends one record to e.Chain in its own transaction and
// returns it as stored.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditRecord, error) {
	var out []AuditRecord
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = appendAudit(ctx, tx, e.Chain, []AuditEntry{e})
		return err
	})
	if err != nil {
		return AuditRecord{}, err
	}
	return out[0], nil
}

// appendAudit appends entries, in order, to chain inside tx. Every entry's
// Chain must be chain or empty. The chain's advisory lock is held until tx
// ends, so the writers of one chain take turns: each reads the head the
// previous one committed and no two records get the same seq. Callers take
// no other audit chain's lock in the same transaction.
func appendAudit(ctx context.Context, tx pgx.Tx, chain string, entries []AuditEntry) ([]AuditRecord, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	if chain == "" {
		return nil, errors.New("append audit record: chain is empty")
	}
	now := time.Now()
	recs := make([]AuditRecord, len(entries))
	raw := make([]string, len(entries))
	for i, e := range entries {
		if e.Chain != "" && e.Chain != chain {
			return nil, fmt.Errorf("append audit record: entry for chain %s in a batch for %s", e.Chain, chain)
		}
		if e.Action == "" {
			return nil, errors.New("append audit record: action is empty")
		}
		at := e.OccurredAt
		if at.IsZero() {
			at = now
		}
		subject := e.Actor.Subject
		if subject == "" {
			subject = unattributed
		}
		recs[i] = AuditRecord{
			Chain: chain, ActorSubject: subject, ActorRole: e.Actor.Role, RequestID: e.Actor.RequestID, ClientRequestID: e.Actor.ClientRequestID,
			// PostgreSQL keeps microseconds; hash what it will read back.
			OccurredAt: at.UTC().Truncate(time.Microsecond), Action: e.Action, ProjectID: e.ProjectID,
		}
		raw[i] = string(orEmptyObject(e.Payload))
	}
	// The hash covers the payload as jsonb gives it back (numbers normalised,
	// duplicate keys dropped), so verification recomputes the same bytes.
	rows, err := tx.Query(ctx, `SELECT p::jsonb::text FROM unnest($1::text[]) WITH ORDINALITY AS u (p, n) ORDER BY n`, raw)
	if err != nil {
		return nil, fmt.Errorf("normalise audit payloads: %w", err)
	}
	normalised, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("normalise audit payloads: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('sowflow.audit:' || $1, 0))`, chain); err != nil {
		return nil, fmt.Errorf("lock audit chain %s: %w", chain, err)
	}
	// Read the head only now, holding the lock: this statement's snapshot
	// includes every append committed before the lock was granted.
	var (
		seq  int64
		head []byte
	)
	err = tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log WHERE chain = $1 ORDER BY seq DESC LIMIT 1`, chain).Scan(&seq, &head)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("read head of audit chain %s: %w", chain, err)
	}
	prev := genesis
	if head != nil {
		prev = head
	}
	batch := &pgx.Batch{}
	for i := range recs {
		r := &recs[i]
		seq++
		r.Seq, r.PrevHash, r.Payload = seq, prev, json.RawMessage(normalised[i])
		if r.Hash, err = r.ComputeHash(); err != nil {
			return nil, fmt.Errorf("hash audit record %s/%d: %w", chain, seq, err)
		}
		prev = r.Hash
		var project *string
		if r.ProjectID != "" {
			project = &r.ProjectID
		}
		batch.Queue(`INSERT INTO audit_log (chain, seq, actor_subject, actor_role, request_id, occurred_at, action, project_id, payload, prev_hash, hash, client_request_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $11, $12) RETURNING id`,
			r.Chain, r.Seq, r.ActorSubject, r.ActorRole, r.RequestID, r.OccurredAt, r.Action, project, normalised[i], []byte(r.PrevHash), []byte(r.Hash), r.ClientRequestID,
		).QueryRow(func(row pgx.Row) error { return row.Scan(&r.ID) })
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, fmt.Errorf("insert audit records into %s: %w", chain, err)
	}
	return recs, nil
}

// AuditRecords returns up to limit records of chain with a seq above
// afterSeq, in seq order.
func (s *Store) AuditRecords(ctx context.Context, chain string, afterSeq int64, limit int) ([]AuditRecord, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("list audit records: limit %d is not positive", limit)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3`, chain, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit records of %s: %w", chain, err)
	}
	out, err := pgx.CollectRows(rows, scanAuditRecord)
	if err != nil {
		return nil, fmt.Errorf("list audit records of %s: %w", chain, err)
	}
	return out, nil
}

const auditColumns = `id, chain, seq, actor_subject, actor_role, request_id, occurred_at, action, coalesce(project_id, ''), payload, prev_hash, hash, client_request_id`

func scanAuditRecord(row pgx.CollectableRow) (AuditRecord, error) {
	var r AuditRecord
	err := row.Scan(&r.ID, &r.Chain, &r.Seq, &r.ActorSubject, &r.ActorRole, &r.RequestID, &r.OccurredAt,
		&r.Action, &r.ProjectID, &r.Payload, (*[]byte)(&r.PrevHash), (*[]byte)(&r.Hash), &r.ClientRequestID)
	return r, err
}

// AuditProblem names what is wrong with a broken link of an audit chain.
type AuditProblem string

// The ways a chain can be broken.
const (
	// AuditHashMismatch: the record's hash is not SHA-256 of its prev_hash
	// and content; the record itself was altered.
	AuditHashMismatch AuditProblem = "hash_mismatch"
	// AuditPrevHashMismatch: the record's prev_hash is not the previous
	// record's hash; the record was altered, moved or re-linked.
	AuditPrevHashMismatch AuditProblem = "prev_hash_mismatch"
	// AuditGap: records before this one are missing (deleted).
	AuditGap AuditProblem = "gap"
)

// AuditBreak is the first broken link of one chain.
type AuditBreak struct {
	Chain   string       `json:"chain"`
	Seq     int64        `json:"seq"`
	ID      int64        `json:"id"`
	Problem AuditProblem `json:"problem"`
	Detail  string       `json:"detail"`
}

// AuditChainReport summarises one verified chain.
type AuditChainReport struct {
	Chain   string `json:"chain"`
	OK      bool   `json:"ok"`
	Records int64  `json:"records"`
	// LastSeq and Head are the seq and hash of the chain's last record. Keep
	// them somewhere else to detect a truncated tail or a rewritten chain
	// later: the chain alone cannot show either.
	LastSeq int64       `json:"last_seq"`
	Head    Digest      `json:"head"`
	Broken  *AuditBreak `json:"broken,omitempty"`
}

// AuditReport is the result of verifying every audit chain.
type AuditReport struct {
	OK             bool               `json:"ok"`
	ChainsChecked  int                `json:"chains_checked"`
	RecordsChecked int64              `json:"records_checked"`
	Chains         []AuditChainReport `json:"chains"`
	// Broken lists the first broken link of each broken chain, in chain order.
	Broken []AuditBreak `json:"broken"`
}

// Chain returns the report of one chain.
func (r AuditReport) Chain(chain string) (AuditChainReport, bool) {
	for _, c := range r.Chains {
		if c.Chain == chain {
			return c, true
		}
	}
	return AuditChainReport{}, false
}

// VerifyAudit walks every audit chain in seq order, streaming the rows from
// one consistent snapshot: it recomputes each record's hash and checks that
// its prev_hash is the previous record's hash and that seqs run 1, 2, 3…
// without gaps. Each chain's first broken link is reported; the walk goes on
// from the broken record to count the rest.
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	rep := AuditReport{OK: true, Chains: []AuditChainReport{}, Broken: []AuditBreak{}}
	rows, err := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY chain, seq`)
	if err != nil {
		return AuditReport{}, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var cur *AuditChainReport
	finish := func() {
		if cur == nil {
			return
		}
		if cur.Broken != nil {
			rep.OK = false
			rep.Broken = append(rep.Broken, *cur.Broken)
		}
		rep.Chains = append(rep.Chains, *cur)
	}
	var prevHash Digest
	for rows.Next() {
		r, err := scanAuditRecord(rows)
		if err != nil {
			return AuditReport{}, fmt.Errorf("read audit log: %w", err)
		}
		if cur == nil || cur.Chain != r.Chain {
			finish()
			cur = &AuditChainReport{Chain: r.Chain, OK: true}
			prevHash = genesis
			rep.ChainsChecked++
		}
		if problem, detail := checkLink(r, cur.LastSeq, prevHash); problem != "" && cur.Broken == nil {
			cur.OK = false
			cur.Broken = &AuditBreak{Chain: r.Chain, Seq: r.Seq, ID: r.ID, Problem: problem, Detail: detail}
		}
		cur.Records++
		rep.RecordsChecked++
		cur.LastSeq, cur.Head = r.Seq, r.Hash
		prevHash = r.Hash
	}
	if err := rows.Err(); err != nil {
		return AuditReport{}, fmt.Errorf("read audit log: %w", err)
	}
	finish()
	return rep, nil
}

// checkLink checks one record against the previous record of its chain
// (lastSeq 0 and prevHash genesis for the first).
func checkLink(r AuditRecord, lastSeq int64, prevHash Digest) (AuditProblem, string) {
	if r.Seq != lastSeq+1 {
		missing := fmt.Sprintf("%d", lastSeq+1)
		if r.Seq-1 > lastSeq+1 {
			missing = fmt.Sprintf("%d to %d", lastSeq+1, r.Seq-1)
		}
		if lastSeq == 0 {
			return AuditGap, fmt.Sprintf("the chain starts at seq %d: seq %s missing", r.Seq, missing)
		}
		return AuditGap, fmt.Sprintf("seq %d follows seq %d: seq %s missing", r.Seq, lastSeq, missing)
	}
	if !bytes.Equal(r.PrevHash, prevHash) {
		what := "the previous record's hash " + short(prevHash)
		if lastSeq == 0 {
			what = "32 zero bytes, as the first record of a chain"
		}
		return AuditPrevHashMismatch, fmt.Sprintf("prev_hash is %s, want %s", short(r.PrevHash), what)
	}
	want, err := r.ComputeHash()
	if err != nil {
		return AuditHashMismatch, fmt.Sprintf("content cannot be hashed: %v", err)
	}
	if !bytes.Equal(r.Hash, want) {
		return AuditHashMismatch, fmt.Sprintf("stored hash %s, content hashes to %s: the record was altered", short(r.Hash), short(want))
	}
	return "", ""
}

// short abbreviates a digest for messages.
func short(d Digest) string {
	s := d.String()
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// auditEvents appends newly recorded events of a project, service or
// ticket to the customer's chain inside tx, each as action "<source>.<event
// type>" (ActionProjectPrefix, ActionServicePrefix, ActionTicketPrefix) with
// payload {"event_seq": seq, "event": payload}; a service's events also name
// it ("service_id"), a ticket's name its service and number ("service_id",
// "ticket"), an SLA period's name it as "<account>/<period>"
// ("sla_period"). Project events carry the project in the record's
// project_id.
func auditEvents(ctx context.Context, tx pgx.Tx, sub subject, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	events = slices.Clone(events)
	slices.SortFunc(events, func(a, b Event) int { return cmp.Compare(a.Seq, b.Seq) })
	var project, service, period string
	switch sub.source {
	case SourceProject:
		project = sub.id
	case SourceSLAPeriod:
		period = sub.id
	default:
		service = sub.id
	}
	entries := make([]AuditEntry, len(events))
	for i, e := range events {
		payload, err := json.Marshal(struct {
			ServiceID string          `json:"service_id,omitempty"`
			Ticket    int             `json:"ticket,omitempty"`
			SLAPeriod string          `json:"sla_period,omitempty"`
			EventSeq  int64           `json:"event_seq"`
			Event     json.RawMessage `json:"event"`
		}{service, sub.ticket, period, e.Seq, orEmptyObject(e.Payload)})
		if err != nil {
			return fmt.Errorf("encode audit payload of event %d: %w", e.Seq, err)
		}
		entries[i] = AuditEntry{
			Actor:      Actor{Subject: e.ActorSubject, Role: e.ActorRole, RequestID: e.RequestID, ClientRequestID: e.ClientRequestID},
			OccurredAt: e.OccurredAt, Action: sub.source + "." + e.Type, ProjectID: project, Payload: payload,
		}
	}
	_, err := appendAudit(ctx, tx, CustomerChain(sub.customer), entries)
	return err
}

// auditToken appends a token's creation or revocation to the system chain
// inside tx. The payload describes the token, never its secret or hash.
func auditToken(ctx context.Context, tx pgx.Tx, action string, t Token, actor Actor, at time.Time) error {
	payload, err := json.Marshal(struct {
		TokenID    string `json:"token_id"`
		Name       string `json:"name"`
		Role       Role   `json:"role"`
		CustomerID string `json:"customer_id,omitempty"`
		CreatedBy  string `json:"created_by"`
	}{t.ID, t.Name, t.Role, t.CustomerID, t.CreatedBy})
	if err != nil {
		return fmt.Errorf("encode audit payload of token %s: %w", t.ID, err)
	}
	_, err = appendAudit(ctx, tx, SystemChain, []AuditEntry{{Actor: actor, OccurredAt: at, Action: action, Payload: payload}})
	return err
}

// auditCalendarLoad appends a calendar year's load to the system chain
// inside tx. The payload identifies the data by its SHA-256, not its content.
func auditCalendarLoad(ctx context.Context, tx pgx.Tx, y CalendarYear, actor Actor) error {
	payload, err := json.Marshal(struct {
		Region  string `json:"region"`
		Year    int    `json:"year"`
		Version int    `json:"version"`
		SHA256  string `json:"sha256"`
	}{y.Region, y.Year, y.Version, y.SHA256})
	if err != nil {
		return fmt.Errorf("encode audit payload of calendar year %d: %w", y.Year, err)
	}
	_, err = appendAudit(ctx, tx, SystemChain, []AuditEntry{{Actor: actor, OccurredAt: y.LoadedAt, Action: ActionCalendarLoad, Payload: payload}})
	return err
}

// Package notify delivers the workflows' outbox entries to people and
// integrations. A Relay runs in every worker process: it expands each outbox
// entry into deliveries (one per recipient and channel) and sends the due
// ones through the channels' Senders, retrying with exponential backoff.
// PostgreSQL row locks (FOR UPDATE SKIP LOCKED) share the work between any
// number of relays, so no delivery is sent by two at once, and the delivery
// log holds each delivery once.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/sowflow/sowflow/store"
)

// Sender sends deliveries over one channel.
type Sender interface {
	// Send delivers d. An error wrapping ErrPermanent gives the delivery up;
	// any other error is retried.
	Send(ctx context.Context, d store.Delivery) error
}

// ErrPermanent marks a send error that retrying cannot fix (the receiver
// refused the message, the endpoint is gone).
var ErrPermanent = errors.New("permanent delivery failure")

// Retry is a channel's retry policy: the n-th retry waits Base·2^(n-1),
// at most Max, with up to ±20% jitter; a delivery still unsent Window after
// it was created is given up.
type Retry struct {
	Base, Max, Window time.Duration
}

// WebhookRetry retries webhook deliveries for up to 24 hours.
var WebhookRetry = Retry{Base: 30 * time.Second, Max: time.Hour, Window: 24 * time.Hour}

// EmailRetry retries mail for up to 6 hours.
var EmailRetry = Retry{Base: 30 * time.Second, Max: 30 * time.Minute, Window: 6 * time.Hour}

// delay is the wait before retry number attempts (1 for the first retry).
func (r Retry) delay(attempts int) time.Duration {
	d := r.Base
	for i := 1; i < attempts && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	if d <= 0 {
		return 0
	}
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}

// Channel is a channel the relay sends: its name (store.ChannelWebhook,
// store.ChannelEmail), sender and retry policy.
type Channel struct {
	Name   string
	Sender Sender
	Retry  Retry
}

// Relay moves outbox entries to their recipients.
type Relay struct {
	Store    *store.Store
	Channels []Channel
	Logger   *slog.Logger
	// Batch is how many entries or deliveries one transaction takes
	// (default 20).
	Batch int
	// Interval is how long Run waits when there is no work (default 2s).
	Interval time.Duration
	// MaxBackoff bounds Run's wait after failed passes (PostgreSQL
	// unreachable, say): after n failures in a row it waits Interval·2^n,
	// at most MaxBackoff (default one minute).
	MaxBackoff time.Duration
	// SendTimeout bounds one send (default 15s).
	SendTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Run relays until ctx ends, logging errors and going on after them.
func (r *Relay) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	t := time.NewTimer(0)
	defer t.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		busy, err := r.RunOnce(ctx)
		switch {
		case err != nil:
			failures++
			wait := r.backoff(interval, failures)
			if ctx.Err() == nil {
				r.logger().Warn("relay notifications", "error", err.Error(), "failures", failures, "retry_in", wait)
			}
			t.Reset(wait)
		case busy:
			failures = 0
			t.Reset(0)
		default:
			failures = 0
			t.Reset(interval)
		}
	}
}

// backoff is Run's wait after failures failed passes in a row:
// interval·2^failures, at most MaxBackoff.
func (r *Relay) backoff(interval time.Duration, failures int) time.Duration {
	limit := r.MaxBackoff
	if limit <= 0 {
		limit = time.Minute
	}
	d := interval
	for range failures {
		if d >= limit {
			break
		}
		d *= 2
	}
	return min(d, limit)
}

// RunOnce expands one batch of outbox entries and sends one batch of due
// deliveries. busy reports whether it found any work, so more may wait.
func (r *Relay) RunOnce(ctx context.Context) (busy bool, err error) {
	personChannels := []string{store.ChannelPortal}
	for _, c := range r.Channels {
		if c.Name == store.ChannelEmail {
			personChannels = append(personChannels, store.ChannelEmail)
		}
	}
	expanded, err := r.Store.ExpandOutbox(ctx, r.batch(), KindNames(), personChannels)
	if err != nil {
		return false, err
	}
	if len(r.Channels) == 0 {
		return expanded > 0, nil
	}
	names := make([]string, len(r.Channels))
	for i, c := range r.Channels {
		names[i] = c.Name
	}
	sent, err := r.Store.SendDueDeliveries(ctx, names, r.batch(), r.send)
	return expanded > 0 || sent > 0, err
}

// send sends one delivery through its channel and says what became of it.
func (r *Relay) send(ctx context.Context, d store.Delivery) store.DeliveryOutcome {
	var ch *Channel
	for i := range r.Channels {
		if r.Channels[i].Name == d.Channel {
			ch = &r.Channels[i]
		}
	}
	if ch == nil {
		return store.DeliveryOutcome{Failed: true, Error: "no sender for channel " + d.Channel}
	}
	timeout := r.SendTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	err := ch.Sender.Send(sctx, d)
	cancel()
	if err == nil {
		return store.DeliveryOutcome{Sent: true}
	}
	now := r.now()
	next := now.Add(ch.Retry.delay(d.Attempts + 1))
	msg := err.Error()
	switch {
	case errors.Is(err, ErrPermanent):
	case ch.Retry.Window > 0 && next.Sub(d.CreatedAt) > ch.Retry.Window:
		msg = fmt.Sprintf("given up after %d attempts: %s", d.Attempts+1, msg)
	default:
		r.logger().Info("delivery will be retried", "delivery", d.ID, "channel", d.Channel, "attempt", d.Attempts+1, "next_attempt_at", next, "error", msg)
		return store.DeliveryOutcome{Error: msg, NextAttemptAt: next}
	}
	r.logger().Warn("delivery failed", "delivery", d.ID, "channel", d.Channel, "recipient", d.Recipient, "error", msg)
	return store.DeliveryOutcome{Failed: true, Error: msg}
}

func (r *Relay) batch() int {
	if r.Batch > 0 {
		return r.Batch
	}
	return 20
}

func (r *Relay) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Relay) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

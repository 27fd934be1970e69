package voltasis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DefaultReconnectDelay is how long an EventStream waits before reconnecting when the server has
// not said (`retry:`).
const DefaultReconnectDelay = 3 * time.Second

// EventStream follows a live stream of events (GET /v1/events/stream, Server-Sent Events):
//
//	stream := client.Events.Stream(ctx, nil)
//	defer stream.Close()
//	for stream.Next() {
//		event := stream.Event()
//	}
//	if err := stream.Err(); err != nil { … }
//
// Stream connects before it returns (the attempt keeps the client's timeout and retries), so
// what commits after it is seen; a refusal (401, 403, 429) makes the first Next return false with
// Err the *Error. Each event is the event's `data` (what GET /v1/events/{id} answers); heartbeats
// are skipped. A dropped connection, a body silent for the timeout (the server sends a heartbeat
// every 15 s) and a `stream_closed` saying `reconnect: true` (a server shutting down) are followed,
// after the server's `retry:` delay, by a reconnection with `Last-Event-ID`, so no event is lost
// or repeated. A `stream_closed` saying `reconnect: false` (the credential was revoked, expired or
// lost `read:events`) ends it with an *Error of kind ErrAuthentication or ErrPermissionDenied, as
// the reconnection would. Close, or cancelling ctx, closes the connection, which frees the
// server's stream slot. An EventStream is for one goroutine, but Close may be called from any.
type EventStream[T any] struct {
	// parent is the caller's context; ctx is cancelled by Close too.
	parent  context.Context
	ctx     context.Context
	cancel  context.CancelFunc
	core    *core
	req     request
	opts    []Option
	timeout time.Duration

	res         *response
	parser      sseParser
	pending     []serverSentEvent
	buf         []byte
	current     *T
	lastEventID string
	reconnect   time.Duration
	done        bool
	err         error
}

func stream[T any](ctx context.Context, c *core, req request, opts []Option) *EventStream[T] {
	req.stream = true
	streamCtx, cancel := context.WithCancel(ctx)
	s := &EventStream[T]{
		parent: ctx, ctx: streamCtx, cancel: cancel, core: c, req: req, opts: opts,
		timeout: c.settingsFor(opts).timeout, reconnect: DefaultReconnectDelay, buf: make([]byte, 32*1024),
	}
	if err := s.connect(); err != nil {
		s.stop(err)
	}
	return s
}

// Next advances to the next event, waiting for it; false once the stream ended (see Err).
func (s *EventStream[T]) Next() bool {
	for !s.done {
		if s.ctx.Err() != nil {
			s.stop(nil)
			return false
		}
		if len(s.pending) == 0 {
			s.read()
			continue
		}
		message := s.pending[0]
		s.pending = s.pending[1:]
		if message.Event == "stream_closed" {
			s.closed(message)
			continue
		}
		event := new(T)
		if err := json.Unmarshal([]byte(message.Data), event); err != nil {
			s.stop(fmt.Errorf("voltasis: the event %s of the stream is not JSON: %w", message.ID, err))
			return false
		}
		if message.ID != "" {
			s.lastEventID = message.ID
		}
		s.current = event
		return true
	}
	return false
}

// Event is the event Next advanced to.
func (s *EventStream[T]) Event() *T { return s.current }

// Err is why the stream ended: nil when Close or ctx ended it (ctx's error for the latter), an
// *Error when the server refused it.
func (s *EventStream[T]) Err() error { return s.err }

// LastEventID is the id of the last event received: where a later stream can resume
// (EventStreamParams.LastEventID).
func (s *EventStream[T]) LastEventID() string { return s.lastEventID }

// Close closes the connection; Next returns false from then on.
func (s *EventStream[T]) Close() error {
	s.cancel()
	return nil
}

// read reads the body on until it completes events, or reconnects when it ended.
func (s *EventStream[T]) read() {
	// Silence longer than the timeout (several missed heartbeats) is a dead connection.
	idle := time.AfterFunc(s.timeout, s.res.cancel)
	n, err := s.res.stream.Read(s.buf)
	idle.Stop()
	if n > 0 {
		s.pending = append(s.pending, s.parser.feed(string(s.buf[:n]))...)
		if s.parser.retrySet {
			s.reconnect = s.parser.retry
		}
	}
	if err != nil && len(s.pending) == 0 {
		s.resume()
	}
}

// closed ends the connection that a `stream_closed` ended: reconnecting, or with the error
// a reconnection would get.
func (s *EventStream[T]) closed(message serverSentEvent) {
	var closing struct {
		Reason    string `json:"reason"`
		Message   string `json:"message"`
		Reconnect bool   `json:"reconnect"`
	}
	_ = json.Unmarshal([]byte(message.Data), &closing)
	if closing.Reconnect {
		s.resume()
		return
	}
	kind, status, code := ErrAuthentication, 401, "UNAUTHORIZED"
	if closing.Reason == "insufficient_scope" {
		kind, status, code = ErrPermissionDenied, 403, "FORBIDDEN"
	}
	s.stop(&Error{
		StatusCode: status, Code: code, Message: closing.Message,
		Details:   map[string]any{"reason": closing.Reason, "reconnect": false},
		RequestID: s.res.header.Get("X-Request-ID"), Header: s.res.header, kind: kind,
	})
}

// resume waits the server's `retry:` delay, then connects again after the last event seen.
func (s *EventStream[T]) resume() {
	s.res.cancel()
	_ = s.res.stream.Close()
	s.pending, s.parser = nil, sseParser{}
	if err := s.core.sleep(s.ctx, s.reconnect); err != nil {
		s.stop(nil)
		return
	}
	if err := s.connect(); err != nil {
		s.stop(err)
	}
}

func (s *EventStream[T]) connect() error {
	opts := s.opts
	if s.lastEventID != "" {
		opts = append(opts[:len(opts):len(opts)], WithHeader("Last-Event-ID", s.lastEventID))
	}
	res, err := s.core.do(s.ctx, s.req, nil, opts)
	if err != nil {
		return err
	}
	s.res = res
	return nil
}

// stop ends the stream with err; once Close or the caller's ctx ended it, with the latter's error.
func (s *EventStream[T]) stop(err error) {
	if s.ctx.Err() != nil {
		err = s.parent.Err()
	}
	s.err, s.done = err, true
	s.cancel()
	if s.res != nil {
		_ = s.res.stream.Close()
	}
}

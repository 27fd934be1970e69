package voltasis

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func sseEvent(n int) string {
	return fmt.Sprintf("id: evt_%d\nevent: project.created\ndata: {\"id\":\"evt_%d\",\"event\":\"project.created\",\"resource_id\":\"prj_%d\"}\n\n", n, n, n)
}

func sseClosed(reason string, reconnect bool) string {
	return fmt.Sprintf("event: stream_closed\ndata: {\"reason\":%q,\"message\":\"Closed: %s\",\"reconnect\":%v}\n\n", reason, reason, reconnect)
}

// streamReply writes chunks as an event stream, then holds the connection open until the client
// closes it (hang) and reports that on closed, or ends it.
func streamReply(w http.ResponseWriter, r *http.Request, hang bool, closed chan<- struct{}, chunks ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Request-ID", "req_stream")
	w.WriteHeader(200)
	for _, chunk := range chunks {
		_, _ = w.Write([]byte(chunk))
		w.(http.Flusher).Flush()
	}
	if hang {
		<-r.Context().Done()
		if closed != nil {
			close(closed)
		}
	}
}

// takeIDs reads count events (or until the stream ends) and closes it.
func takeIDs(s *EventStream[Event], count int) []string {
	defer s.Close()
	var ids []string
	for len(ids) < count && s.Next() {
		ids = append(ids, s.Event().ID)
	}
	return ids
}

func TestStreamAsksForAnEventStreamWithTheQueryAndYieldsTypedEvents(t *testing.T) {
	closed := make(chan struct{})
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		streamReply(w, r, true, closed, "retry: 3000\n\n", sseEvent(1), ": heartbeat\n\n", sseEvent(2))
	})
	c, _ := testClient(f)
	s := c.Events.Stream(context.Background(), &EventStreamParams{LastEventID: String("evt_0")})
	if !s.Next() || s.Event().ResourceID != "prj_1" || s.Event().Event != "project.created" {
		t.Fatalf("first event %+v, err %v", s.Event(), s.Err())
	}
	if ids := takeIDs(s, 1); !reflect.DeepEqual(ids, []string{"evt_2"}) || s.LastEventID() != "evt_2" {
		t.Fatalf("then %v, last %q", ids, s.LastEventID())
	}
	got := f.seen()[0]
	if got.Path != "/v1/events/stream" || got.Query != "last_event_id=evt_0" || got.Header.Get("Accept") != "text/event-stream" {
		t.Errorf("request = %+v", got)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not close the connection")
	}
	if s.Next() || s.Err() != nil {
		t.Errorf("after Close: Next true or Err %v", s.Err())
	}
}

func TestStreamReconnectsWithTheLastEventIDAfterTheServersRetryDelay(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			streamReply(w, r, false, nil, "retry: 1500\n\n", sseEvent(1), sseEvent(2))
		case 2:
			streamReply(w, r, false, nil, sseEvent(3))
		default:
			streamReply(w, r, true, nil, sseEvent(4), sseEvent(5))
		}
	})
	c, delays := testClient(f)
	ids := takeIDs(c.Events.Stream(context.Background(), nil), 5)
	if !reflect.DeepEqual(ids, []string{"evt_1", "evt_2", "evt_3", "evt_4", "evt_5"}) {
		t.Fatalf("ids = %v", ids)
	}
	var resumed []string
	for _, r := range f.seen() {
		resumed = append(resumed, r.Header.Get("Last-Event-ID"))
	}
	if !reflect.DeepEqual(resumed, []string{"", "evt_2", "evt_3"}) || !reflect.DeepEqual(*delays, []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond}) {
		t.Errorf("Last-Event-ID %q, waits %v", resumed, *delays)
	}
}

func TestStreamReconnectsWhenTheBodyIsSilentLongerThanTheTimeout(t *testing.T) {
	silentClosed := make(chan struct{})
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			streamReply(w, r, true, silentClosed, sseEvent(1))
			return
		}
		streamReply(w, r, true, nil, sseEvent(2))
	})
	c, _ := testClient(f, WithTimeout(200*time.Millisecond))
	if ids := takeIDs(c.Events.Stream(context.Background(), nil), 2); !reflect.DeepEqual(ids, []string{"evt_1", "evt_2"}) {
		t.Fatalf("ids = %v", ids)
	}
	<-silentClosed
	if got := f.seen()[1].Header.Get("Last-Event-ID"); got != "evt_1" {
		t.Errorf("Last-Event-ID = %q", got)
	}
}

func TestStreamFollowsAStreamClosedThatAllowsReconnecting(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			streamReply(w, r, true, nil, sseEvent(1), sseClosed("shutting_down", true))
			return
		}
		streamReply(w, r, true, nil, sseEvent(2))
	})
	c, delays := testClient(f)
	if ids := takeIDs(c.Events.Stream(context.Background(), nil), 2); !reflect.DeepEqual(ids, []string{"evt_1", "evt_2"}) {
		t.Fatalf("ids = %v", ids)
	}
	if got := f.seen()[1].Header.Get("Last-Event-ID"); got != "evt_1" || !reflect.DeepEqual(*delays, []time.Duration{DefaultReconnectDelay}) {
		t.Errorf("Last-Event-ID %q, waits %v", got, *delays)
	}
}

func TestStreamEndsWithTheTypedErrorForAStreamClosedThatForbidsReconnecting(t *testing.T) {
	for reason, want := range map[string]struct {
		kind   error
		status int
	}{"revoked_token": {ErrAuthentication, 401}, "insufficient_scope": {ErrPermissionDenied, 403}} {
		f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			streamReply(w, r, true, nil, sseEvent(1), sseClosed(reason, false))
		})
		c, _ := testClient(f)
		s := c.Events.Stream(context.Background(), nil)
		ids := takeIDs(s, 5)
		var apiErr *Error
		if !reflect.DeepEqual(ids, []string{"evt_1"}) || !errors.Is(s.Err(), want.kind) || !errors.As(s.Err(), &apiErr) {
			t.Fatalf("%s: ids %v, err %v", reason, ids, s.Err())
		}
		if apiErr.StatusCode != want.status || apiErr.Reason() != reason || apiErr.Message != "Closed: "+reason || apiErr.RequestID != "req_stream" || len(f.seen()) != 1 {
			t.Errorf("%s: %+v after %d requests", reason, apiErr, len(f.seen()))
		}
	}
}

func TestStreamARefusedConnectionEndsAtOnceAndA429IsRetried(t *testing.T) {
	forbidden := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { replyError(w, 403, "FORBIDDEN") })
	c, _ := testClient(forbidden)
	s := c.Events.Stream(context.Background(), nil)
	if s.Next() || !errors.Is(s.Err(), ErrPermissionDenied) || len(forbidden.seen()) != 1 {
		t.Fatalf("err %v after %d requests", s.Err(), len(forbidden.seen()))
	}

	busy := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "5")
			replyError(w, 429, "RATE_LIMIT_EXCEEDED")
			return
		}
		streamReply(w, r, true, nil, sseEvent(1))
	})
	c, delays := testClient(busy)
	if ids := takeIDs(c.Events.Stream(context.Background(), nil), 1); !reflect.DeepEqual(ids, []string{"evt_1"}) || !reflect.DeepEqual(*delays, []time.Duration{5 * time.Second}) {
		t.Errorf("ids %v, waits %v", ids, *delays)
	}
}

func TestStreamEndsWhenTheContextIsCancelled(t *testing.T) {
	closed := make(chan struct{})
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		streamReply(w, r, true, closed, sseEvent(1))
	})
	c, _ := testClient(f)
	ctx, cancel := context.WithCancel(context.Background())
	s := c.Events.Stream(ctx, nil)
	if !s.Next() {
		t.Fatal(s.Err())
	}
	time.AfterFunc(10*time.Millisecond, cancel)
	if s.Next() || !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("Next after cancel: err %v", s.Err())
	}
	<-closed
}

package voltasis

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// recorded is a request as a fake server saw it.
type recorded struct {
	Method string
	// Path is as sent, escaped.
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// fakeServer answers with handler and records every request.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
}

func newFakeServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int)) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		n := len(f.requests)
		f.mu.Unlock()
		handler(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) seen() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-ID", "req_01TEST")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func replyError(w http.ResponseWriter, status int, code string) {
	reply(w, status, `{"error":{"code":"`+code+`","message":"`+code+` happened","details":{}},"metadata":{"request_id":"req_01TEST","timestamp":"2024-01-01T00:00:00Z"}}`)
}

// testClient talks to f and records the waits between attempts instead of waiting.
func testClient(f *fakeServer, opts ...Option) (*Client, *[]time.Duration) {
	c := NewClient("vlt_live_test", append([]Option{WithBaseURL(f.URL)}, opts...)...)
	var delays []time.Duration
	c.core.sleep = func(ctx context.Context, d time.Duration) error {
		delays = append(delays, d)
		return ctx.Err()
	}
	return c, &delays
}

const tagJSON = `{"data":{"id":"tag_1","name":"meeting","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"},"metadata":{"request_id":"req_01TEST","timestamp":"2024-01-01T00:00:00Z"}}`

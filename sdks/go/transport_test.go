package voltasis

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSendsTheCredentialAndJSONHeaders(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 201, tagJSON) })
	c, _ := testClient(f)
	tag, err := c.Tags.Create(context.Background(), &TagCreateParams{Name: "meeting"})
	if err != nil || tag.ID != "tag_1" || tag.Name != "meeting" {
		t.Fatalf("Create = %+v, %v", tag, err)
	}
	got := f.seen()[0]
	if got.Method != "POST" || got.Path != "/v1/tags" || got.Body != `{"name":"meeting"}` {
		t.Errorf("request = %+v", got)
	}
	for name, want := range map[string]string{
		"Authorization": "Bearer vlt_live_test",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
	} {
		if got.Header.Get(name) != want {
			t.Errorf("%s = %q, want %q", name, got.Header.Get(name), want)
		}
	}
	if !strings.HasPrefix(got.Header.Get("User-Agent"), "voltasis-go/"+Version) {
		t.Errorf("User-Agent = %q", got.Header.Get("User-Agent"))
	}
}

func TestRetriesA429AfterItsRetryAfter(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			replyError(w, 429, "RATE_LIMIT_EXCEEDED")
			return
		}
		reply(w, 200, tagJSON)
	})
	var retries []Retry
	c, delays := testClient(f, WithRetryHook(func(r Retry) { retries = append(retries, r) }))
	if _, err := c.Tags.Get(context.Background(), "tag_1"); err != nil {
		t.Fatal(err)
	}
	if len(f.seen()) != 2 || len(*delays) != 1 || (*delays)[0] != 2*time.Second {
		t.Fatalf("requests %d, delays %v: want 2 requests and one wait of Retry-After's 2 s", len(f.seen()), *delays)
	}
	if len(retries) != 1 || retries[0].Attempt != 1 || !errors.Is(retries[0].Err, ErrRateLimit) {
		t.Errorf("hook saw %+v", retries)
	}
}

func TestBacksOffExponentiallyWithJitterUpToTheCap(t *testing.T) {
	c := NewClient("k")
	for _, jitter := range []float64{0, 0.999} {
		c.core.jitter = func() float64 { return jitter }
		for attempt, base := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second} {
			delay, ok := c.core.delay(attempt, &Error{StatusCode: 503})
			if !ok || delay > base || delay < base*3/4 {
				t.Errorf("jitter %v, attempt %d: delay %v, want within [%v, %v]", jitter, attempt, delay, base*3/4, base)
			}
		}
	}
	if delay, ok := c.core.delay(80, &Error{StatusCode: 503}); !ok || delay > backoffCap {
		t.Errorf("a very late attempt waits %v, want at most %v", delay, backoffCap)
	}
}

func TestRetriesA503WithBackoffAndGivesUpAfterMaxRetries(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { replyError(w, 503, "SERVICE_UNAVAILABLE") })
	c, delays := testClient(f)
	_, err := c.Tags.Get(context.Background(), "tag_1")
	if !errors.Is(err, ErrServer) || len(f.seen()) != 1+DefaultMaxRetries {
		t.Fatalf("err %v after %d requests, want ErrServer after %d", err, len(f.seen()), 1+DefaultMaxRetries)
	}
	if len(*delays) != 2 || (*delays)[0] > 500*time.Millisecond || (*delays)[1] <= (*delays)[0] {
		t.Errorf("delays %v, want two growing backoffs", *delays)
	}
}

func TestDoesNotRetryOtherErrorsOrWhenTurnedOff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		code   string
		opts   []Option
	}{
		{"400", 400, "VALIDATION_ERROR", nil},
		{"500", 500, "INTERNAL_ERROR", nil},
		{"409 conflict", 409, "CONFLICT", nil},
		{"429 with retries off", 429, "RATE_LIMIT_EXCEEDED", []Option{WithMaxRetries(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { replyError(w, tc.status, tc.code) })
			c, _ := testClient(f, tc.opts...)
			if _, err := c.Tags.Get(context.Background(), "tag_1"); err == nil || len(f.seen()) != 1 {
				t.Errorf("err %v after %d requests, want an error after 1", err, len(f.seen()))
			}
		})
	}
}

func TestDoesNotWaitForARetryAfterBeyondAMinute(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "3600")
		replyError(w, 429, "RATE_LIMIT_EXCEEDED")
	})
	c, delays := testClient(f)
	_, err := c.Tags.Get(context.Background(), "tag_1")
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour || len(f.seen()) != 1 || len(*delays) != 0 {
		t.Fatalf("err %v, %d requests, delays %v: want the 429 at once with RetryAfter 1h", err, len(f.seen()), *delays)
	}
}

func TestOneIdempotencyKeyAcrossTheRetriesOfAPost(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 2 {
			replyError(w, 503, "SERVICE_UNAVAILABLE")
			return
		}
		reply(w, 201, tagJSON)
	})
	c, _ := testClient(f)
	if _, err := c.Tags.Create(context.Background(), &TagCreateParams{Name: "meeting"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tags.Create(context.Background(), &TagCreateParams{Name: "meeting"}); err != nil {
		t.Fatal(err)
	}
	seen := f.seen()
	first := seen[0].Header.Get("Idempotency-Key")
	if !uuidV4.MatchString(first) {
		t.Fatalf("Idempotency-Key %q is not a UUID v4", first)
	}
	for i, r := range seen[:3] {
		if r.Header.Get("Idempotency-Key") != first {
			t.Errorf("attempt %d sent key %q, want %q", i+1, r.Header.Get("Idempotency-Key"), first)
		}
	}
	if seen[3].Header.Get("Idempotency-Key") == first {
		t.Error("a second call reused the first call's key")
	}
}

func TestTheCallerMayChooseTheIdempotencyKey(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, tagJSON) })
	c, _ := testClient(f, WithIdempotencyKey("ignored-on-the-client"))
	ctx := context.Background()
	_, _ = c.Tags.Update(ctx, "tag_1", &TagUpdateParams{Name: "x"}, WithIdempotencyKey("order-42"))
	_, _ = c.Tags.Get(ctx, "tag_1")
	_, _ = c.Tags.Update(ctx, "tag_1", &TagUpdateParams{Name: "x"})
	seen := f.seen()
	if seen[0].Header.Get("Idempotency-Key") != "order-42" {
		t.Errorf("PATCH sent %q, want the caller's key", seen[0].Header.Get("Idempotency-Key"))
	}
	if seen[1].Header.Get("Idempotency-Key") != "" {
		t.Errorf("GET sent an Idempotency-Key %q", seen[1].Header.Get("Idempotency-Key"))
	}
	if !uuidV4.MatchString(seen[2].Header.Get("Idempotency-Key")) {
		t.Errorf("a key given to NewClient was used for a call: %q", seen[2].Header.Get("Idempotency-Key"))
	}
}

// hangUp closes the connection without an answer, as a crashed server or a proxy would.
func hangUp(w http.ResponseWriter) {
	conn, _, _ := w.(http.Hijacker).Hijack()
	conn.Close()
}

// noReuse keeps net/http from retrying on a kept-alive connection by itself.
var noReuse = WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})

func TestRetriesAConnectionErrorWhenRepeatingIsSafe(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			hangUp(w)
			return
		}
		reply(w, 201, tagJSON)
	})
	c, _ := testClient(f, noReuse)
	if _, err := c.Tags.Create(context.Background(), &TagCreateParams{Name: "meeting"}); err != nil {
		t.Fatal(err)
	}
	if seen := f.seen(); len(seen) != 2 || seen[0].Header.Get("Idempotency-Key") != seen[1].Header.Get("Idempotency-Key") {
		t.Errorf("want 2 attempts with one key, got %d", len(seen))
	}
}

func TestDoesNotRepeatAPostWithoutIdempotencyKeyThatGotNoAnswer(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { hangUp(w) })
	c, _ := testClient(f, noReuse)
	_, err := c.Auth.Login(context.Background(), &AuthLoginParams{Email: "ada@example.com", Password: "pw"})
	var apiErr *Error
	if !errors.Is(err, ErrConnection) || !errors.As(err, &apiErr) || apiErr.StatusCode != 0 || len(f.seen()) != 1 {
		t.Fatalf("err %v after %d requests, want one ErrConnection", err, len(f.seen()))
	}
}

func TestATimeoutIsRetriedThenReported(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c, _ := testClient(f, WithTimeout(20*time.Millisecond), WithMaxRetries(1))
	_, err := c.Tags.Get(context.Background(), "tag_1")
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrConnection) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout (an ErrConnection) wrapping the deadline", err)
	}
	if len(f.seen()) != 2 {
		t.Errorf("%d attempts, want 2", len(f.seen()))
	}
}

func TestTheCallersContextEndsTheCall(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { replyError(w, 503, "SERVICE_UNAVAILABLE") })
	c, _ := testClient(f)
	ctx, cancel := context.WithCancel(context.Background())
	c.core.sleep = func(context.Context, time.Duration) error {
		cancel()
		return context.Canceled
	}
	if _, err := c.Tags.Get(ctx, "tag_1"); !errors.Is(err, context.Canceled) || len(f.seen()) != 1 {
		t.Fatalf("err %v after %d requests, want context.Canceled after 1", err, len(f.seen()))
	}
}

func TestPathParamsAreEscapedAndRequired(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, tagJSON) })
	c, _ := testClient(f)
	if _, err := c.Webhooks.Deliveries.Get(context.Background(), "whk_1", "dlv/../x"); err != nil {
		t.Fatal(err)
	}
	if got := f.seen()[0]; got.Path != "/v1/webhooks/whk_1/deliveries/dlv%2F..%2Fx" {
		t.Errorf("path %q", got.Path)
	}
	if _, err := c.Tags.Get(context.Background(), ""); err == nil || len(f.seen()) != 1 {
		t.Errorf("an empty id was sent: %v", err)
	}
}

package voltasis

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestErrorsByStatus(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		kind   error
	}{
		{400, "VALIDATION_ERROR", ErrBadRequest},
		{401, "UNAUTHORIZED", ErrAuthentication},
		{403, "FORBIDDEN", ErrPermissionDenied},
		{404, "NOT_FOUND", ErrNotFound},
		{409, "CONFLICT", ErrConflict},
		{412, "PRECONDITION_FAILED", ErrPreconditionFailed},
		{413, "PAYLOAD_TOO_LARGE", ErrPayloadTooLarge},
		{422, "IDEMPOTENCY_KEY_REUSED", ErrIdempotencyKeyReused},
		{429, "RATE_LIMIT_EXCEEDED", ErrRateLimit},
		{500, "INTERNAL_ERROR", ErrServer},
		{503, "SERVICE_UNAVAILABLE", ErrServer},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Retry-After", "1")
				reply(w, tc.status, `{"error":{"code":"`+tc.code+`","message":"it failed","details":{"field":"name","reason":"required","retry_after":1}},"metadata":{"request_id":"req_01TEST","timestamp":"2024-01-01T00:00:00Z"}}`)
			})
			c, _ := testClient(f, WithMaxRetries(0))
			_, err := c.Projects.Get(context.Background(), "prj_1")
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err %T %v is not an *Error", err, err)
			}
			if !errors.Is(err, tc.kind) || !errors.Is(err, ErrAPI) || errors.Is(err, ErrConnection) {
				t.Errorf("errors.Is: want %v and ErrAPI only", tc.kind)
			}
			for _, other := range []error{ErrBadRequest, ErrNotFound, ErrRateLimit, ErrServer} {
				if other != tc.kind && errors.Is(err, other) {
					t.Errorf("a %d is also %v", tc.status, other)
				}
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.Message != "it failed" ||
				apiErr.RequestID != "req_01TEST" || apiErr.Field() != "name" || apiErr.Reason() != "required" ||
				apiErr.Details["retry_after"] != 1.0 || apiErr.RetryAfter != time.Second {
				t.Errorf("error = %+v", apiErr)
			}
			if got, want := apiErr.Error(), fmt.Sprintf("voltasis: %d %s: it failed (request req_01TEST)", tc.status, tc.code); got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

func TestAnErrorWithoutTheAPIsEnvelope(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html>Bad gateway</html>"))
	})
	c, _ := testClient(f)
	_, err := c.Projects.Get(context.Background(), "prj_1")
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrServer) || apiErr.StatusCode != 502 ||
		apiErr.Message != "Bad Gateway: <html>Bad gateway</html>" || apiErr.Details == nil {
		t.Fatalf("err = %+v", apiErr)
	}
}

func TestRetryAfterAsAnHTTPDate(t *testing.T) {
	at := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	wait, ok := retryAfter(at, nil)
	if !ok || wait <= 28*time.Second || wait > 30*time.Second {
		t.Errorf("Retry-After %q: %v, %v", at, wait, ok)
	}
	if wait, ok := retryAfter("", 2.0); !ok || wait != 2*time.Second {
		t.Errorf("details.retry_after 2: %v, %v", wait, ok)
	}
	if _, ok := retryAfter("soon", nil); ok {
		t.Error("an unreadable Retry-After was read")
	}
}

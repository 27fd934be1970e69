package voltasis

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// request is one operation as the generated methods describe it.
type request struct {
	method string
	// path is the operation's path template, e.g. `/v1/webhooks/{id}/deliveries`; pathParams fill
	// its placeholders in order.
	path       string
	pathParams []string
	// query and body are params structs (or nil): fields tagged `query:"…"` and `json:"…"`.
	query any
	body  any
	// hasBody: the operation takes a JSON body, sent as `{}` when body is nil.
	hasBody bool
	// idempotent: a POST or PATCH that takes an Idempotency-Key.
	idempotent bool
	// cursor: a list that pages with `starting_after`.
	cursor bool
	// stream: an endless body (text/event-stream), handed over unread once a 2xx arrives.
	stream bool
}

// response is a 2xx answer, read whole, or for a stream request, with its body unread in stream.
type response struct {
	status int
	header http.Header
	body   []byte
	// stream is the unread body of a stream request, without the attempt's timeout; cancel
	// ends the request, and with it any Read of stream.
	stream io.ReadCloser
	cancel context.CancelFunc
}

// A Retry describes a retry the client is about to make (see WithRetryHook).
type Retry struct {
	// Attempt is 1 for the first retry.
	Attempt int
	// Delay is how long the client waits before it: Retry-After when the server sent one, else
	// the backoff (0.5 s × 2^n with jitter, at most 8 s).
	Delay  time.Duration
	Method string
	URL    string
	// Err is why: an *Error for a 429 or 503, or the connection error.
	Err error
}

const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 8 * time.Second
	// A longer Retry-After (a daily quota, say) is not waited for: the call returns the error.
	maxRetryAfter = 60 * time.Second
)

type core struct {
	settings
	// sleep waits between attempts; tests replace it to observe the delays without waiting.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a number in [0, 1).
	jitter func() float64
}

func newCore(s settings) *core {
	var mu sync.Mutex
	source := mathrand.New(mathrand.NewSource(time.Now().UnixNano()))
	return &core{
		settings: s,
		sleep:    sleepContext,
		jitter: func() float64 {
			mu.Lock()
			defer mu.Unlock()
			return source.Float64()
		},
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// settingsFor is the client's settings with a call's options applied.
func (c *core) settingsFor(opts []Option) settings {
	s := c.settings
	for _, opt := range opts {
		opt(&s)
	}
	return s
}

// call runs an operation whose answer is `{data: T}`; a null data (no running timer) is nil.
func call[T any](ctx context.Context, c *core, req request, opts []Option) (*T, error) {
	res, err := c.do(ctx, req, nil, opts)
	if err != nil {
		return nil, err
	}
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(res.body, &envelope); err != nil {
		return nil, fmt.Errorf("voltasis: %s %s: unreadable response: %w", req.method, req.path, err)
	}
	if len(envelope.Data) == 0 || string(envelope.Data) == "null" {
		return nil, nil
	}
	out := new(T)
	if err := json.Unmarshal(envelope.Data, out); err != nil {
		return nil, fmt.Errorf("voltasis: %s %s: unreadable data: %w", req.method, req.path, err)
	}
	return out, nil
}

// send runs an operation that answers 204 No Content.
func send(ctx context.Context, c *core, req request, opts []Option) error {
	_, err := c.do(ctx, req, nil, opts)
	return err
}

// download runs an operation that answers a file (CSV or JSON as is).
func download(ctx context.Context, c *core, req request, opts []Option) ([]byte, error) {
	res, err := c.do(ctx, req, nil, append([]Option{WithHeader("Accept", "*/*")}, opts...))
	if err != nil {
		return nil, err
	}
	return res.body, nil
}

// do sends req (with extraQuery on top of its params), retrying what may be retried, and returns
// the 2xx answer or an error.
func (c *core) do(ctx context.Context, req request, extraQuery url.Values, opts []Option) (*response, error) {
	s := c.settingsFor(opts)
	path, err := expandPath(req.path, req.pathParams)
	if err != nil {
		return nil, err
	}
	query, err := encodeQuery(req.query)
	if err != nil {
		return nil, err
	}
	for name, values := range extraQuery {
		query[name] = values
	}
	target := normalizedBaseURL(s.baseURL) + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var body []byte
	if req.body != nil || req.hasBody {
		if body, err = encodeBody(req.body); err != nil {
			return nil, err
		}
	}
	key := s.idempotencyKey
	if key == "" && req.idempotent {
		key = newIdempotencyKey()
	}
	for attempt := 0; ; attempt++ {
		res, err := c.attempt(ctx, s, req, target, body, key)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil && res.status >= 200 && res.status < 300 {
			return res, nil
		}
		if err == nil {
			err = errorFromResponse(res)
		}
		if attempt >= s.maxRetries || !retryable(err, req.method, key != "") {
			return nil, err
		}
		delay, ok := c.delay(attempt, err)
		if !ok {
			return nil, err
		}
		if s.retryHook != nil {
			s.retryHook(Retry{Attempt: attempt + 1, Delay: delay, Method: req.method, URL: target, Err: err})
		}
		if err := c.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// attempt makes one HTTP exchange within the per-attempt timeout. The error is an *Error of kind
// ErrConnection or ErrTimeout when no answer came. A stream request's 2xx comes back as soon as its
// headers do, its body unread: the timeout covered getting there only.
func (c *core) attempt(ctx context.Context, s settings, req request, target string, body []byte, key string) (*response, error) {
	attemptCtx, cancel := context.WithCancel(ctx)
	var timedOut atomic.Bool
	deadline := time.AfterFunc(s.timeout, func() {
		timedOut.Store(true)
		cancel()
	})
	handedOver := false
	defer func() {
		if !handedOver {
			deadline.Stop()
			cancel()
		}
	}()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	httpReq, err := http.NewRequestWithContext(attemptCtx, req.method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("voltasis: %w", err)
	}
	httpReq.Header.Set("Accept", "application/json")
	if req.stream {
		httpReq.Header.Set("Accept", "text/event-stream")
	}
	httpReq.Header.Set("User-Agent", fmt.Sprintf("voltasis-go/%s (%s)", Version, runtime.Version()))
	if body != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	for name, values := range s.header {
		httpReq.Header[name] = values
	}
	if s.credential != "" {
		httpReq.Header.Set("Authorization", "Bearer "+s.credential)
	}
	if key != "" {
		httpReq.Header.Set("Idempotency-Key", key)
	}
	httpRes, err := s.httpClient.Do(httpReq)
	if err == nil && req.stream && httpRes.StatusCode >= 200 && httpRes.StatusCode < 300 && deadline.Stop() {
		handedOver = true
		return &response{status: httpRes.StatusCode, header: httpRes.Header, stream: httpRes.Body, cancel: cancel}, nil
	}
	if err == nil {
		defer httpRes.Body.Close()
		var data []byte
		if data, err = io.ReadAll(httpRes.Body); err == nil {
			return &response{status: httpRes.StatusCode, header: httpRes.Header, body: data}, nil
		}
	}
	if timedOut.Load() && ctx.Err() == nil {
		// The attempt was cancelled by its timer: the cause to report is the deadline.
		return nil, &Error{
			Message: fmt.Sprintf("%s %s: no answer within %s", req.method, target, s.timeout),
			Err:     context.DeadlineExceeded,
			kind:    ErrTimeout,
		}
	}
	return nil, &Error{Message: fmt.Sprintf("%s %s: %v", req.method, target, err), Err: err, kind: ErrConnection}
}

// retryable: a 429 or 503 (the server did not act), a 409 IDEMPOTENCY_KEY_IN_USE (the same call
// still runs), or no answer at all, unless the request may have acted and repeating it could act
// twice (a POST or PATCH without an Idempotency-Key).
func retryable(err error, method string, hasKey bool) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		return false
	}
	switch {
	case apiErr.StatusCode == http.StatusTooManyRequests, apiErr.StatusCode == http.StatusServiceUnavailable:
		return true
	case apiErr.StatusCode == http.StatusConflict && apiErr.Code == "IDEMPOTENCY_KEY_IN_USE":
		return true
	case apiErr.StatusCode == 0:
		return hasKey || (method != http.MethodPost && method != http.MethodPatch)
	}
	return false
}

// delay is how long to wait before retry number attempt+1; false when the server asks for a wait
// longer than maxRetryAfter.
func (c *core) delay(attempt int, err error) (time.Duration, bool) {
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.retryAfterGiven {
		return apiErr.RetryAfter, apiErr.RetryAfter <= maxRetryAfter
	}
	backoff := backoffBase << attempt
	if backoff > backoffCap || backoff <= 0 {
		backoff = backoffCap
	}
	// Up to a quarter less, so that clients refused together do not come back together.
	return backoff - time.Duration(float64(backoff)*0.25*c.jitter()), true
}

// expandPath fills the path template's placeholders with the escaped params, in order.
func expandPath(template string, params []string) (string, error) {
	var out strings.Builder
	rest := template
	for _, param := range params {
		open := strings.Index(rest, "{")
		end := strings.Index(rest, "}")
		if open < 0 || end < open {
			return "", fmt.Errorf("voltasis: %s takes %d path parameters", template, strings.Count(template, "{"))
		}
		if param == "" {
			return "", fmt.Errorf("voltasis: %s: %s must not be empty", template, rest[open+1:end])
		}
		out.WriteString(rest[:open])
		out.WriteString(url.PathEscape(param))
		rest = rest[end+1:]
	}
	out.WriteString(rest)
	return out.String(), nil
}

// newIdempotencyKey is a random UUID (version 4).
func newIdempotencyKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("voltasis: no randomness for an Idempotency-Key: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

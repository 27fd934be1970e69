// Package voltasis is the Go client of the Voltasis API (https://github.com/voltasis/voltasis-go).
//
// Build a client with NewClient and call the API through its resources:
//
//	client := voltasis.NewClient(os.Getenv("VOLTASIS_API_KEY"))
//	projects := client.Projects.List(ctx, &voltasis.ProjectListParams{})
//	for projects.Next() {
//		fmt.Println(projects.Current().Name)
//	}
//	if err := projects.Err(); err != nil {
//		log.Fatal(err)
//	}
//
// The resources and their params (files gen_*.go) are generated from the API's OpenAPI document;
// the rest (transport, retries, errors, pagination, webhook verification) is written by hand.
package voltasis

import (
	"net/http"
	"os"
	"strings"
	"time"
)

// Version is the SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

const (
	// DefaultBaseURL is where the client sends requests without WithBaseURL or VOLTASIS_BASE_URL:
	// the server that `npm start` runs.
	DefaultBaseURL = "http://127.0.0.1:3000"
	// DefaultMaxRetries is how often a request is retried after a 429, a 503 or a connection error.
	DefaultMaxRetries = 2
	// DefaultTimeout bounds each attempt of a request, response body included.
	DefaultTimeout = 60 * time.Second
)

// NewClient returns a client that authenticates with apiKey, sent as `Authorization: Bearer`.
// Any Bearer credential works the same way: an API key (`vlt_live_…`, `vlt_test_…`) or a user's
// access token. An empty apiKey means the environment's VOLTASIS_API_KEY (none: requests go
// without a credential, as registering and signing in do). The base URL is WithBaseURL's, else
// VOLTASIS_BASE_URL, else DefaultBaseURL.
//
// A Client is safe for concurrent use. Options given here apply to every request; the same
// options given to one call apply to that call only.
func NewClient(apiKey string, opts ...Option) *Client {
	if apiKey == "" {
		apiKey = os.Getenv("VOLTASIS_API_KEY")
	}
	baseURL := os.Getenv("VOLTASIS_BASE_URL")
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	s := settings{
		credential: apiKey,
		baseURL:    baseURL,
		httpClient: &http.Client{},
		maxRetries: DefaultMaxRetries,
		timeout:    DefaultTimeout,
		header:     http.Header{},
	}
	for _, opt := range opts {
		opt(&s)
	}
	// One key shared by every request would make the server replay the first answer to all.
	s.idempotencyKey = ""
	c := &Client{core: newCore(s)}
	c.attach()
	return c
}

// An Option configures a client (given to NewClient) or a single call (given to a method).
type Option func(*settings)

type settings struct {
	credential     string
	baseURL        string
	httpClient     *http.Client
	maxRetries     int
	timeout        time.Duration
	header         http.Header
	idempotencyKey string
	retryHook      func(Retry)
}

// WithAPIKey sets the Bearer credential; WithAccessToken is the same option under another name.
func WithAPIKey(key string) Option {
	return func(s *settings) { s.credential = key }
}

// WithAccessToken sets the Bearer credential to a user's access token (from Auth.Login) or an
// OAuth 2.0 access token, which reads better than an API key's name for it:
// voltasis.NewClient("", voltasis.WithAccessToken(token)). Given to one call, it is that call's
// credential.
func WithAccessToken(token string) Option {
	return WithAPIKey(token)
}

// WithBaseURL sets the server's URL, e.g. `https://voltasis.example.com` (a trailing `/v1` is
// dropped: the operations' paths carry it). An empty url changes nothing, so that
// WithBaseURL(os.Getenv(…)) falls back to the default.
func WithBaseURL(url string) Option {
	return func(s *settings) {
		if url != "" {
			s.baseURL = url
		}
	}
}

// WithHTTPClient sends requests through client (its Transport, proxies, TLS settings). Its
// Timeout, if any, applies on top of WithTimeout.
func WithHTTPClient(client *http.Client) Option {
	return func(s *settings) { s.httpClient = client }
}

// WithMaxRetries sets how often a request is retried after a 429, a 503 or a connection error
// (default 2; 0 turns retries off).
func WithMaxRetries(retries int) Option {
	return func(s *settings) {
		if retries < 0 {
			retries = 0
		}
		s.maxRetries = retries
	}
}

// WithTimeout bounds each attempt of a request (default 60 s). The context given to a call bounds
// the whole call, retries included.
func WithTimeout(timeout time.Duration) Option {
	return func(s *settings) { s.timeout = timeout }
}

// WithHeader adds a header to the requests, e.g. `If-Match` with an ETag.
func WithHeader(name, value string) Option {
	return func(s *settings) {
		s.header = s.header.Clone()
		s.header.Set(name, value)
	}
}

// WithOrganizationID acts for another organization the user token's person belongs to
// (`X-Organization-ID`).
func WithOrganizationID(id string) Option {
	return WithHeader("X-Organization-ID", id)
}

// WithIdempotencyKey sends key as the call's `Idempotency-Key` instead of a generated one, so that
// a call repeated later (after a crash, say) is answered once. For calls only: NewClient ignores it.
func WithIdempotencyKey(key string) Option {
	return func(s *settings) { s.idempotencyKey = key }
}

// WithRetryHook calls hook before each retry, with why and how long the client waits.
func WithRetryHook(hook func(Retry)) Option {
	return func(s *settings) { s.retryHook = hook }
}

// normalizedBaseURL is the base URL without a trailing slash or `/v1`.
func normalizedBaseURL(url string) string {
	url = strings.TrimRight(url, "/")
	return strings.TrimRight(strings.TrimSuffix(url, "/v1"), "/")
}

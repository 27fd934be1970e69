package voltasis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"sync"
	"testing"

	voltasis "github.com/voltasis/voltasis-go"
)

// liveServer is the server the suite runs against (test/sdk/go.test.ts starts one and sets
// VOLTASIS_BASE_URL); tests that need it skip without it.
func liveServer(t *testing.T) string {
	t.Helper()
	url := os.Getenv("VOLTASIS_BASE_URL")
	if url == "" {
		t.Skip("VOLTASIS_BASE_URL is not set: no server to run against (npx vitest run test/sdk/go.test.ts starts one)")
	}
	return url
}

// account is a new account of the live server: its access token and an API key with `admin`.
type account struct {
	session *voltasis.Session
	key     *voltasis.APIKeyWithSecret
}

func registerAccount(t *testing.T, ctx context.Context, name string) account {
	t.Helper()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	anonymous := voltasis.NewClient("", voltasis.WithBaseURL(liveServer(t)))
	session, err := anonymous.Auth.Register(ctx, &voltasis.AuthRegisterParams{
		Email:            name + "-" + hex.EncodeToString(suffix) + "@example.com",
		Password:         "correct horse battery staple",
		Name:             "Ada Lovelace",
		OrganizationName: "Acme Studio " + name,
	})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	owner := voltasis.NewClient(session.AccessToken, voltasis.WithBaseURL(liveServer(t)))
	key, err := owner.APIKeys.Create(ctx, &voltasis.APIKeyCreateParams{Name: name, Scopes: []string{"admin"}})
	if err != nil {
		t.Fatalf("create an API key: %v", err)
	}
	return account{session, key}
}

// counter is an http.RoundTripper that counts requests and keeps the last X-Request-ID.
type counter struct {
	mu            sync.Mutex
	requests      int
	lastRequestID string
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if res != nil {
		c.lastRequestID = res.Header.Get("X-Request-ID")
	}
	return res, err
}

func (c *counter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

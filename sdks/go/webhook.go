package voltasis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookEvent is the body of a webhook delivery.
type WebhookEvent struct {
	// ID is the event's id (`evt_…`), the same on every attempt: use it to drop duplicates.
	ID string `json:"id"`
	// Event is its name: `time_entry.created`, `timer.started`, `webhook.test`, …
	Event          string    `json:"event"`
	Timestamp      time.Time `json:"timestamp"`
	OrganizationID string    `json:"organization_id"`
	// Data is the resource as the API showed it after the change (before it, for a deletion).
	Data json.RawMessage `json:"data"`
}

// DefaultWebhookTolerance is how far a delivery's `webhook-timestamp` may be from now before
// VerifyWebhook refuses it as a replay.
const DefaultWebhookTolerance = 5 * time.Minute

// Why a webhook delivery is refused (errors.Is).
var (
	ErrWebhookSignature = errors.New("voltasis: webhook signature does not match")
	ErrWebhookTimestamp = errors.New("voltasis: webhook timestamp is too old or in the future")
	ErrWebhookHeaders   = errors.New("voltasis: webhook headers missing or malformed")
)

const secretPrefix = "whsec_"

// VerifyWebhook checks a delivery's Standard Webhooks signature (`webhook-id`,
// `webhook-timestamp`, `webhook-signature`) against secret, the webhook's `whsec_…` secret,
// refuses a timestamp more than DefaultWebhookTolerance from now, and returns the event. body
// must be the raw request body, unparsed.
func VerifyWebhook(body []byte, header http.Header, secret string) (*WebhookEvent, error) {
	return VerifyWebhookWithTolerance(body, header, secret, DefaultWebhookTolerance)
}

// VerifyWebhookWithTolerance is VerifyWebhook with another replay tolerance.
func VerifyWebhookWithTolerance(body []byte, header http.Header, secret string, tolerance time.Duration) (*WebhookEvent, error) {
	id, timestamp, signatures := header.Get("webhook-id"), header.Get("webhook-timestamp"), header.Get("webhook-signature")
	if id == "" || timestamp == "" || signatures == "" {
		return nil, ErrWebhookHeaders
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: webhook-timestamp %q", ErrWebhookHeaders, timestamp)
	}
	if math.Abs(time.Since(time.Unix(seconds, 0)).Seconds()) > tolerance.Seconds() {
		return nil, ErrWebhookTimestamp
	}
	key, err := standardWebhookKey(secret)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	// Several signatures during a secret's rotation: one per secret still valid.
	for _, entry := range strings.Fields(signatures) {
		version, encoded, _ := strings.Cut(entry, ",")
		signature, err := base64.StdEncoding.DecodeString(encoded)
		if version == "v1" && err == nil && hmac.Equal(signature, expected) {
			return decodeWebhookEvent(body)
		}
	}
	return nil, ErrWebhookSignature
}

// VerifyWebhookSignature checks the `X-Signature` header of a delivery (seed 003's scheme): the
// hex HMAC-SHA256 of the raw body keyed by the whole `whsec_…` secret. It carries no timestamp, so
// it cannot tell a replay: prefer VerifyWebhook.
func VerifyWebhookSignature(body []byte, signature, secret string) error {
	given, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(given) == 0 {
		return fmt.Errorf("%w: X-Signature %q", ErrWebhookHeaders, signature)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(given, mac.Sum(nil)) {
		return ErrWebhookSignature
	}
	return nil
}

// standardWebhookKey is the base64-decoded part of the secret after `whsec_`.
func standardWebhookKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("voltasis: a webhook secret is `whsec_` and base64: %w", err)
	}
	return key, nil
}

func decodeWebhookEvent(body []byte) (*WebhookEvent, error) {
	event := new(WebhookEvent)
	if err := json.Unmarshal(body, event); err != nil {
		return nil, fmt.Errorf("voltasis: webhook body: %w", err)
	}
	return event, nil
}

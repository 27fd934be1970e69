package voltasis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

const (
	// A secret as the API issues it: `whsec_` and base64 of 24 random bytes.
	testSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	testBody    = `{"id":"evt_1","event":"tag.created","timestamp":"2024-01-01T00:00:00Z","organization_id":"org_1","data":{"id":"tag_1"}}`
)

// signStandard signs as the server does (src/features/webhooks/signature.ts), one `v1,` per secret.
func signStandard(t *testing.T, body string, at time.Time, secrets ...string) http.Header {
	t.Helper()
	timestamp := strconv.FormatInt(at.Unix(), 10)
	header := http.Header{}
	header.Set("webhook-id", "evt_1")
	header.Set("webhook-timestamp", timestamp)
	signatures := ""
	for _, secret := range secrets {
		key, err := standardWebhookKey(secret)
		if err != nil {
			t.Fatal(err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("evt_1." + timestamp + "." + body))
		signatures += " v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	header.Set("webhook-signature", signatures[1:])
	return header
}

func signHex(body, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestVerifyWebhookAcceptsTheStandardSignature(t *testing.T) {
	event, err := VerifyWebhook([]byte(testBody), signStandard(t, testBody, time.Now(), testSecret), testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if event.ID != "evt_1" || event.Event != "tag.created" || event.OrganizationID != "org_1" || string(event.Data) != `{"id":"tag_1"}` {
		t.Errorf("event = %+v", event)
	}
}

func TestVerifyWebhookAcceptsAnyOfTheSignaturesOfARotation(t *testing.T) {
	header := signStandard(t, testBody, time.Now(), otherSecret, testSecret)
	if _, err := VerifyWebhook([]byte(testBody), header, testSecret); err != nil {
		t.Error(err)
	}
}

func TestVerifyWebhookRefuses(t *testing.T) {
	now := time.Now()
	fresh := signStandard(t, testBody, now, testSecret)
	tamperedTimestamp := fresh.Clone()
	tamperedTimestamp.Set("webhook-timestamp", strconv.FormatInt(now.Unix()+1, 10))
	for _, tc := range []struct {
		name   string
		body   string
		header http.Header
		secret string
		want   error
	}{
		{"a changed body", testBody + " ", fresh, testSecret, ErrWebhookSignature},
		{"a wrong secret", testBody, fresh, otherSecret, ErrWebhookSignature},
		{"a changed timestamp", testBody, tamperedTimestamp, testSecret, ErrWebhookSignature},
		{"an old timestamp", testBody, signStandard(t, testBody, now.Add(-6*time.Minute), testSecret), testSecret, ErrWebhookTimestamp},
		{"a future timestamp", testBody, signStandard(t, testBody, now.Add(6*time.Minute), testSecret), testSecret, ErrWebhookTimestamp},
		{"no signature headers", testBody, http.Header{"X-Signature": {signHex(testBody, testSecret)}}, testSecret, ErrWebhookHeaders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := VerifyWebhook([]byte(tc.body), tc.header, tc.secret); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := VerifyWebhook([]byte(testBody), fresh, "whsec_not base64!"); err == nil {
		t.Error("a secret that is not base64 verified")
	}
}

func TestTheToleranceIsTheCallersToChoose(t *testing.T) {
	old := signStandard(t, testBody, time.Now().Add(-4*time.Minute), testSecret)
	if _, err := VerifyWebhook([]byte(testBody), old, testSecret); err != nil {
		t.Errorf("4 minutes old, within the default 5: %v", err)
	}
	if _, err := VerifyWebhookWithTolerance([]byte(testBody), old, testSecret, time.Minute); !errors.Is(err, ErrWebhookTimestamp) {
		t.Errorf("4 minutes old with a 1-minute tolerance: %v", err)
	}
}

func TestVerifyWebhookSignatureChecksXSignature(t *testing.T) {
	signature := signHex(testBody, testSecret)
	if err := VerifyWebhookSignature([]byte(testBody), signature, testSecret); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"a changed body":       VerifyWebhookSignature([]byte(testBody+" "), signature, testSecret),
		"a wrong secret":       VerifyWebhookSignature([]byte(testBody), signature, otherSecret),
		"keyed without whsec_": VerifyWebhookSignature([]byte(testBody), signHex(testBody, testSecret[6:]), testSecret),
	} {
		if !errors.Is(err, ErrWebhookSignature) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if err := VerifyWebhookSignature([]byte(testBody), "", testSecret); !errors.Is(err, ErrWebhookHeaders) {
		t.Errorf("no X-Signature: err = %v", err)
	}
}

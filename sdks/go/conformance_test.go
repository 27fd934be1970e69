package voltasis_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	voltasis "github.com/voltasis/voltasis-go"
)

// TestConformance is test/sdk/SCENARIO.md, step by step, through the SDK as a user would call it.
func TestConformance(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// 1–2. Register, create an API key with the access token, then use the key from the environment.
	acct := registerAccount(t, ctx, "conformance")
	if !strings.HasPrefix(acct.key.Secret, "vlt_live_") {
		t.Fatalf("key secret %q", acct.key.Secret)
	}
	t.Setenv("VOLTASIS_API_KEY", acct.key.Secret)
	requests := &counter{}
	client := voltasis.NewClient("", voltasis.WithHTTPClient(&http.Client{Transport: requests}))
	me, err := client.Auth.Me(ctx)
	if err != nil || me.Email != acct.session.User.Email {
		t.Fatalf("the environment's key is not the account's: %+v, %v", me, err)
	}

	// 3. A client, a project under it, a task in the project and a tag.
	customer, err := client.Clients.Create(ctx, &voltasis.ClientCreateParams{Name: "Globex"})
	must(t, err)
	project, err := client.Projects.Create(ctx, &voltasis.ProjectCreateParams{Name: "Website redesign", ClientID: &customer.ID})
	must(t, err)
	task, err := client.Tasks.Create(ctx, &voltasis.TaskCreateParams{Title: "Homepage", ProjectID: project.ID})
	must(t, err)
	tag, err := client.Tags.Create(ctx, &voltasis.TagCreateParams{Name: "design"})
	must(t, err)
	got, err := client.Projects.Get(ctx, project.ID)
	must(t, err)
	if got.ClientID == nil || *got.ClientID != customer.ID || got.Name != "Website redesign" {
		t.Errorf("project = %+v, want client %s", got, customer.ID)
	}

	// 4. Start a timer, see it as the current one, stop it.
	timer, err := client.TimeEntries.Start(ctx, &voltasis.TimeEntryStartParams{
		ProjectID: &project.ID, TaskID: &task.ID, TagIDs: []string{tag.ID}, Description: voltasis.String("Sketches"),
	})
	must(t, err)
	current, err := client.TimeEntries.Current(ctx)
	must(t, err)
	if current == nil || current.ID != timer.ID || !current.Running || current.TagIDs[0] != tag.ID {
		t.Fatalf("current = %+v, want the running timer %s", current, timer.ID)
	}
	stopped, err := client.TimeEntries.Stop(ctx, timer.ID)
	must(t, err)
	if stopped.Running || stopped.End == nil {
		t.Errorf("stopped = %+v", stopped)
	}
	if current, err = client.TimeEntries.Current(ctx); err != nil || current != nil {
		t.Errorf("after stop, current = %+v, %v; want nil", current, err)
	}

	// 5. 120 entries, then all 121 through the lazy list: 3 pages of 50.
	first := time.Now().UTC().Truncate(time.Hour).Add(-200 * time.Hour)
	var total int64 = stopped.Duration
	for i := 0; i < 120; i++ {
		duration := int64(600 + i)
		_, err := client.TimeEntries.Create(ctx, &voltasis.TimeEntryCreateParams{
			Start: first.Add(time.Duration(i) * time.Hour), Duration: &duration, ProjectID: &project.ID,
		})
		must(t, err)
		total += duration
	}
	before := requests.count()
	entries := client.TimeEntries.List(ctx, &voltasis.TimeEntryListParams{PerPage: voltasis.Int64(50)})
	if requests.count() != before {
		t.Fatal("List fetched before the first Next")
	}
	seen := map[string]bool{}
	for entries.Next() {
		seen[entries.Current().ID] = true
		if len(seen) == 50 && requests.count()-before != 1 {
			t.Errorf("after 50 entries, %d requests: the list is not lazy", requests.count()-before)
		}
	}
	must(t, entries.Err())
	if len(seen) != 121 || requests.count()-before != 3 {
		t.Errorf("%d distinct entries in %d requests, want 121 in 3", len(seen), requests.count()-before)
	}

	// 6. A summary report by project has the entries' total seconds.
	summary, err := client.Reports.Summary(ctx, &voltasis.ReportSummaryParams{
		From:    voltasis.String(first.Add(-time.Hour).Format(time.RFC3339)),
		To:      voltasis.String(time.Now().UTC().Add(time.Hour).Format(time.RFC3339)),
		GroupBy: voltasis.String("project"),
	})
	must(t, err)
	var projectSeconds int64 = -1
	for _, group := range summary.Groups {
		if group.Key.ProjectID != nil && *group.Key.ProjectID == project.ID {
			projectSeconds = group.Seconds
		}
	}
	if projectSeconds != total || summary.Totals.Entries != 121 {
		t.Errorf("project group %d s over %d entries, want %d s over 121", projectSeconds, summary.Totals.Entries, total)
	}

	// 7. A 404 is a *voltasis.Error with everything the API said.
	_, err = client.Projects.Get(ctx, "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P")
	var apiErr *voltasis.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, voltasis.ErrNotFound) {
		t.Fatalf("err = %v, want a not-found *voltasis.Error", err)
	}
	if apiErr.StatusCode != 404 || apiErr.Code != "NOT_FOUND" || apiErr.Message == "" || apiErr.Details == nil ||
		!strings.HasPrefix(apiErr.RequestID, "req_") || apiErr.RequestID != requests.lastRequestID {
		t.Errorf("error = %+v, response X-Request-ID %s", apiErr, requests.lastRequestID)
	}

	// 8. A webhook delivery, verified both ways.
	t.Run("webhook", func(t *testing.T) { webhookDelivery(t, ctx, client) })

	// 9. On the free plan (3 requests per 2 s here) a burst is retried after Retry-After.
	t.Run("rate limit", func(t *testing.T) { rateLimitRetried(t, ctx, client) })
}

func webhookDelivery(t *testing.T, ctx context.Context, client *voltasis.Client) {
	type delivery struct {
		header http.Header
		body   []byte
	}
	deliveries := make(chan delivery, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		deliveries <- delivery{r.Header.Clone(), body}
	}))
	defer receiver.Close()
	webhook, err := client.Webhooks.Create(ctx, &voltasis.WebhookCreateParams{URL: receiver.URL + "/hooks", Events: []string{"tag.created"}})
	must(t, err)
	tag, err := client.Tags.Create(ctx, &voltasis.TagCreateParams{Name: "webhooked"})
	must(t, err)
	var got delivery
	select {
	case got = <-deliveries:
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery within 30 s")
	}

	event, err := voltasis.VerifyWebhook(got.body, got.header, webhook.Secret)
	must(t, err)
	if event.Event != "tag.created" || !strings.Contains(string(event.Data), tag.ID) {
		t.Errorf("event = %+v", event)
	}
	must(t, voltasis.VerifyWebhookSignature(got.body, got.header.Get("X-Signature"), webhook.Secret))

	changed := append([]byte(nil), got.body...)
	changed[len(changed)-2] ^= 1
	wrong := "whsec_" + base64.StdEncoding.EncodeToString([]byte("another secret of 24 byte"))
	for name, err := range map[string]error{
		"changed body, standard":    second(voltasis.VerifyWebhook(changed, got.header, webhook.Secret)),
		"changed body, X-Signature": voltasis.VerifyWebhookSignature(changed, got.header.Get("X-Signature"), webhook.Secret),
		"wrong secret, standard":    second(voltasis.VerifyWebhook(got.body, got.header, wrong)),
		"wrong secret, X-Signature": voltasis.VerifyWebhookSignature(got.body, got.header.Get("X-Signature"), wrong),
	} {
		if !errors.Is(err, voltasis.ErrWebhookSignature) {
			t.Errorf("%s: err = %v, want ErrWebhookSignature", name, err)
		}
	}
	// An old delivery signed properly (as a replay would be) is refused for its timestamp.
	old := got.header.Clone()
	timestamp := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(webhook.Secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(old.Get("webhook-id") + "." + timestamp + "." + string(got.body)))
	old.Set("webhook-timestamp", timestamp)
	old.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	if _, err := voltasis.VerifyWebhook(got.body, old, webhook.Secret); !errors.Is(err, voltasis.ErrWebhookTimestamp) {
		t.Errorf("old timestamp: err = %v, want ErrWebhookTimestamp", err)
	}
}

func rateLimitRetried(t *testing.T, ctx context.Context, client *voltasis.Client) {
	_, err := client.Organization.Update(ctx, &voltasis.OrganizationUpdateParams{Plan: voltasis.String("free")})
	must(t, err)
	retries := 0
	counting := voltasis.WithRetryHook(func(r voltasis.Retry) {
		if errors.Is(r.Err, voltasis.ErrRateLimit) {
			retries++
		}
	})
	for i := 0; i < 6; i++ {
		if _, err := client.Auth.Me(ctx, counting); err != nil {
			t.Fatalf("request %d of the burst: %v", i+1, err)
		}
	}
	if retries == 0 {
		t.Error("6 requests at 3 per window went through without a retry")
	}

	var limited *voltasis.Error
	for i := 0; i < 6 && limited == nil; i++ {
		_, err := client.Auth.Me(ctx, voltasis.WithMaxRetries(0))
		if err != nil && !errors.As(err, &limited) {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if limited == nil || !errors.Is(limited, voltasis.ErrRateLimit) || limited.RetryAfter <= 0 || limited.Details["retry_after"] == nil {
		t.Errorf("without retries the burst gave %+v, want a 429 with retry_after", limited)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }

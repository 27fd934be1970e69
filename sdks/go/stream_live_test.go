package voltasis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	voltasis "github.com/voltasis/voltasis-go"
)

// TestEventStreamLive follows the live event stream (docs/streaming.md) through the SDK, against
// the server in VOLTASIS_BASE_URL, each part on a new account.
func TestEventStreamLive(t *testing.T) {
	server := liveServer(t)
	// A stream that misses what it waits for would wait forever: the context ends it instead.
	withDeadline := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 20*time.Second)
	}
	newClient := func(t *testing.T, name string) *voltasis.Client {
		ctx, cancel := withDeadline()
		defer cancel()
		return voltasis.NewClient(registerAccount(t, ctx, name).key.Secret, voltasis.WithBaseURL(server))
	}

	t.Run("project_created", func(t *testing.T) {
		client := newClient(t, "stream")
		ctx, cancel := withDeadline()
		defer cancel()
		stream := client.Events.Stream(ctx, nil)
		defer stream.Close()
		project, err := client.Projects.Create(ctx, &voltasis.ProjectCreateParams{Name: "Streamed"})
		if err != nil {
			t.Fatal(err)
		}
		if !stream.Next() {
			t.Fatalf("no event: %v", stream.Err())
		}
		event := stream.Event()
		var data struct{ Name string }
		_ = json.Unmarshal(event.Data, &data)
		if event.Event != "project.created" || event.ResourceID != project.ID || data.Name != "Streamed" || stream.LastEventID() != event.ID {
			t.Errorf("event %+v (%+v), last id %q", event, data, stream.LastEventID())
		}
	})

	t.Run("resume", func(t *testing.T) {
		client := newClient(t, "resume")
		ctx, cancel := withDeadline()
		defer cancel()
		var tags []string
		for _, name := range []string{"first", "second", "third"} {
			tag, err := client.Tags.Create(ctx, &voltasis.TagCreateParams{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			tags = append(tags, tag.ID)
		}
		var first string
		events := client.Events.List(ctx, &voltasis.EventListParams{ResourceType: voltasis.String("tag"), Limit: voltasis.Int64(3)})
		for events.Next() {
			if events.Current().ResourceID == tags[0] {
				first = events.Current().ID
			}
		}
		if first == "" {
			t.Fatalf("no event for the first tag: %v", events.Err())
		}

		stream := client.Events.Stream(ctx, &voltasis.EventStreamParams{LastEventID: voltasis.String(first)})
		defer stream.Close()
		var seen []string
		for len(seen) < 3 && stream.Next() {
			seen = append(seen, stream.Event().ResourceID)
			if len(seen) == 2 {
				tag, err := client.Tags.Create(ctx, &voltasis.TagCreateParams{Name: "fourth"})
				if err != nil {
					t.Fatal(err)
				}
				tags = append(tags, tag.ID)
			}
		}
		if !reflect.DeepEqual(seen, tags[1:]) {
			t.Errorf("resumed with %v, want %v (err %v)", seen, tags[1:], stream.Err())
		}
	})

	t.Run("permission_denied", func(t *testing.T) {
		client := newClient(t, "scope")
		ctx, cancel := withDeadline()
		defer cancel()
		key, err := client.APIKeys.Create(ctx, &voltasis.APIKeyCreateParams{Name: "projects only", Scopes: []string{"read:projects"}})
		if err != nil {
			t.Fatal(err)
		}
		stream := voltasis.NewClient(key.Secret, voltasis.WithBaseURL(server)).Events.Stream(ctx, nil)
		var apiErr *voltasis.Error
		if stream.Next() || !errors.Is(stream.Err(), voltasis.ErrPermissionDenied) || !errors.As(stream.Err(), &apiErr) || apiErr.Code != "FORBIDDEN" {
			t.Errorf("err = %v", stream.Err())
		}
	})

	t.Run("slots", func(t *testing.T) {
		client := newClient(t, "slots")
		ctx, cancel := withDeadline()
		defer cancel()
		// Six streams in turn under a cap of 5, each closed before the next: Close frees the slot.
		for i := 0; i < 6; i++ {
			stream := client.Events.Stream(ctx, nil)
			if i%2 == 1 {
				if _, err := client.Tags.Create(ctx, &voltasis.TagCreateParams{Name: fmt.Sprint("slot ", i)}); err != nil {
					t.Fatal(err)
				}
				stream.Next()
			}
			if stream.Err() != nil {
				t.Fatalf("stream %d: %v", i+1, stream.Err())
			}
			stream.Close()
		}
		// The cap still holds: with five open, a sixth is refused.
		var held []*voltasis.EventStream[voltasis.Event]
		for i := 0; i < 5; i++ {
			held = append(held, client.Events.Stream(ctx, nil))
		}
		refused := client.Events.Stream(ctx, nil, voltasis.WithMaxRetries(0))
		for _, stream := range held {
			stream.Close()
		}
		var apiErr *voltasis.Error
		if !errors.Is(refused.Err(), voltasis.ErrRateLimit) || !errors.As(refused.Err(), &apiErr) || apiErr.Reason() != "too_many_streams" {
			t.Errorf("a sixth open stream: err %v", refused.Err())
		}
	})

	t.Run("revoked", func(t *testing.T) {
		admin := newClient(t, "revoke")
		ctx, cancel := withDeadline()
		defer cancel()
		key, err := admin.APIKeys.Create(ctx, &voltasis.APIKeyCreateParams{Name: "revoked soon", Scopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}
		stream := voltasis.NewClient(key.Secret, voltasis.WithBaseURL(server)).Events.Stream(ctx, nil)
		defer stream.Close()
		if err := admin.APIKeys.Delete(ctx, key.ID); err != nil {
			t.Fatal(err)
		}
		for stream.Next() {
		}
		var apiErr *voltasis.Error
		if !errors.Is(stream.Err(), voltasis.ErrAuthentication) || !errors.As(stream.Err(), &apiErr) || apiErr.Reason() != "revoked_token" {
			t.Errorf("err = %v", stream.Err())
		}
	})
}

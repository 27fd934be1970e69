package voltasis

import (
	"context"
	"net/http"
	"testing"
)

func TestTheEnvironmentConfiguresAClientWithoutOptions(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, tagJSON) })
	t.Setenv("VOLTASIS_API_KEY", "vlt_live_from_env")
	t.Setenv("VOLTASIS_BASE_URL", f.URL+"/v1/")
	if _, err := NewClient("").Tags.Get(context.Background(), "tag_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClient("vlt_live_given").Tags.Get(context.Background(), "tag_1"); err != nil {
		t.Fatal(err)
	}
	seen := f.seen()
	if seen[0].Header.Get("Authorization") != "Bearer vlt_live_from_env" || seen[0].Path != "/v1/tags/tag_1" {
		t.Errorf("from the environment: %+v", seen[0])
	}
	if seen[1].Header.Get("Authorization") != "Bearer vlt_live_given" {
		t.Errorf("a given key lost to the environment: %q", seen[1].Header.Get("Authorization"))
	}
}

func TestDefaultsWithoutEnvironment(t *testing.T) {
	t.Setenv("VOLTASIS_API_KEY", "")
	t.Setenv("VOLTASIS_BASE_URL", "")
	c := NewClient("", WithBaseURL(""))
	if c.core.baseURL != DefaultBaseURL || c.core.maxRetries != 2 || c.core.timeout != DefaultTimeout || c.core.credential != "" {
		t.Errorf("settings = %+v", c.core.settings)
	}
}

func TestCallOptionsApplyToOneCall(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, tagJSON) })
	c, _ := testClient(f, WithHeader("X-Team", "blue"))
	ctx := context.Background()
	_, _ = c.Tags.Get(ctx, "tag_1", WithAccessToken("vlt_at_other"), WithOrganizationID("org_2"), WithHeader("If-None-Match", `"v1"`))
	_, _ = c.Tags.Get(ctx, "tag_1")
	first, second := f.seen()[0].Header, f.seen()[1].Header
	if first.Get("Authorization") != "Bearer vlt_at_other" || first.Get("X-Organization-ID") != "org_2" ||
		first.Get("If-None-Match") != `"v1"` || first.Get("X-Team") != "blue" {
		t.Errorf("the call's options: %v", first)
	}
	if second.Get("Authorization") != "Bearer vlt_live_test" || second.Get("X-Organization-ID") != "" ||
		second.Get("If-None-Match") != "" || second.Get("X-Team") != "blue" {
		t.Errorf("a call's options leaked into the next: %v", second)
	}
}

func TestWithoutACredentialNoAuthorizationIsSent(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, `{"data":{"status":"ok"}}`) })
	t.Setenv("VOLTASIS_API_KEY", "")
	health, err := NewClient("", WithBaseURL(f.URL)).Health.Check(context.Background())
	if err != nil || health.Status != "ok" {
		t.Fatalf("health %+v, %v", health, err)
	}
	if _, sent := f.seen()[0].Header["Authorization"]; sent {
		t.Error("an empty credential was sent")
	}
}

func TestAFileComesBackAsIs(t *testing.T) {
	csv := "id,duration\nte_1,60\n"
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte(csv))
	})
	c, _ := testClient(f)
	body, err := c.Jobs.Result(context.Background(), "job_1")
	if err != nil || string(body) != csv {
		t.Fatalf("body %q, %v", body, err)
	}
	if got := f.seen()[0]; got.Path != "/v1/jobs/job_1/result" || got.Header.Get("Accept") != "*/*" {
		t.Errorf("request %s with Accept %q", got.Path, got.Header.Get("Accept"))
	}
}

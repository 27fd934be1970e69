package voltasis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// listServer serves the tags tag_0 … tag_<total-1> a page at a time, each style of SPEC §5.
func listServer(t *testing.T, total int) *fakeServer {
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		q := r.URL.Query()
		number := func(name string, fallback int) int {
			if v, err := strconv.Atoi(q.Get(name)); err == nil {
				return v
			}
			return fallback
		}
		size := number("per_page", number("limit", 20))
		start := number("offset", (number("page", 1)-1)*size)
		if after := q.Get("starting_after"); after != "" {
			fmt.Sscanf(after, "tag_%d", &start)
			start++
		}
		items := []map[string]string{}
		for i := start; i < total && i < start+size; i++ {
			items = append(items, map[string]string{"id": fmt.Sprintf("tag_%d", i), "name": fmt.Sprint(i)})
		}
		body, _ := json.Marshal(map[string]any{
			"data": items,
			"pagination": map[string]any{
				"total": total, "limit": size, "offset": start, "has_more": start+size < total,
				"page": start/size + 1, "per_page": size,
			},
		})
		reply(w, 200, string(body))
	})
}

func walk(t *testing.T, it *Iter[Tag]) []string {
	t.Helper()
	var ids []string
	for it.Next() {
		ids = append(ids, it.Current().ID)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func queries(f *fakeServer) []string {
	var out []string
	for _, r := range f.seen() {
		out = append(out, r.Query)
	}
	return out
}

func expectQueries(t *testing.T, f *fakeServer, want ...string) {
	t.Helper()
	if got := queries(f); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queries %v, want %v", got, want)
	}
}

func TestAListIsFetchedLazilyPageByPage(t *testing.T) {
	f := listServer(t, 5)
	c, _ := testClient(f)
	it := c.Tags.List(context.Background(), &TagListParams{PerPage: Int64(2)})
	if len(f.seen()) != 0 {
		t.Fatal("a page was fetched before Next")
	}
	it.Next()
	it.Next()
	if len(f.seen()) != 1 || it.Pagination().Total != 5 {
		t.Fatalf("after 2 items: %d requests", len(f.seen()))
	}
	it.Next()
	if len(f.seen()) != 2 {
		t.Fatalf("after 3 items: %d requests, want 2", len(f.seen()))
	}
	rest := walk(t, it)
	if len(rest) != 2 || rest[1] != "tag_4" {
		t.Errorf("rest = %v", rest)
	}
	expectQueries(t, f, "per_page=2", "page=2&per_page=2", "page=3&per_page=2")
}

func TestAListPagesByOffsetWhenGivenLimitOrOffset(t *testing.T) {
	f := listServer(t, 5)
	c, _ := testClient(f)
	ids := walk(t, c.Tags.List(context.Background(), &TagListParams{Limit: Int64(2), Offset: Int64(1)}))
	if fmt.Sprint(ids) != "[tag_1 tag_2 tag_3 tag_4]" {
		t.Errorf("ids = %v", ids)
	}
	expectQueries(t, f, "limit=2&offset=1", "limit=2&offset=3")
}

// cursorList is a list with a cursor, as time entries have: TimeEntries.List's request shape.
func cursorList(c *Client, params *TagListParams) *Iter[Tag] {
	return list[Tag](context.Background(), c.core, request{method: "GET", path: "/v1/tags", query: params, cursor: true}, nil)
}

func TestAListWithACursorFollowsIt(t *testing.T) {
	f := listServer(t, 5)
	c, _ := testClient(f)
	if ids := walk(t, cursorList(c, &TagListParams{PerPage: Int64(2)})); len(ids) != 5 {
		t.Fatalf("ids = %v", ids)
	}
	expectQueries(t, f, "per_page=2", "per_page=2&starting_after=tag_1", "per_page=2&starting_after=tag_3")
}

func TestAListWithACursorPagesByNumberWhenSortedOrStartedAtAPage(t *testing.T) {
	f := listServer(t, 3)
	c, _ := testClient(f)
	walk(t, cursorList(c, &TagListParams{PerPage: Int64(2), Sort: String("name")}))
	walk(t, cursorList(c, &TagListParams{PerPage: Int64(2), Page: Int64(1)}))
	for _, q := range queries(f) {
		if values, _ := url.ParseQuery(q); values.Has("starting_after") {
			t.Errorf("a sorted or paged list used the cursor: %s", q)
		}
	}
	if len(f.seen()) != 4 {
		t.Errorf("%d requests, want 2 per walk", len(f.seen()))
	}
}

func TestAnErrorEndsTheWalkAndIsKept(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			reply(w, 200, `{"data":[{"id":"tag_0"}],"pagination":{"has_more":true,"page":1,"per_page":1,"total":2}}`)
			return
		}
		replyError(w, 403, "FORBIDDEN")
	})
	c, _ := testClient(f)
	it := c.Tags.List(context.Background(), nil)
	if !it.Next() || it.Next() || !errors.Is(it.Err(), ErrPermissionDenied) || it.Next() {
		t.Fatalf("err = %v", it.Err())
	}
	if len(f.seen()) != 2 {
		t.Errorf("Next after the error fetched again: %d requests", len(f.seen()))
	}
}

func TestAnEmptyListEndsAtOnce(t *testing.T) {
	f := listServer(t, 0)
	c, _ := testClient(f)
	if ids := walk(t, c.Tags.List(context.Background(), &TagListParams{})); len(ids) != 0 || len(f.seen()) != 1 {
		t.Errorf("ids %v after %d requests", ids, len(f.seen()))
	}
}

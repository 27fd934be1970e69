package voltasis

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Iter walks every item of a list, fetching a page at a time as the walk reaches it (nothing is
// fetched before the first Next):
//
//	iter := client.Projects.List(ctx, &voltasis.ProjectListParams{})
//	for iter.Next() {
//		project := iter.Current()
//	}
//	if err := iter.Err(); err != nil { … }
//
// Pages follow the cursor (`starting_after`) where the list has one and the params set no sort,
// page or offset; otherwise the next page or offset, until `pagination.has_more` is false. The
// params' PerPage (or Limit) sets the page size.
type Iter[T any] struct {
	ctx  context.Context
	core *core
	req  request
	opts []Option

	started    bool
	mode       pagingMode
	next       url.Values
	page       []T
	ids        []string
	index      int
	current    *T
	pagination *Pagination
	err        error
}

type pagingMode int

const (
	pageByNumber pagingMode = iota
	pageByOffset
	pageByCursor
)

func list[T any](ctx context.Context, c *core, req request, opts []Option) *Iter[T] {
	return &Iter[T]{ctx: ctx, core: c, req: req, opts: opts}
}

// Next advances to the next item, fetching the next page when needed; false at the end or on an
// error (see Err).
func (it *Iter[T]) Next() bool {
	if it.err != nil {
		return false
	}
	for it.index >= len(it.page) {
		if it.started && !it.pagination.HasMore {
			return false
		}
		if !it.fetch() || len(it.page) == 0 {
			return false
		}
	}
	it.current = &it.page[it.index]
	it.index++
	return true
}

// Current is the item Next advanced to.
func (it *Iter[T]) Current() *T { return it.current }

// Err is the error that ended the walk, or nil when it went through every page.
func (it *Iter[T]) Err() error { return it.err }

// Pagination is the `pagination` block of the page fetched last (`total` counts every item),
// or nil before the first Next.
func (it *Iter[T]) Pagination() *Pagination { return it.pagination }

func (it *Iter[T]) fetch() bool {
	if !it.started {
		query, err := encodeQuery(it.req.query)
		if err != nil {
			it.err = err
			return false
		}
		it.mode = pagingModeOf(query, it.req.cursor)
		it.next = url.Values{}
	}
	res, err := it.core.do(it.ctx, it.req, it.next, it.opts)
	if err != nil {
		it.err = err
		return false
	}
	var envelope struct {
		Data       []json.RawMessage `json:"data"`
		Pagination *Pagination       `json:"pagination"`
	}
	if err := json.Unmarshal(res.body, &envelope); err != nil || envelope.Pagination == nil {
		it.err = fmt.Errorf("voltasis: %s %s: not a page of a list: %v", it.req.method, it.req.path, err)
		return false
	}
	page := make([]T, len(envelope.Data))
	ids := make([]string, len(envelope.Data))
	for i, raw := range envelope.Data {
		var item struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &page[i]); err != nil {
			it.err = fmt.Errorf("voltasis: %s %s: unreadable item: %w", it.req.method, it.req.path, err)
			return false
		}
		_ = json.Unmarshal(raw, &item)
		ids[i] = item.ID
	}
	it.started, it.page, it.ids, it.index, it.pagination = true, page, ids, 0, envelope.Pagination
	it.advance()
	return true
}

// advance sets the query of the page after the one just fetched.
func (it *Iter[T]) advance() {
	p := it.pagination
	switch it.mode {
	case pageByCursor:
		if len(it.ids) > 0 {
			it.next.Set("starting_after", it.ids[len(it.ids)-1])
		}
	case pageByOffset:
		it.next.Set("offset", strconv.FormatInt(p.Offset+int64(len(it.page)), 10))
	default:
		it.next.Set("page", strconv.FormatInt(p.Page+1, 10))
	}
}

// pagingModeOf picks how to page from what the caller asked for: the cursor pages fastest but
// cannot start from a page or an offset, and some lists take it with their default sort only.
func pagingModeOf(query url.Values, cursor bool) pagingMode {
	has := func(name string) bool { return query.Get(name) != "" }
	switch {
	case cursor && (has("starting_after") || !(has("page") || has("offset") || has("sort"))):
		return pageByCursor
	case has("limit") || has("offset"):
		return pageByOffset
	}
	return pageByNumber
}

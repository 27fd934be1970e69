"""Lists (SPEC §5): a list method returns a Paginator that fetches nothing until it is iterated,
then one page per request, by cursor (`starting_after`) where the list has one, else by page or
offset, and stops when `pagination.has_more` is false."""

from __future__ import annotations

from typing import Any, Callable, Dict, Generic, Iterator, List, Mapping, Optional, TypeVar, cast

from .errors import BadRequestError

T = TypeVar("T")

_OFFSET_STYLE = ("limit", "offset")


class Page(Generic[T]):
    """One page of a list: its items, the `pagination` block and the response's request id."""

    def __init__(self, data: List[T], pagination: Mapping[str, Any], request_id: Optional[str]) -> None:
        self.data = data
        self.pagination = pagination
        self.request_id = request_id

    @property
    def has_more(self) -> bool:
        return bool(self.pagination.get("has_more"))

    def __repr__(self) -> str:
        return f"Page(items={len(self.data)}, pagination={dict(self.pagination)!r})"


class Paginator(Generic[T]):
    """Every item of a list, fetched lazily: `for project in client.projects.list(): ...`.

    Each iteration starts again from the first page. `pages()` yields whole pages instead, and
    `first_page()` fetches just one.
    """

    def __init__(
        self, fetch: Callable[[Dict[str, Any]], Page[T]], query: Mapping[str, Any], *, cursor: bool
    ) -> None:
        self._fetch = fetch
        self._query = dict(query)
        # A cursor cannot be combined with an offset or a page number the caller chose.
        self._cursor = cursor and "offset" not in query and "page" not in query

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data

    def first_page(self) -> Page[T]:
        return self._fetch(dict(self._query))

    def pages(self) -> Iterator[Page[T]]:
        query = dict(self._query)
        by_cursor = self._cursor
        seen = 0
        pagination: Mapping[str, Any] = {}
        while True:
            try:
                page = self._fetch(query)
            except BadRequestError as error:
                # Some sorts cannot page by cursor (time entries by duration): go on by number.
                if not (by_cursor and seen and error.field == "starting_after"):
                    raise
                by_cursor = False
                query = self._numbered(seen, pagination)
                continue
            yield page
            seen += len(page.data)
            pagination = page.pagination
            if not page.data or not page.has_more:
                return
            if by_cursor:
                query = {**query, "starting_after": _id_of(page.data[-1])}
            else:
                query = self._numbered(seen, pagination)

    def _numbered(self, seen: int, pagination: Mapping[str, Any]) -> Dict[str, Any]:
        """The query of the page after the first `seen` items, in the style the caller chose."""
        query = {name: value for name, value in self._query.items() if name != "starting_after"}
        if any(name in query for name in _OFFSET_STYLE):
            query["offset"] = int(query.get("offset", 0)) + seen
        else:
            # Every page before this one was full, so `seen` is a whole number of pages.
            per_page = int(query.get("per_page") or pagination.get("per_page") or 20)
            query["page"] = int(query.get("page", 1)) + seen // per_page
        return query


def _id_of(item: Any) -> str:
    return str(cast(Mapping[str, Any], item)["id"])

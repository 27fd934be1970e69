"""Lists iterate every page lazily: by cursor where the list has one, else by page or offset."""

from __future__ import annotations

from typing import Any, Dict, List

from .fake_api import ClientTestCase, Recorded, Reply, envelope, error


def collection(size: int, prefix: str = "te") -> List[Dict[str, Any]]:
    return [{"id": f"{prefix}_{n:03d}"} for n in range(size)]


def serve(items: List[Dict[str, Any]]):
    """Answers a list request as the API does: by cursor, by page or by offset."""

    def answer(request: Recorded) -> Reply:
        query = request.query
        size = int(query.get("per_page") or query.get("limit") or 20)
        if "starting_after" in query:
            start = [item["id"] for item in items].index(query["starting_after"]) + 1
        elif "offset" in query:
            start = int(query["offset"])
        else:
            start = (int(query.get("page", 1)) - 1) * size
        page = items[start : start + size]
        pagination = {"has_more": start + size < len(items), "per_page": size, "limit": size}
        return Reply(200, envelope(page, pagination=pagination))

    return answer


class PaginationTest(ClientTestCase):
    def test_a_cursor_list_fetches_page_by_page_as_the_iteration_goes(self) -> None:
        items = collection(121)
        self.api.answer = serve(items)
        entries = self.client().time_entries.list(per_page=50)
        self.assertEqual(self.api.requests, [], "nothing is fetched before the iteration starts")
        iterator = iter(entries)
        first = [next(iterator) for _ in range(50)]
        self.assertEqual(len(self.api.requests), 1)
        rest = list(iterator)
        self.assertEqual(first + rest, items)
        queries = [request.query for request in self.api.requests]
        self.assertEqual(
            queries,
            [
                {"per_page": "50"},
                {"per_page": "50", "starting_after": "te_049"},
                {"per_page": "50", "starting_after": "te_099"},
            ],
        )

    def test_a_list_without_cursor_goes_by_page_or_by_offset(self) -> None:
        items = collection(45, "prj")
        self.api.answer = serve(items)
        self.assertEqual(list(self.client().projects.list()), items)
        self.assertEqual([r.query.get("page") for r in self.api.requests], [None, "2", "3"])
        self.api.requests.clear()
        self.assertEqual(list(self.client().projects.list(limit=30, offset=10)), items[10:])
        self.assertEqual([r.query["offset"] for r in self.api.requests], ["10", "40"])

    def test_a_cursor_list_paged_by_number_stays_by_number(self) -> None:
        items = collection(25)
        self.api.answer = serve(items)
        self.assertEqual(list(self.client().time_entries.list(page=2, per_page=10)), items[10:])
        self.assertEqual([r.query["page"] for r in self.api.requests], ["2", "3"])

    def test_a_sort_that_cannot_take_a_cursor_goes_on_by_page(self) -> None:
        items = collection(30)
        by_number = serve(items)
        self.api.answer = lambda request: (
            error(400, "VALIDATION_ERROR", "No cursor for this sort", {"field": "starting_after"})
            if "starting_after" in request.query
            else by_number(request)
        )
        entries = list(self.client().time_entries.list(sort="duration", per_page=20))
        self.assertEqual(entries, items)
        self.assertEqual([r.query.get("page") for r in self.api.requests], [None, None, "2"])

    def test_pages_and_an_empty_list(self) -> None:
        self.api.answer = serve(collection(3, "tag"))
        pages = list(self.client().tags.list(per_page=2).pages())
        self.assertEqual([len(page.data) for page in pages], [2, 1])
        self.assertEqual([page.has_more for page in pages], [True, False])
        self.assertEqual(pages[0].request_id, "req_ok")
        self.api.answer = serve([])
        self.api.requests.clear()
        self.assertEqual(list(self.client().tags.list()), [])
        self.assertEqual(len(self.api.requests), 1)

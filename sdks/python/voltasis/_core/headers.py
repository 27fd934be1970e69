from __future__ import annotations

from typing import Dict, Iterable, Iterator, Mapping, Tuple


class Headers(Mapping[str, str]):
    """Response headers, looked up case-insensitively as HTTP field names are (RFC 9110 §5.1)."""

    def __init__(self, pairs: Iterable[Tuple[str, str]] = ()) -> None:
        self._items: Dict[str, Tuple[str, str]] = {}
        for name, value in pairs:
            previous = self._items.get(name.lower())
            # Repeated fields combine into one comma-separated value (RFC 9110 §5.3).
            self._items[name.lower()] = (name, f"{previous[1]}, {value}" if previous else value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"

"""A paginator that stops counting: at a million residents, counting 190,000 matches of "li" costs more
than showing the first page of them. Past `cap` matches the list says "10,000+" and pages to the cap."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, cap: int = COUNT_CAP, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = int(self.object_list[: self.cap + 1].count())  # type: ignore[attr-defined]  # a QuerySet
        self.capped = counted > self.cap
        return min(counted, self.cap)

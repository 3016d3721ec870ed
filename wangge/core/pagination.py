"""A paginator told its count: the list counts its matches its own way (the residents list: an exact
COUNT of the filtered set, see `people.selectors.people_count`) and pages by it."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # fills Paginator.count (a cached_property): no COUNT query

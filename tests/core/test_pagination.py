from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Tree
from wangge.core.pagination import CountedPaginator
from wangge.regions.models import Region


def test_the_paginator_pages_by_the_count_it_is_given(tree: Tree) -> None:
    regions = Region.all_objects.order_by("pk")
    total = regions.count()
    with CaptureQueriesContext(connection) as queries:
        paginator = CountedPaginator(regions, 2, count=total)
        assert paginator.count == total and paginator.num_pages == -(-total // 2)
    assert len(queries) == 0
    assert [r.pk for r in paginator.page(2).object_list] == [r.pk for r in regions[2:4]]

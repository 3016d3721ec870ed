from __future__ import annotations

from tests.conftest import Tree
from wangge.core.pagination import CappedPaginator
from wangge.regions.models import Region


def test_a_long_list_is_counted_up_to_the_cap(tree: Tree) -> None:
    regions = Region.all_objects.order_by("pk")
    total = regions.count()
    capped = CappedPaginator(regions, 2, cap=3)
    assert capped.count == 3 and capped.capped and capped.num_pages == 2
    assert [r.pk for r in capped.page(2).object_list] == [r.pk for r in regions[2:3]]
    whole = CappedPaginator(regions, 2, cap=total)
    assert whole.count == total and not whole.capped

"""The cases app on other pages: the work waiting on the home page, a person's cases on their card."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree
from wangge.cases.models import Case
from wangge.core.roles import Role
from wangge.people.services import person_create

pytestmark = pytest.mark.usefixtures("clock")


def _work(client: Client) -> dict[str, tuple[int, str]]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = "".join(response.context["panels"])
    assert 'data-testid="work"' in html
    from wangge.cases import selectors

    items = selectors.work_waiting(user=response.wsgi_request.user)  # type: ignore[arg-type]
    for item in items:  # each figure is on the page and links to its list
        assert f'href="/cases/?{item.query}"'.replace("&", "&amp;") in html
    return {item.key: (item.count, item.query) for item in items}


def test_the_grid_worker_home_counts_the_work_waiting_and_each_count_opens_its_list(
    new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    new_case("reported")
    new_case("finished")
    new_case("verified")
    new_case("verified")
    worker = client_for(Role.GRID_WORKER)
    work = _work(worker)
    assert work["todo"][0] == 4 and work["to_verify"][0] == 1 and work["to_rate"][0] == 2
    assert "extension" not in work  # a grid worker decides no extensions
    for key, (count, query) in work.items():
        listed = worker.get(f"{reverse('cases:list')}?{query}").context["page"].paginator.count
        assert listed == count, key


def test_a_supervisor_home_shows_extensions_to_decide(
    new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    new_case("handling_ext")
    staff = client_for(Role.COMMUNITY_STAFF)
    work = _work(staff)
    assert work["extension"][0] == 1
    assert staff.get(f"{reverse('cases:list')}?list=extension").context["page"].paginator.count == 1


def test_the_person_card_lists_the_person_s_cases(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    person = person_create(actor=None, region=tree.grid_a1, name="王竟")
    other = person_create(actor=None, region=tree.grid_a1, name="李四")
    case = new_case("reported", person=person, title="想学上网")
    new_case("reported", person=other, title="别人的事")
    worker = client_for(Role.GRID_WORKER)
    html = worker.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert (
        'data-testid="person-cases"' in html and "想学上网" in html and reverse("cases:detail", args=[case.pk]) in html
    )
    assert "别人的事" not in html
    assert "Visits, cases and services will appear here." not in html and "将在这里显示" not in html
    assert f"{reverse('cases:create')}?person={person.pk}" in html

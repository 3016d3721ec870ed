"""The case console: quick report, work lists, case page, actions, export and statistics."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.cases.conftest import at
from tests.conftest import Tree
from wangge.cases.choices import Action, State
from wangge.cases.models import Case, CaseAttachment, CaseStep, Category
from wangge.core.actors import SYSTEM
from wangge.core.models import AuditEvent
from wangge.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def _photo() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile("before.jpg", buffer.getvalue(), content_type="image/jpeg")


def _report(client: Client, tree: Tree, category: Category, key: str = "key-1", **extra: object) -> object:
    data = {
        "client_key": key,
        "category": category.pk,
        "title": "楼道灯坏了",
        "region": tree.grid_a1.pk,
        "urgency": "normal",
        "source": "patrol",
        "reporter_name": "张小英",
        "reporter_phone": "13871509876",
        **extra,
    }
    return client.post(reverse("cases:create"), data)


def test_a_grid_worker_reports_from_the_phone_form_once(
    tree: Tree, category: Category, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.GRID_WORKER)
    assert client.get(reverse("cases:create")).status_code == 200
    first = _report(client, tree, category, photo=_photo())
    second = _report(client, tree, category)  # the same form sent again
    case = Case.all_objects.get()
    assert first.status_code == second.status_code == 302  # type: ignore[attr-defined]
    assert first.url == second.url == reverse("cases:detail", args=[case.pk])  # type: ignore[attr-defined]
    assert CaseAttachment.objects.get(case=case).kind == "before"
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "138****9876" in content and "13871509876" not in content
    assert Action.ACCEPT in dict(page.context["allowed"])


def test_case_photos_are_served_only_to_who_may_see_the_case(
    tree: Tree, category: Category, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.GRID_WORKER)
    _report(client, tree, category, photo=_photo())
    case = Case.all_objects.get()
    photo = CaseAttachment.objects.get(case=case)
    url = reverse("cases:photo", args=[case.pk, photo.pk])
    assert url in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[attr-defined]
    other_grid = client_for(Role.GRID_WORKER, scope="grid_b1")
    assert other_grid.get(url).status_code == 404
    assert client.get(reverse("cases:photo", args=[case.pk, photo.pk + 1])).status_code == 404


def test_the_case_page_marks_the_point_on_the_grid(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    from wangge.regions.models import Region

    Region.all_objects.filter(pk=tree.grid_a1.pk).update(
        boundary={"type": "Polygon", "coordinates": [[[114.3, 29.8], [114.31, 29.8], [114.31, 29.81], [114.3, 29.8]]]}
    )
    case = new_case("reported", lat=29.805, lng=114.305)
    page = client_for(Role.GRID_WORKER).get(reverse("cases:detail", args=[case.pk]))
    assert page.context["sketch"].dot is not None
    assert 'data-testid="dot"' in page.content.decode()


def test_an_action_posted_from_the_case_page(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    case = new_case("reported")
    client = client_for(Role.COMMUNITY_STAFF)
    url = reverse("cases:act", args=[case.pk])
    response = client.post(url, {"action": "accept", "version": case.version})
    assert response.status_code == 302
    assert Case.all_objects.get(pk=case.pk).state == State.ACCEPTED
    # a second click on the page loaded before: refused as a conflict, nothing changes
    client.post(url, {"action": "reject", "version": case.version, "note": "重复"})
    assert Case.all_objects.get(pk=case.pk).state == State.ACCEPTED
    response = client.post(url, {"action": "dispatch", "version": case.version + 1, "region": tree.grid_a1.pk})
    assert Case.all_objects.get(pk=case.pk).state == State.DISPATCHED
    response = client.post(
        url,
        {"action": "finish", "note": "已修好", "photo": _photo(), "photo_kind": "after", "version": case.version + 2},
    )
    assert Case.all_objects.get(pk=case.pk).state == State.FINISHED
    assert CaseAttachment.objects.filter(case=case, kind="after").count() == 1


def test_a_refused_action_is_forbidden_and_changes_nothing(
    new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    case = new_case("handling")
    client = client_for(Role.GRID_WORKER)
    response = client.post(
        reverse("cases:act", args=[case.pk]), {"action": "supervise", "level": "red", "version": case.version}
    )
    assert response.status_code == 403
    assert Case.all_objects.get(pk=case.pk).supervision == ""


def test_outside_the_scope_is_not_found(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    case = new_case("reported", region=tree.grid_b1)
    client = client_for(Role.GRID_WORKER)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:act", args=[case.pk]), {"action": "accept"}).status_code == 404
    assert CaseStep.objects.filter(case=case).count() == 1


def test_merge_by_case_number(new_case: Callable[..., Case], client_for: Callable[..., Client]) -> None:
    kept = new_case("accepted")
    duplicate = new_case("reported")
    client = client_for(Role.GRID_WORKER)
    client.post(
        reverse("cases:act", args=[duplicate.pk]),
        {"action": "merge", "case": kept.number, "version": duplicate.version},
    )
    assert Case.all_objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_work_lists_and_filters(
    tree: Tree,
    new_case: Callable[..., Case],
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    for _n in range(12):
        new_case("reported")
    handling = new_case("handling", title="正在处理")
    new_case("reported", region=tree.grid_b1, title="别的社区")
    client = client_for(Role.GRID_WORKER)
    url = reverse("cases:list")
    with django_assert_max_num_queries(18):  # type: ignore[operator]  # constant: no query per row (+1: the region picker reads its ancestors to sort naturally)
        response = client.get(url, {"list": "todo"})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 13
    response = client.get(url, {"list": "all", "state": "handling"})
    assert list(response.context["page"].object_list) == [handling]
    response = client.get(url, {"list": "overdue"})
    assert list(response.context["page"].object_list) == []


def test_export_is_masked_and_audited(new_case: Callable[..., Case], client_for: Callable[..., Client]) -> None:
    new_case("reported")
    client = client_for(Role.COMMUNITY_STAFF)
    response = client.get(reverse("cases:export"), {"list": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export.cases").exists()


def test_statistics_count_received_closed_on_time_and_rating(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    new_case("closed")
    new_case("reported")
    new_case("rejected")
    client = client_for(Role.STREET_SUPERVISOR)
    response = client.get(reverse("cases:stats"), {"year": 2026})
    total = response.context["report"].total
    assert (total.received, total.accepted, total.closed, total.on_time) == (3, 1, 1, 1)
    assert total.on_time_rate == 100.0 and total.rating_display == 5.0
    assert [row.label for row in response.context["report"].by_category] == ["求助"]
    assert [row.label for row in response.context["report"].by_grid] == ["第一网格"]
    other = client.get(reverse("cases:stats"), {"year": 2026, "region": tree.grid_a2.pk}).context["report"]
    assert other.total.received == 0
    november = response.context["bars"][10]
    assert (november.received, november.closed, november.received_h) == (3, 1, 120)


def test_another_household_joins_a_collective_case(
    new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    case = new_case("accepted", title="下水道堵塞")
    client = client_for(Role.GRID_WORKER)
    url = reverse("cases:reporter_add", args=[case.pk])
    assert client.post(url, {"name": "李大妈", "phone": "13871503333"}).status_code == 302
    client.post(url, {"name": "李大妈", "phone": "13871503333"})  # the same phone again: refused
    case.refresh_from_db()
    assert case.reporter_count == 2
    content = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "李大妈" in content and "138****3333" in content


def test_notifications_list_and_mark_read(
    tree: Tree,
    category: Category,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    from wangge.cases.services import case_create
    from wangge.core.models import Notification

    client = client_for(Role.GRID_WORKER)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="楼道灯坏了")
    url = reverse("cases:notifications")
    response = client.get(url)
    assert response.status_code == 200 and len(response.context["page"].object_list) == 1
    assert client.get(reverse("cases:list")).context["unread"] == 1
    client.post(url)
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_report_about_a_person_from_the_registry(tree: Tree, client_for: Callable[..., Client]) -> None:
    from wangge.people.services import person_create

    person = person_create(actor=None, region=tree.grid_a1, name="王竟")
    client = client_for(Role.GRID_WORKER)
    found = client.get(reverse("cases:create"), {"find": "王竟"}).context["found"]
    assert found == [person]
    response = client.get(reverse("cases:create"), {"person": person.pk})
    assert response.context["about"] == "王竟"
    assert response.context["form"].initial["person"] == person.pk


def test_grid_workers_are_never_shown_the_calendar_warning(client_for: Callable[..., Client], clock: object) -> None:
    clock.move_to(at("2026-12-01T09:00"))  # type: ignore[attr-defined]  # 2027 is not entered
    client = client_for(Role.GRID_WORKER)
    for url in (reverse("cases:list"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.context.get("calendar_years_to_complete")
        assert 'data-testid="calendar-incomplete"' not in response.content.decode()


def test_the_case_page_and_api_list_take_a_fixed_number_of_queries(
    new_case: Callable[..., Case],
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    case = new_case("closed")
    for _n in range(9):
        new_case("handling")
    client = client_for(Role.COMMUNITY_STAFF)
    with django_assert_max_num_queries(17):  # type: ignore[operator]  # +1: the departments serving the grid
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # constant: 9 rows or 5
        assert client.get("/api/v1/cases?list=open").json()["count"] == 9


def test_the_sweep_command(new_case: Callable[..., Case]) -> None:
    from io import StringIO

    from django.core.management import call_command

    new_case("handling")
    out = StringIO()
    call_command("cases_sweep", stdout=out)
    assert "overdue=0" in out.getvalue()


def test_the_report_names_the_person_it_concerns(
    tree: Tree, category: Category, client_for: Callable[..., Client]
) -> None:
    from wangge.people.services import person_create

    person = person_create(actor=None, region=tree.grid_a1, name="王竟")
    client = client_for(Role.GRID_WORKER)
    _report(client, tree, category, key="about-wang", person=person.pk)
    assert Case.all_objects.get().person == person


def test_statistics_follow_each_action(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    case = new_case("finished")
    before = client.get(reverse("cases:stats"), {"year": 2026}).context["report"].total
    assert (before.received, before.closed) == (1, 0)
    from wangge.cases.services import case_act

    case_act(actor=SYSTEM, case=case, action=Action.VERIFY_PASS)
    case_act(actor=SYSTEM, case=Case.all_objects.get(pk=case.pk), action=Action.RATE, rating=5)
    new_case("reported", region=tree.grid_a2)
    after = client.get(reverse("cases:stats"), {"year": 2026}).context["report"].total
    assert (after.received, after.closed, after.rated, after.rating) == (2, 1, 1, 5)

"""The registry console through its pages: list and search, export, card, edit, households."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree, sign_in
from wangge.core.models import AuditEvent, HistoryEntry, User
from wangge.core.roles import Role
from wangge.core.services import user_set_capabilities
from wangge.people import services
from wangge.people.choices import HouseholdKind
from wangge.people.models import Household, Membership, Person, PersonTag, Tag


@pytest.fixture
def people(tree: Tree, new_id) -> dict[str, object]:  # type: ignore[no-untyped-def]
    zhang_id = new_id(date(1948, 1, 9), "M")
    zhang = services.person_create(
        actor=None, region=tree.grid_a1, name="张三", id_number=zhang_id, phone="13871501108"
    )
    li = services.person_create(actor=None, region=tree.grid_a1, name="李四", birth_date=date(1990, 6, 1))
    wang = services.person_create(actor=None, region=tree.grid_a1, name="王五", birth_date=date(2015, 3, 1))
    other = services.person_create(actor=None, region=tree.grid_b1, name="赵六", phone="13900001108")
    household = services.household_create(actor=None, region=tree.grid_a1, number="H1", head=zhang)
    services.tag_add(actor=None, person=zhang, tag=Tag.objects.get(code="living_alone_elderly"))
    services.tag_add(actor=None, person=li, tag=Tag.objects.get(code="community_correction"))
    return {"zhang": zhang, "li": li, "wang": wang, "other": other, "zhang_id": zhang_id, "household": household}


@pytest.fixture
def worker(client_for: Callable[..., Client]) -> Client:
    return client_for(Role.GRID_WORKER)  # scope: grid_a1


def _grant(client: Client, make_user: Callable[..., User], *capabilities: str) -> Client:
    user: User = client.user  # type: ignore[attr-defined]
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=user, capabilities=set(capabilities))
    user = User.objects.get(pk=user.pk)
    signed = sign_in(Client(), user)
    signed.user = user  # type: ignore[attr-defined]
    return signed


def listed(response: object) -> set[str]:
    return {p.name for p in response.context["people"]}  # type: ignore[attr-defined]


# --- list and search --------------------------------------------------------------------------------


def test_search_box_finds_by_initials_and_id_tail(people: dict[str, object], worker: Client) -> None:
    assert listed(worker.get("/people/", {"q": "zs"})) == {"张三"}
    assert listed(worker.get("/people/", {"q": str(people["zhang_id"])[-4:]})) == {"张三"}
    assert listed(worker.get("/people/", {"q": str(people["zhang_id"])})) == {"张三"}
    assert listed(worker.get("/people/", {"q": "1108"})) == {"张三"}  # 赵六 is in another grid


def test_filters_narrow_the_list(people: dict[str, object], worker: Client) -> None:
    assert listed(worker.get("/people/")) == {"张三", "李四", "王五"}
    assert listed(worker.get("/people/", {"color": "red"})) == {"张三"}
    assert listed(worker.get("/people/", {"age_min": 18, "age_max": 60})) == {"李四"}
    elderly = Tag.objects.get(code="living_alone_elderly")
    assert listed(worker.get("/people/", {"tag": elderly.pk})) == {"张三"}


def test_bad_filter_input_is_shown_and_ignored(people: dict[str, object], worker: Client) -> None:
    response = worker.get("/people/", {"age_min": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors["age_min"]
    assert listed(response) == {"张三", "李四", "王五"}


def test_htmx_request_gets_only_the_results(people: dict[str, object], worker: Client) -> None:
    response = worker.get("/people/", {"q": "zs"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "张三" in html and "<html" not in html and 'data-testid="filters"' not in html
    assert "HX-Request" in response["Vary"]


def test_every_row_shows_its_colour_and_the_legend(people: dict[str, object], worker: Client) -> None:
    html = worker.get("/people/").content.decode()
    assert 'data-color="red"' in html and "#d9363e" in html and "#f472b6" in html
    assert 'data-testid="legend"' in html


def test_chosen_columns_are_remembered(people: dict[str, object], worker: Client) -> None:
    response = worker.get("/people/", {"cols_sent": "1", "cols": ["name", "phone"]})
    assert [key for key, _label in response.context["columns"]] == ["name", "phone"]
    html = response.content.decode()
    assert "138****1108" in html and str(people["zhang"].id_number_masked) not in html  # type: ignore[attr-defined]
    later = worker.get("/people/")
    assert [key for key, _label in later.context["columns"]] == ["name", "phone"]


def test_unverified_panel_counts_per_grid(people: dict[str, object], worker: Client) -> None:
    response = worker.get("/people/", {"unverified": "1"})
    rows = response.context["unverified"]
    assert [(region.name, entered, claimed) for region, entered, claimed in rows] == [("第一网格", 3, 0)]


def test_sensitive_tags_stay_invisible_without_the_permission(people: dict[str, object], worker: Client) -> None:
    correction = Tag.objects.get(code="community_correction")
    html = worker.get("/people/").content.decode()
    assert correction.name not in html
    assert listed(worker.get("/people/", {"tag": correction.pk})) == {"张三", "李四", "王五"}  # not a choice: ignored
    card = worker.get(f"/people/{people['li'].pk}/").content.decode()  # type: ignore[attr-defined]
    assert correction.name not in card and correction.code not in card  # nor in the change history


def test_list_query_count_does_not_grow_with_rows(
    tree: Tree, people: dict[str, object], worker: Client, django_assert_max_num_queries: Callable[..., object]
) -> None:
    tag = Tag.objects.get(code="living_alone_elderly")
    for n in range(40):
        person = services.person_create(actor=None, region=tree.grid_a1, name=f"测试{n}")
        services.household_create(actor=None, region=tree.grid_a1, number=f"X{n}", head=person)
        services.tag_add(actor=None, person=person, tag=tag)
    with django_assert_max_num_queries(19):  # type: ignore[operator]  # session, user, perms, scope, count, page, 3 prefetches, filter choices, my exports
        response = worker.get("/people/")
    assert len(response.context["people"]) == 43


# --- export -------------------------------------------------------------------------------------------


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/sharedStrings.xml").decode()


def test_export_is_masked_scoped_and_audited(people: dict[str, object], worker: Client) -> None:
    response = worker.get("/people/export.xlsx", {"q": "zs"})
    assert response.status_code == 200
    text = _xlsx_text(response.content)
    zhang = people["zhang"]
    assert "姓名" in text and "证件号码" in text and "与户主关系" in text
    assert zhang.id_number_masked in text and str(people["zhang_id"]) not in text  # type: ignore[attr-defined]
    assert "13871501108" not in text
    everyone = _xlsx_text(worker.get("/people/export.xlsx").content)
    assert "李四" in everyone and "赵六" not in everyone
    event = AuditEvent.objects.filter(action="export.people").order_by("id").first()
    assert event is not None and '"rows": 1' in event.detail and '"q": "z* #' in event.detail


def test_export_gives_full_numbers_to_those_who_may_reveal(
    people: dict[str, object], worker: Client, make_user: Callable[..., User]
) -> None:
    revealer = _grant(worker, make_user, "core.reveal_sensitive")
    text = _xlsx_text(revealer.get("/people/export.xlsx", {"q": "zs"}).content)
    assert str(people["zhang_id"]) in text and "13871501108" in text


# --- create and edit ----------------------------------------------------------------------------------


def _person_post(tree: Tree, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "region": tree.grid_a1.pk,
        "name": "孙七",
        "doc_type": "citizen_id",
        "residency": "registered",
        "form_token": "",
    }
    data.update(overrides)
    return data


def test_create_registers_a_person_and_redirects(tree: Tree, worker: Client, new_id) -> None:  # type: ignore[no-untyped-def]
    number = new_id(date(1970, 2, 3), "F")
    response = worker.post("/people/new/", _person_post(tree, id_number=number, phone="13800001234"))
    person = Person.all_objects.get(name="孙七")
    assert response.status_code == 302 and response.url == f"/people/{person.pk}/"
    assert person.gender == "F" and person.birth_date == date(1970, 2, 3) and person.phone_masked == "138****1234"


def test_duplicate_id_shows_a_link_to_the_existing_person(
    tree: Tree, people: dict[str, object], worker: Client
) -> None:
    response = worker.post("/people/new/", _person_post(tree, id_number=people["zhang_id"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="duplicate-link"' in html and f"/people/{people['zhang'].pk}/" in html  # type: ignore[attr-defined]
    assert Person.all_objects.filter(name="孙七").count() == 0


def test_the_same_form_sent_twice_creates_one_person(tree: Tree, worker: Client) -> None:
    form = worker.get("/people/new/").context["form"]
    data = _person_post(tree, form_token=form.initial["form_token"])
    first = worker.post("/people/new/", data)
    second = worker.post("/people/new/", data)
    assert Person.all_objects.filter(name="孙七").count() == 1
    assert first.url == second.url


def test_a_grid_outside_the_scope_cannot_be_chosen(tree: Tree, worker: Client) -> None:
    response = worker.post("/people/new/", _person_post(tree, region=tree.grid_b1.pk))
    assert response.status_code == 200 and response.context["form"].errors["region"]
    assert not Person.all_objects.filter(name="孙七").exists()


def test_service_errors_appear_on_the_form(tree: Tree, worker: Client, new_id) -> None:  # type: ignore[no-untyped-def]
    number = new_id(date(1970, 2, 3), "F")
    response = worker.post("/people/new/", _person_post(tree, id_number=number, gender="M"))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Person.all_objects.filter(name="孙七").exists()


def test_edit_keeps_the_change_in_the_history(people: dict[str, object], worker: Client) -> None:
    li = people["li"]
    response = worker.get(f"/people/{li.pk}/edit/")  # type: ignore[attr-defined]
    data = {k: v for k, v in response.context["form"].initial.items() if v not in (None, "")}
    data.update(occupation="教师", birth_date="1990-06-01", residency="registered", doc_type="citizen_id")
    response = worker.post(f"/people/{li.pk}/edit/", data)  # type: ignore[attr-defined]
    assert response.status_code == 302
    change = HistoryEntry.objects.filter(object_id=li.pk, action="update").get()  # type: ignore[attr-defined]
    assert change.changes == {"occupation": ["", "教师"]}
    card = worker.get(f"/people/{li.pk}/").content.decode()  # type: ignore[attr-defined]
    assert "教师" in card and 'data-testid="history"' in card


# --- card: reveal, claim, verify, tags, delete, merge ----------------------------------------------


def test_card_shows_masked_numbers_and_household(people: dict[str, object], worker: Client) -> None:
    zhang = people["zhang"]
    html = worker.get(f"/people/{zhang.pk}/").content.decode()  # type: ignore[attr-defined]
    assert zhang.id_number_masked in html and str(people["zhang_id"]) not in html  # type: ignore[attr-defined]
    assert "H1" in html and 'name="field"' not in html


def test_reveal_needs_permission_and_a_reason_and_is_audited(
    people: dict[str, object], worker: Client, make_user: Callable[..., User]
) -> None:
    zhang = people["zhang"]
    url = f"/people/{zhang.pk}/reveal/"  # type: ignore[attr-defined]
    assert worker.post(url, {"field": "id_number", "reason": "核对低保"}).status_code == 403
    revealer = _grant(worker, make_user, "core.reveal_sensitive")
    assert 'name="field"' in revealer.get(f"/people/{zhang.pk}/").content.decode()  # type: ignore[attr-defined]
    refused = revealer.post(url, {"field": "id_number", "reason": ""}, headers={"HX-Request": "true"})
    assert str(people["zhang_id"]) not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="reveal.id_number").exists()
    shown = revealer.post(url, {"field": "id_number", "reason": "核对低保"}, headers={"HX-Request": "true"})
    assert str(people["zhang_id"]) in shown.content.decode() and "<html" not in shown.content.decode()
    event = AuditEvent.objects.get(action="reveal.id_number")
    assert "核对低保" in event.detail and event.username == revealer.user.username  # type: ignore[attr-defined]
    without_js = revealer.post(url, {"field": "phone", "reason": "联系家属"})
    assert without_js.status_code == 200 and "13871501108" in without_js.content.decode()
    assert AuditEvent.objects.filter(action="reveal.phone").count() == 1


def test_claim_then_verify(people: dict[str, object], worker: Client) -> None:
    li = people["li"]
    assert worker.post(f"/people/{li.pk}/claim/").status_code == 302  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=li.pk).source_state == "claimed"  # type: ignore[attr-defined]
    worker.post(f"/people/{li.pk}/claim/")  # type: ignore[attr-defined]
    assert HistoryEntry.objects.filter(object_id=li.pk, action="claim").count() == 1  # type: ignore[attr-defined]
    worker.post(f"/people/{li.pk}/verify/")  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=li.pk).source_state == "verified"  # type: ignore[attr-defined]
    assert worker.get(f"/people/{li.pk}/claim/").status_code == 405  # type: ignore[attr-defined]


def test_tags_are_added_and_ended(people: dict[str, object], worker: Client) -> None:
    wang = people["wang"]
    children = Tag.objects.filter(is_sensitive=False).exclude(code="living_alone_elderly").first()
    assert children is not None
    worker.post(f"/people/{wang.pk}/tags/add/", {"tag": children.pk, "attention": "medium", "source_state": "entered"})  # type: ignore[attr-defined]
    person_tag = PersonTag.objects.get(person=wang, tag=children)
    assert person_tag.attention == "medium"
    worker.post(f"/people/{wang.pk}/tags/{person_tag.pk}/end/")  # type: ignore[attr-defined]
    person_tag.refresh_from_db()
    assert person_tag.ended_on is not None
    html = worker.get(f"/people/{wang.pk}/").content.decode()  # type: ignore[attr-defined]
    assert children.name in html  # ended tags stay on the card


def test_a_sensitive_tag_cannot_be_added_without_the_permission(people: dict[str, object], worker: Client) -> None:
    wang = people["wang"]
    correction = Tag.objects.get(code="community_correction")
    worker.post(
        f"/people/{wang.pk}/tags/add/", {"tag": correction.pk, "attention": "normal", "source_state": "entered"}
    )  # type: ignore[attr-defined]
    assert not PersonTag.objects.filter(person=wang, tag=correction).exists()


def test_delete_needs_a_reason_and_can_be_restored(people: dict[str, object], worker: Client) -> None:
    wang = people["wang"]
    worker.post(f"/people/{wang.pk}/delete/", {"reason": ""})  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=wang.pk).deleted_at is None  # type: ignore[attr-defined]
    worker.post(f"/people/{wang.pk}/delete/", {"reason": "搬离本市"})  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=wang.pk).deleted_at is not None  # type: ignore[attr-defined]
    assert "王五" not in listed(worker.get("/people/"))
    assert 'data-testid="deleted"' in worker.get(f"/people/{wang.pk}/").content.decode()  # type: ignore[attr-defined]
    worker.post(f"/people/{wang.pk}/restore/")  # type: ignore[attr-defined]
    assert "王五" in listed(worker.get("/people/"))


def test_merge_a_duplicate_found_by_search(tree: Tree, people: dict[str, object], worker: Client) -> None:
    zhang = people["zhang"]
    duplicate = services.person_create(actor=None, region=tree.grid_a1, name="张叁", occupation="退休")
    response = worker.get(f"/people/{zhang.pk}/merge/", {"q": "张叁"})  # type: ignore[attr-defined]
    assert [p.pk for p in response.context["candidates"]] == [duplicate.pk]
    response = worker.post(f"/people/{zhang.pk}/merge/", {"person": duplicate.pk})  # type: ignore[attr-defined]
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == zhang.pk  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=zhang.pk).occupation == "退休"  # type: ignore[attr-defined]


def test_a_person_of_another_grid_is_not_found(people: dict[str, object], worker: Client) -> None:
    other = people["other"]
    assert worker.get(f"/people/{other.pk}/").status_code == 404  # type: ignore[attr-defined]
    assert worker.get(f"/people/{other.pk}/edit/").status_code == 404  # type: ignore[attr-defined]
    assert worker.post(f"/people/{other.pk}/claim/").status_code == 404  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=other.pk).source_state == "entered"  # type: ignore[attr-defined]
    household = services.household_create(actor=None, region=other.region, number="B1", head=other)  # type: ignore[attr-defined]
    assert worker.get(f"/people/households/{household.pk}/").status_code == 404


# --- households ------------------------------------------------------------------------------------------


def test_household_page_adds_a_member_and_changes_the_head(people: dict[str, object], worker: Client) -> None:
    household: Household = people["household"]  # type: ignore[assignment]
    li = people["li"]
    url = f"/people/households/{household.pk}/"
    response = worker.get(url, {"q": "ls"})
    assert [p.name for p in response.context["candidates"]] == ["李四"]
    worker.post(f"{url}members/add/", {"person": li.pk, "relation": "20"})  # type: ignore[attr-defined]
    assert Membership.objects.get(person=li, ended_on__isnull=True).household_id == household.pk
    worker.post(f"{url}head/", {"person": li.pk})  # type: ignore[attr-defined]
    household.refresh_from_db()
    assert household.head_id == li.pk  # type: ignore[attr-defined]
    assert Person.all_objects.get(pk=li.pk).identity_color == "red"  # type: ignore[attr-defined]
    html = worker.get(url).content.decode()
    assert "李四" in html and "张三" in html


def test_a_household_is_created_from_the_person_card(people: dict[str, object], worker: Client) -> None:
    wang = people["wang"]
    response = worker.post(f"/people/{wang.pk}/household/new/", {"number": "T9", "kind": HouseholdKind.TENANT})  # type: ignore[attr-defined]
    household = Household.all_objects.get(number="T9")
    assert response.url == f"/people/households/{household.pk}/"
    assert household.head_id == wang.pk and Person.all_objects.get(pk=wang.pk).identity_color == "pink"  # type: ignore[attr-defined]
    again = worker.post(f"/people/{wang.pk}/household/new/", {"number": "H1", "kind": "local"})  # type: ignore[attr-defined]
    assert again.status_code == 200 and again.context["form"].non_field_errors()


# --- the person form for a grid worker ---------------------------------------------------------------


def test_the_person_form_says_姓名_and_preselects_the_workers_only_grid(
    tree: Tree, worker: Client, client_for: Callable[..., Client]
) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        response = worker.get(reverse("people:create"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        form = response.context["form"]
        assert str(form["name"].label) == "姓名"
    assert form.initial["region"] == tree.grid_a1  # grid_a1 has a micro-grid too: still one grid
    regions = [str(c[1]).strip("　") for c in form.fields["region"].choices]
    assert regions == ["---------", "第一网格", "福源小区"]
    staff = client_for(Role.COMMUNITY_STAFF)  # two grids: nothing preselected
    assert staff.get(reverse("people:create")).context["form"].initial.get("region") is None


def test_region_pickers_sort_grids_naturally(tree: Tree, client_for: Callable[..., Client]) -> None:
    from wangge.regions.services import region_create

    for name in ("第10网格", "第3网格"):
        region_create(actor=None, parent=tree.community_a, name=name)
    staff = client_for(Role.COMMUNITY_STAFF)
    choices = [
        str(c[1]).strip("　") for c in staff.get(reverse("people:create")).context["form"].fields["region"].choices
    ]
    assert choices == ["---------", "第一网格", "福源小区", "第二网格", "第3网格", "第10网格"]

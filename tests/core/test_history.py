"""Registry history (wangge/core/history.py): any registry record's changes, kept and read in one place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Tree, sign_in
from wangge.core import history
from wangge.core.models import HistoryEntry, User
from wangge.people import services as people
from wangge.places import services as places


@pytest.fixture
def worker(make_user: Any) -> User:
    return make_user("grid_worker")  # type: ignore[no-any-return]


def test_a_record_and_its_history_name_it_by_its_model_label(tree: Tree, worker: User) -> None:
    person = people.person_create(actor=worker, region=tree.grid_a1, name="张三")
    house = places.house_create(actor=worker, region=tree.grid_a1, number="", address="幸福路1号")

    history.record(obj=person, actor=worker, action="verify", changes={"source_state": ["entered", "verified"]})

    assert [e.action for e in history.for_object(person)] == ["verify", "create"]
    assert {e.object_type for e in history.for_object(person)} == {"people.person"}
    assert [e.object_type for e in history.for_object(house)] == ["places.house"]


def test_a_long_source_is_cut_to_what_the_column_holds(tree: Tree, worker: User) -> None:
    person = people.person_create(actor=worker, region=tree.grid_a1, name="李四")
    made = history.record(obj=person, actor=worker, action="import", changes={}, source="台" * 300)
    made.refresh_from_db()
    assert made.source == "台" * history.SOURCE_MAX


def test_the_newest_change_comes_first_and_reads_in_one_query(
    tree: Tree, worker: User, django_assert_num_queries: Any
) -> None:
    person = people.person_create(actor=worker, region=tree.grid_a1, name="王五")
    earlier = timezone.now() - timedelta(days=3)
    history.record(obj=person, actor=None, action="tag", changes={"tag": [None, "elderly"]}, at=earlier)

    with django_assert_num_queries(1):
        entries = [(e.action, e.actor) for e in history.for_object(person)]

    assert entries == [("create", worker), ("tag", None)]


def test_a_merged_duplicates_history_follows_the_record_kept(tree: Tree, worker: User) -> None:
    keep = people.person_create(actor=worker, region=tree.grid_a1, name="赵六")
    duplicate = people.person_create(actor=worker, region=tree.grid_a1, name="赵六")
    house = places.house_create(actor=worker, region=tree.grid_a1, number="", address="幸福路2号")
    HistoryEntry.objects.filter(object_type="places.house", object_id=house.pk).update(object_id=duplicate.pk)

    moved = history.move(model=type(keep), from_id=duplicate.pk, to_id=keep.pk)

    assert moved == 1
    assert [e.action for e in history.for_object(keep)] == ["create", "create"]
    # the house's entry carries the same id but is not a person's: it stays
    assert HistoryEntry.objects.filter(object_type="places.house", object_id=duplicate.pk).count() == 1


def test_shown_gives_labels_and_readable_values_old_to_new(tree: Tree, worker: User) -> None:
    person = people.person_create(actor=worker, region=tree.grid_a1, name="钱七")
    history.record(obj=person, actor=worker, action="update", changes={"gender": ["M", "F"], "note": "only new"})

    rows = history.shown(
        history.for_object(person)[:1],
        actions={"update": "修改"},
        label=str.upper,
        value=lambda name, value: {"M": "男", "F": "女"}.get(value, value),
    )

    (entry, action, fields) = rows[0]
    assert entry.action == "update" and action == "修改"
    assert sorted(fields) == [("GENDER", "男", "女"), ("NOTE", None, "only new")]  # (PostgreSQL orders JSON keys)


def test_the_person_and_house_pages_show_their_history(tree: Tree, worker: User) -> None:
    person = people.person_create(actor=worker, region=tree.grid_a1, name="孙八")
    house = places.house_create(actor=worker, region=tree.grid_a1, number="101", address="幸福路3号")
    client = sign_in(Client(), worker)

    person_history = _history_table(client.get(reverse("people:detail", args=[person.pk])).content.decode())
    house_history = _history_table(client.get(reverse("places:house", args=[house.pk])).content.decode())

    assert str(worker) in person_history and "孙八" in person_history
    assert str(worker) in house_history and "101" in house_history


def _history_table(page: str) -> str:
    return page.split('data-testid="history"', 1)[1].split("</table>", 1)[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_migrations")
def test_the_migration_moves_every_row_of_the_old_table_and_back() -> None:
    """people.Change → core.HistoryEntry (people 0014), and back again when migrated backwards."""
    before = [("people", "0013_person_domicile")]
    after = [("people", "0015_delete_change")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    change = old_apps.get_model("people", "Change")
    at = timezone.now()
    for pk, kind in ((7, "person"), (8, "household"), (9, "house")):
        change.objects.create(id=pk, object_type=kind, object_id=pk * 10, at=at, action="import", changes={"n": pk})
    change.objects.create(id=10, object_type="person", object_id=70, at=at, action="update", source="台账.xlsx")

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    moved = list(HistoryEntry.objects.order_by("id").values_list("id", "object_type", "object_id", "changes", "source"))
    assert moved == [
        (7, "people.person", 70, {"n": 7}, ""),
        (8, "people.household", 80, {"n": 8}, ""),
        (9, "places.house", 90, {"n": 9}, ""),
        (10, "people.person", 70, {}, "台账.xlsx"),
    ]
    assert HistoryEntry.objects.create(object_type="people.person", object_id=1, action="x").pk > 10  # sequence moved
    HistoryEntry.objects.filter(pk__gt=10).delete()

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("people", "Change")
    assert list(back.objects.order_by("id").values_list("id", "object_type")) == [
        (7, "person"),
        (8, "household"),
        (9, "house"),
        (10, "person"),
    ]
    assert not HistoryEntry.objects.filter(object_type__startswith="people.").exists()
    MigrationExecutor(connection).migrate(after)

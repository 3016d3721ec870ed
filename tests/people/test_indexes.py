"""The person table carries the indexes the search needs and no pattern indexes, which it never uses."""

import re

import pytest
from django.db import connection

from wangge.core.migration_ops import DropColumnIndexes, DropPatternIndexes
from wangge.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="varchar_pattern_ops indexes exist on PostgreSQL only")
def test_searched_columns_have_their_ordinary_index_and_no_pattern_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'people_person'")
        names = {name for (name,) in cursor.fetchall()}
    like = {name for name in names if name.endswith("_like")}
    for column in (
        "id_hash",
        "id_tail4",
        "id_tail6",
        "phone_hash",
        "phone_tail4",
        "residency",
        "identity_color",
        "source_state",
        # a prefix of a name, its pinyin or initials is a range on the ordinary index (`prefix_q`)
        "name",
        "former_name",
        "name_initials",
    ):
        own = re.compile(f"people_person_{column}_[0-9a-f]{{8}}")
        assert not any(own.fullmatch(name.removesuffix("_like")) for name in like), column
        assert any(own.fullmatch(name) for name in names - like), column


def _index_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in found.values() if c["index"] and not c["primary_key"]]


def test_no_single_column_index_beside_a_composite_that_begins_with_it() -> None:
    """`name_pinyin`, the person's grid and the tag's tag are served by the composite indexes alone."""
    person = _index_columns("people_person")
    assert ["name_pinyin", "name_initials"] in person
    assert ["region_id", "deleted_at"] in person
    assert ["name_pinyin"] not in person
    assert ["region_id"] not in person
    tags = _index_columns("people_persontag")
    assert ["tag_id", "ended_on"] in tags
    assert ["tag_id"] not in tags
    assert ["id_hash"] in person  # the partial unique index does not serve searches that include deleted people


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in found.items() if c["index"]}


def test_the_rarely_set_foreign_keys_have_partial_indexes_only() -> None:
    names = _index_names("people_person")
    for column in ("claimed_by", "verified_by", "merged_into"):
        assert f"person_{column}_idx" in names
        assert [c for c in _index_columns("people_person") if c == [f"{column}_id"]] == [[f"{column}_id"]]


def _run(apply: bool, operation: DropColumnIndexes) -> None:
    """The operation's SQL, run in the test's transaction (SQLite's schema editor refuses to open inside one)."""
    editor = connection.schema_editor(collect_sql=True)
    if apply:
        operation.database_forwards("people", editor, None, None)
    else:
        operation.database_backwards("people", editor, None, None)
    with connection.cursor() as cursor:
        for sql in editor.collected_sql:
            cursor.execute(sql)


def test_the_column_index_operation_drops_and_restores_them() -> None:
    operation = DropColumnIndexes("people_persontag", ["tag_id"])
    _run(False, operation)  # unapplying the migration
    assert ["tag_id"] in _index_columns("people_persontag")
    _run(True, operation)
    _run(True, operation)  # IF EXISTS: applying twice is harmless
    assert ["tag_id"] not in _index_columns("people_persontag")
    assert DropColumnIndexes(**operation.deconstruct()[2]).columns == ("tag_id",)


def _like_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'people_person' AND indexname LIKE '%%_like'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="varchar_pattern_ops indexes exist on PostgreSQL only")
def test_the_pattern_index_operation_drops_and_restores_them() -> None:
    operation = DropPatternIndexes("people_person", ["name", "former_name"])
    assert _like_indexes() == set()
    with connection.schema_editor() as editor:
        operation.database_backwards("people", editor, None, None)  # unapplying the migration
    assert {name.split("_like")[0].rsplit("_", 1)[0] for name in _like_indexes()} == {
        "people_person_name",
        "people_person_former_name",
    }
    with connection.schema_editor() as editor:
        operation.database_forwards("people", editor, None, None)
    assert _like_indexes() == set()
    assert DropPatternIndexes(**operation.deconstruct()[2]).columns == ("name", "former_name")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
def test_the_pattern_index_operation_does_nothing_elsewhere() -> None:
    operation = DropPatternIndexes("people_person", ["name"])
    editor = connection.schema_editor(collect_sql=True)
    operation.database_forwards("people", editor, None, None)
    operation.database_backwards("people", editor, None, None)
    assert editor.collected_sql == []


def test_lookups_by_a_rarely_set_foreign_key_use_its_partial_index() -> None:
    """`= ?` and `IN (…)` imply IS NOT NULL: both databases see that the partial index holds every match."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # the test's tables are tiny: scanning would win
    people = Person.all_objects
    for query, index in (
        (people.filter(claimed_by_id=1), "person_claimed_by_idx"),
        (people.filter(verified_by_id__in=[1, 2]), "person_verified_by_idx"),
        (people.filter(merged_into_id=1), "person_merged_into_idx"),
    ):
        assert index in query.explain(), query.explain()

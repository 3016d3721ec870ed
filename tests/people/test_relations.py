"""GB/T 4761-2008 relations: the whole code table, the words ledgers use, and relations towards a new head."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.utils import translation

from tests.conftest import Tree
from wangge.core.models import HistoryEntry, User
from wangge.core.roles import Role
from wangge.ledgers.people_schema import CHILD_BY_GENDER, code_names
from wangge.people import relations, services
from wangge.people.choices import Gender, Relation
from wangge.people.models import Membership

M, F = Gender.MALE, Gender.FEMALE
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "gbt4761-2008.tsv"


def test_every_code_of_the_standard_with_its_name() -> None:
    standard = relations.standard_names()
    assert len(standard) == 84
    assert sorted(Relation.values) == sorted(standard)
    with translation.override("zh-hans"):
        assert {m.value: str(m.label) for m in Relation} == standard
    assert standard["28"] == "女婿" and standard["38"] == "儿媳"


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference is not beside this checkout")
def test_the_shipped_table_is_the_reference_table() -> None:
    assert relations.DATA.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("儿子", "20"),
        ("女儿", "30"),
        ("长子", "22"),
        ("次女", "33"),
        ("儿媳", "38"),
        ("女婿", "28"),
        ("孙子", "41"),
        ("孙女", "42"),
        ("外孙", "43"),
        ("孙子女", "40"),
        ("父亲", "51"),
        ("母亲", "52"),
        ("岳父", "55"),
        ("公公", "53"),
        ("兄弟", "70"),
        ("姐妹", "70"),
        ("本人", "02"),
        ("户主本人", "02"),
        ("户主", "02"),
        ("其他亲属", "97"),
        ("非亲属", "99"),
        ("保姆", "99"),
        ("侄子", "93"),
        ("外甥女", "96"),
        ("孙子、孙女或外孙子、外孙女", "40"),
        ("养子或继子", "27"),
        ("子女", CHILD_BY_GENDER),
    ],
)
def test_words_of_real_ledgers(word: str, code: str) -> None:
    assert code_names(Relation)[word] == code


def test_child_word_takes_the_gender() -> None:
    assert (relations.child_of_gender(M), relations.child_of_gender(F)) == ("20", "30")


@pytest.mark.parametrize(
    ("relation", "gender", "is_older", "expected"),
    [
        ("12", M, None, "11"),  # she is his wife: he is her husband
        ("22", F, None, "52"),  # eldest son: the head is his mother
        ("38", M, None, "53"),  # daughter-in-law: the head is her husband's father
        ("28", F, None, "56"),  # son-in-law: the head is his wife's mother
        ("43", M, None, "63"),  # daughter's son: maternal grandfather
        ("51", F, None, "30"),  # father: the head is his daughter
        ("53", F, None, "38"),  # husband's father: the head is his daughter-in-law
        ("70", M, True, "71"),  # sibling, the head older and male: elder brother
        ("70", F, False, "77"),
        ("70", F, None, "70"),
        ("71", F, None, "77"),  # elder brother: the head is his younger sister
        ("72", M, None, "97"),  # no code for the other side
        ("99", F, None, "99"),
    ],
)
def test_reverse(relation: str, gender: str, is_older: bool | None, expected: str) -> None:
    assert relations.reverse(relation, gender=gender, is_older=is_older) == expected


@pytest.mark.parametrize(
    ("relation", "new_head", "gender", "old_head_gender", "kw", "expected"),
    [
        # The wife takes over: children stay, his parents become her husband's parents, hers become parents.
        ("20", "12", M, M, {}, "20"),
        ("51", "12", M, M, {}, "53"),
        ("52", "12", F, M, {}, "54"),
        ("55", "12", M, M, {}, "51"),
        # The son takes over: his mother, his brother, his wife, his child, his grandparents, his uncle.
        ("12", "22", F, M, {}, "52"),
        ("23", "22", M, M, {"is_older_than_new_head": False}, "73"),
        ("38", "22", F, M, {"spouse_of_new_head": True}, "12"),
        ("38", "22", F, M, {}, "97"),
        ("41", "20", F, M, {"child_of_new_head": True}, "30"),
        ("41", "20", F, M, {}, "97"),
        ("51", "20", M, M, {}, "61"),
        ("51", "30", M, F, {}, "63"),
        ("71", "20", M, M, {}, "81"),
        ("75", "20", F, F, {}, "88"),
        # A parent takes over: the old head's wife is a daughter-in-law, his children grandchildren.
        ("12", "51", F, M, {}, "38"),
        ("20", "52", M, M, {}, "41"),
        ("30", "52", F, F, {}, "44"),
        ("52", "51", F, M, {"spouse_of_new_head": True}, "12"),
        ("99", "20", M, M, {}, "99"),
    ],
)
def test_towards_new_head(
    relation: str, new_head: str, gender: str, old_head_gender: str, kw: dict, expected: str
) -> None:  # type: ignore[type-arg]
    result = relations.towards_new_head(
        relation, new_head=new_head, gender=gender, old_head_gender=old_head_gender, **kw
    )
    assert result == expected


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)


def test_a_son_takes_over_and_every_relation_is_restated(tree: Tree, worker: User) -> None:
    def person(name: str, gender: str, born: date):  # type: ignore[no-untyped-def]
        return services.person_create(actor=worker, region=tree.grid_a1, name=name, gender=gender, birth_date=born)

    father = person("王建国", M, date(1950, 1, 1))
    mother = person("李秀英", F, date(1952, 1, 1))
    son = person("王强", M, date(1975, 1, 1))
    daughter = person("王芳", F, date(1978, 1, 1))
    wife = person("张丽", F, date(1976, 1, 1))
    grandson = person("王小明", M, date(2003, 1, 1))
    home = services.household_create(actor=worker, region=tree.grid_a1, number="H1", head=father)
    for member, relation in [(mother, "12"), (son, "20"), (daughter, "30"), (wife, "38"), (grandson, "41")]:
        services.household_add_member(actor=worker, household=home, person=member, relation=relation)

    services.household_set_head(actor=worker, household=home, person=son)

    now = dict(Membership.objects.filter(household=home, ended_on__isnull=True).values_list("person__name", "relation"))
    assert now == {"王强": "02", "王建国": "51", "李秀英": "52", "王芳": "77", "张丽": "12", "王小明": "20"}
    change = HistoryEntry.objects.get(object_type="people.person", object_id=wife.pk, action="relation")
    assert change.changes == {"relation": ["38", "12"]}


def test_self_is_stored_as_the_head(tree: Tree, worker: User) -> None:
    alone = services.person_create(actor=worker, region=tree.grid_a1, name="独居")
    first = services.person_create(actor=worker, region=tree.grid_a1, name="甲")
    home = services.household_create(actor=worker, region=tree.grid_a1, number="H9", head=first)
    services.household_set_head(actor=worker, household=home, person=first)
    other = services.household_create(actor=worker, region=tree.grid_a1, number="H8", head=alone)
    assert Membership.objects.get(household=other, person=alone).relation == Relation.HEAD


class _AppsWithHistoryAsChange:
    """The models as 0012 saw them, on today's tables: the history it swapped (people.Change then) is core's now."""

    def get_model(self, app_label: str, model_name: str) -> Any:
        if (app_label, model_name) == ("people", "Change"):
            return HistoryEntry
        return global_apps.get_model(app_label, model_name)


def test_the_migration_swaps_son_and_daughter_in_law(tree: Tree, worker: User) -> None:
    migration = importlib.import_module("wangge.people.migrations.0012_swap_son_and_daughter_in_law_codes")
    head, dil, sil = (
        services.person_create(actor=worker, region=tree.grid_a1, name=n) for n in ("户主", "儿媳", "女婿")
    )
    home = services.household_create(actor=worker, region=tree.grid_a1, number="H1", head=head)
    # As the registry stored them before 0011: 儿媳 28, 女婿 38.
    Membership.objects.create(household=home, person=dil, relation="28", started_on=date(2020, 1, 1))
    Membership.objects.create(household=home, person=sil, relation="38", started_on=date(2020, 1, 1))
    HistoryEntry.objects.create(
        object_type="people.person", object_id=dil.pk, action="move", changes={"relation": [None, "28"]}
    )

    migration.swap(_AppsWithHistoryAsChange(), None)

    assert dict(Membership.objects.values_list("person__name", "relation")) == {
        "户主": "02",
        "儿媳": "38",
        "女婿": "28",
    }
    assert HistoryEntry.objects.get(object_id=dil.pk, action="move").changes == {"relation": [None, "38"]}
    migration.swap(_AppsWithHistoryAsChange(), None)  # the reverse is the same swap
    assert Membership.objects.get(person=dil).relation == "28"

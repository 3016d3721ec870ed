"""The demo's and the benchmarks' made-up households written in bulk (never used in production).

`person_row` and `write_households` turn `wangge.people.fake`'s households into rows with a few
bulk inserts, computing exactly what the services compute one person at a time (encryption, keyed
hashes, masks, pinyin keys, 红粉白 colours), so tens of thousands of people load in seconds. They
write no history or audit rows: the caller records one summary for the whole load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from wangge.core.bulk import reserve_ids
from wangge.core.idcard import DocumentType
from wangge.core.pinyin import name_keys
from wangge.people.choices import (
    IdentityColor,
    SourceState,
    identity_color,
)
from wangge.people.fake import FakeHousehold
from wangge.people.models import Household, Membership, Person, PersonTag, Residence, Tag
from wangge.people.services import identity_columns, phone_columns

_PLAIN = (
    "gender",
    "birth_date",
    "residency",
    "ethnicity",
    "political_status",
    "education",
    "marital_status",
    "occupation",
    "work_unit",
    "health_status",
    "disability_type",
    "disability_grade",
    "is_party_member",
    "is_volunteer",
    "is_veteran",
    "moved_in_on",
    "source_state",
)


def person_row(
    *,
    region_id: int,
    name: str,
    id_number: str = "",
    phone: str = "",
    identity_color: str = IdentityColor.WHITE,
    **fields: Any,
) -> Person:
    """An unsaved `Person` with every derived column filled the way `services.person_create` fills it.

    `id_number` is a valid 18-digit citizen ID (the caller's guarantee: no validation here, that
    is what makes it fast); `gender` and `birth_date` must agree with it.
    """
    person = Person(region_id=region_id, name=name, doc_type=DocumentType.CITIZEN_ID, identity_color=identity_color)
    for key, value in fields.items():
        setattr(person, key, value)
    if id_number:
        for column, value in identity_columns(id_number).items():
            setattr(person, column, value)
    if phone:
        for column, value in phone_columns(phone).items():
            setattr(person, column, value)
    person.name_pinyin, person.name_initials = name_keys(name)
    return person


def _plain_str(value: Any) -> Any:
    return value if value is None or type(value) is str else str(value)


def fast_insert(objs: Sequence[models.Model], *, batch_size: int = 5000) -> None:
    """`bulk_create` without the ORM's per-value overhead: one executemany per batch, primary keys set.

    Values are written as the fields hold them (the rows come from `person_row` and friends, whose
    values are already what the columns take); dates and datetimes go through the backend's adapters.
    Falls back to `bulk_create` on backends other than PostgreSQL and SQLite.
    """
    if not objs:
        return
    model = type(objs[0])
    with transaction.atomic():
        ids = reserve_ids(model, len(objs))
        if ids is None:
            model._base_manager.bulk_create(objs, batch_size=batch_size)
            return
        now = timezone.now()
        ops = connection.ops
        fields = list(model._meta.concrete_fields)
        converters: list[Any] = []
        for f in fields:
            if isinstance(f, models.DateTimeField):
                converters.append(ops.adapt_datetimefield_value)
            elif isinstance(f, models.DateField):
                converters.append(ops.adapt_datefield_value)
            elif isinstance(f, models.DecimalField):
                converters.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
            elif isinstance(f, models.JSONField):
                converters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
            elif isinstance(f, models.CharField | models.TextField):
                converters.append(_plain_str)  # choices enums as their value (psycopg would dump the name)
            else:
                converters.append(None)
        auto_now = [bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields]
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            for f, stamp in zip(fields, auto_now, strict=True):
                if stamp:
                    setattr(obj, f.attname, now)
            obj._state.adding = False
            obj._state.db = connection.alias
        quote = ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        attnames = [f.attname for f in fields]
        plan = list(zip(attnames, converters, strict=True))
        with connection.cursor() as cursor:
            for start in range(0, len(objs), batch_size):
                batch = objs[start : start + batch_size]
                cursor.executemany(
                    sql,
                    [
                        [conv(getattr(o, name)) if conv is not None else getattr(o, name) for name, conv in plan]
                        for o in batch
                    ],
                )


@dataclass
class Placed:
    """A household to write: its grid, number and home (None: no known home)."""

    region_id: int
    number: str
    household: FakeHousehold
    house_id: int | None = None


@dataclass
class WriteResult:
    persons: int = 0
    households: int = 0
    tags: int = 0


def write_households(
    placed: Sequence[Placed],
    *,
    tags: dict[str, Tag] | None = None,
    verifier_id: int | None = None,
    claimer_id: int | None = None,
    batch_size: int = 5000,
    on: date | None = None,
) -> WriteResult:
    """Write households with their people, memberships, homes and tags in a few `bulk_create` calls.

    Needs a database that returns primary keys from bulk inserts (PostgreSQL, SQLite ≥ 3.35).
    """
    on = on or timezone.localdate()
    now = timezone.now()
    tags = tags if tags is not None else {t.code: t for t in Tag.objects.all()}
    rows: list[Person] = []
    for item in placed:
        kind = item.household.kind
        for index, p in enumerate(item.household.members):
            extra: dict[str, Any] = {field: getattr(p, field) for field in _PLAIN}
            if p.source_state == SourceState.VERIFIED:
                extra.update(verified_by_id=verifier_id, verified_at=now, claimed_by_id=verifier_id)
            elif p.source_state == SourceState.CLAIMED:
                extra["claimed_by_id"] = claimer_id
            rows.append(
                person_row(
                    region_id=item.region_id,
                    name=p.name,
                    id_number=p.id_number,
                    phone=p.phone,
                    identity_color=identity_color(is_head=index == 0, household_kind=kind),
                    created_at=now,
                    **extra,
                )
            )
    fast_insert(rows, batch_size=batch_size)
    households = [
        Household(region_id=item.region_id, number=item.number, kind=item.household.kind, house_id=item.house_id)
        for item in placed
    ]
    cursor = 0
    for household, item in zip(households, placed, strict=True):
        household.head_id = rows[cursor].pk
        cursor += len(item.household.members)
    fast_insert(households, batch_size=batch_size)
    memberships: list[Membership] = []
    residences: list[Residence] = []
    person_tags: list[PersonTag] = []
    cursor = 0
    for household, item in zip(households, placed, strict=True):
        for p in item.household.members:
            row = rows[cursor]
            cursor += 1
            started = p.moved_in_on or on
            memberships.append(
                Membership(household_id=household.pk, person_id=row.pk, relation=p.relation, started_on=started)
            )
            if item.house_id is not None:
                residences.append(
                    Residence(person_id=row.pk, house_id=item.house_id, is_default=True, started_on=started)
                )
            for code, attention in p.tags:
                tag = tags.get(code)
                if tag is not None:
                    person_tags.append(
                        PersonTag(
                            person_id=row.pk,
                            tag=tag,
                            attention=attention,
                            started_on=started,
                            source_state=p.source_state,
                            set_by_id=verifier_id,
                            set_at=now,
                        )
                    )
    fast_insert(memberships, batch_size=batch_size)
    fast_insert(residences, batch_size=batch_size)
    fast_insert(person_tags, batch_size=batch_size)
    return WriteResult(persons=len(rows), households=len(households), tags=len(person_tags))

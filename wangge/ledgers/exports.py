"""Exporting lists as ledgers with the columns the importer reads, so a ledger can go out and come back.

Small exports answer at once; over `WANGGE_EXPORT_SYNC_MAX` rows they become an `ExportJob` built
in the background. Text is protected against formula injection (`wangge.core.xlsx`); numbers are
masked unless the user may reveal them; every export writes an audit row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record, mask_typed
from wangge.core.idcard import mask_phone
from wangge.core.jobs import files
from wangge.core.jobs.state import job_move
from wangge.core.memory import full_collections_paused
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.core.xlsx import workbook_bytes
from wangge.ledgers.models import ExportJob
from wangge.ledgers.people_schema import chinese_label, people_schema
from wangge.people import selectors
from wangge.people.choices import (
    DisabilityType,
    Education,
    Gender,
    HealthStatus,
    HouseholdKind,
    MaritalStatus,
    PoliticalStatus,
    Relation,
    Residency,
)
from wangge.people.forms import SORTS, PersonFilterForm
from wangge.people.models import Person
from wangge.people.services import reveal_value
from wangge.regions.selectors import grids_visible

logger = logging.getLogger(__name__)

EXPORT_CAP = 10_000  # rows, for users without the bulk-export permission
EXTRA_HEADERS = ["红粉白", "信息状态"]  # shown in the export, ignored by the importer (derived or workflow state)
COLOURS = {"red": "红", "pink": "粉", "white": "白"}


def people_headers() -> list[str]:
    return [c.header for c in people_schema().columns]


def people_queryset(user: User, query: str) -> tuple[QuerySet[Person], dict[str, str]]:
    """The list the user is looking at (its filters and sort, as in the query string), scoped to them."""
    regions = grids_visible(user=user, with_communities=True)
    form = PersonFilterForm(QueryDict(query), regions=regions, tags=selectors.visible_tags(user=user))
    form.is_valid()
    data = form.cleaned_data
    filters = selectors.PersonFilters(
        q=data.get("q") or "",
        region=data.get("region"),
        tag=data.get("tag"),
        color=data.get("color") or "",
        residency=data.get("residency") or "",
        source_state=data.get("state") or "",
        age_min=data.get("age_min"),
        age_max=data.get("age_max"),
    )
    order = SORTS.get(data.get("sort") or "name", SORTS["name"])[1]
    qs = selectors.with_list_details(
        selectors.people_search(user=user, filters=filters).order_by(*order), user=user
    ).select_related("region")
    described = {k: str(v) for k, v in data.items() if v not in (None, "", []) and k != "cols"}
    if "q" in described:  # what was typed in the search box is kept masked (an ID number, a phone, a name)
        described["q"] = mask_typed(described["q"])
    return qs, described


def _landlord_phone(home: Any, *, full: bool) -> str:
    """A rental's landlord phone, masked like every phone unless the export is in full."""
    phone = home.landlord_phone if home is not None else ""
    return phone if full or not phone else mask_phone(phone)


def _yes(value: bool) -> str:
    return "是" if value else ""


def _label(choices: Any, value: Any) -> Any:
    return value if value in (selectors.HIDDEN, None) else chinese_label(choices, value)


def people_rows(people: Iterable[Person], *, full: bool, health_allowed: bool) -> Iterator[list[Any]]:
    """One ledger row per person, in `people_headers()` order (then 红粉白 and 信息状态).

    Health fields as `selectors.health_values` shows them (the rule of every output).
    """
    for person in people:
        health = selectors.health_values(person, allowed=health_allowed)
        membership = person.current_memberships[0] if person.current_memberships else None  # type: ignore[attr-defined]
        home = person.current_homes[0].house if person.current_homes else None  # type: ignore[attr-defined]
        building = home.building if home is not None else None
        household = membership.household if membership else None
        yield [
            person.name,
            person.former_name,
            chinese_label(Gender, person.gender),
            person.birth_date,
            person.get_ethnicity_display() if person.ethnicity else "",
            person.get_doc_type_display(),
            (reveal_value(person, "id_number") if full else person.id_number_masked),
            (reveal_value(person, "phone") if full else person.phone_masked),
            person.region.name,
            household.number if household else "",
            chinese_label(Relation, membership.relation) if membership else "",
            chinese_label(HouseholdKind, household.kind) if household else "",
            building.compound.name if building is not None and building.compound else "",
            building.name if building is not None else "",
            home.unit if building is not None and home is not None else "",
            home.number if home is not None else "",
            home.address if home is not None and building is None else "",
            chinese_label(Residency, person.residency),
            person.moved_in_on,
            person.moved_out_on,
            "、".join(t.tag.name for t in person.current_tags),  # type: ignore[attr-defined]
            chinese_label(PoliticalStatus, person.political_status),
            chinese_label(Education, person.education),
            chinese_label(MaritalStatus, person.marital_status),
            person.occupation,
            person.work_unit,
            person.domicile,
            (reveal_value(person, "residence_permit") if full else person.residence_permit_masked),
            home.landlord_name if home is not None else "",
            _landlord_phone(home, full=full),
            _label(HealthStatus, health["health_status"]),
            health["vaccination_status"],
            _label(DisabilityType, health["disability_type"]),
            health["disability_grade"] or "",
            _yes(person.is_party_member),
            _yes(person.is_volunteer),
            _yes(person.is_veteran),
            _yes(person.is_deceased),
            person.deceased_on,
            person.notes,
            person.pk,  # 记录编号: the row comes back to this person, even with its numbers masked
            COLOURS.get(person.identity_color, ""),
            person.get_source_state_display(),
        ]


PROGRESS_EVERY = 1000  # rows between two progress reports of a background export

Progress = Callable[[str, int], None]  # (phase "rows" or "file", rows done)


def _reported(rows: Iterator[list[Any]], progress: Progress | None) -> Iterator[list[Any]]:
    done = 0
    for done, row in enumerate(rows, 1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress("rows", done)
        yield row
    if progress is not None:
        progress("file", done)


@full_collections_paused()
def _people_workbook(
    user: User, qs: QuerySet[Person], *, full: bool, progress: Progress | None = None
) -> tuple[bytes, int]:
    people = qs.iterator(chunk_size=2000)
    rows = list(_reported(people_rows(people, full=full, health_allowed=selectors.may_see_health(user)), progress))
    return workbook_bytes(_("People"), people_headers() + EXTRA_HEADERS, rows), len(rows)


def export_people(*, actor: User, query: str) -> tuple[bytes, str] | ExportJob:
    """The user's current list as a ledger now, or as a background job if it is large."""
    qs, described = people_queryset(actor, query)
    capped = not actor.has_perm(Cap.BULK_EXPORT)
    full = actor.has_perm(Cap.REVEAL_SENSITIVE)
    count = qs.count()
    rows = min(count, EXPORT_CAP) if capped else count
    file_name = f"实有人口-{timezone.localdate().isoformat()}.xlsx"
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="export.people",
            object_type="people.person",
            detail={"filters": described, "rows": rows, "full_values": full, "capped": capped and count > rows},
        )
        if rows > settings.WANGGE_EXPORT_SYNC_MAX:
            job = ExportJob.objects.create(
                user=actor, query=query[:2000], file_name=file_name, full_values=full, rows=rows
            )  # `rows`: expected until the file is built, then written
            job_id = str(job.pk)
            transaction.on_commit(lambda: _enqueue(job_id))
            return job
    content, _written = _people_workbook(actor, qs[:EXPORT_CAP] if capped else qs, full=full)
    return content, file_name


def _enqueue(job_id: str) -> None:
    from wangge.ledgers import tasks

    tasks.export_task(job_id)


def run_export(job_id: str) -> ExportJob | None:
    """Worker: build a large export's file."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or not job_move(
        job, from_states=[ExportJob.State.QUEUED], to=ExportJob.State.RUNNING, started_at=timezone.now()
    ):
        return job
    attempt = job.attempts  # queued again meanwhile (this worker thought dead), the file is the new run's to store
    try:
        qs, _described = people_queryset(job.user, job.query)
        if not job.user.has_perm(Cap.BULK_EXPORT):
            qs = qs[:EXPORT_CAP]
        total = job.rows

        def progress(phase: str, done: int) -> None:
            files.set_progress(job.pk, phase=phase, done=done, total=total)

        progress("rows", 0)
        content, rows = _people_workbook(job.user, qs, full=job.full_values, progress=progress)
        if ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING, attempts=attempt).exists():
            files.store(job.pk, "export", content)
    except Exception as exc:
        job_move(
            job,
            from_states=[ExportJob.State.RUNNING],
            attempt=attempt,
            to=ExportJob.State.FAILED,
            message=str(exc)[:500],
            finished_at=timezone.now(),
        )
        raise
    # built: the search text (it may hold an ID number or a name) is not kept beside the file
    job_move(
        job,
        from_states=[ExportJob.State.RUNNING],
        attempt=attempt,
        to=ExportJob.State.DONE,
        rows=rows,
        finished_at=timezone.now(),
        query="",
    )
    job.refresh_from_db()
    return job

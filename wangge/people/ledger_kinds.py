"""The people ledger (人口台账) as a kind of the import engine: the first kind, and the registry's bulk entry.

Its columns, check and write live in `wangge.ledgers.people_schema`, `people_plan` and `people_write`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.ledgers.kinds import Cancelled, LedgerKind, Plan, Progress, ResultItem, register
from wangge.ledgers.models import ImportJob, OnExisting
from wangge.ledgers.people_plan import Plan as PeoplePlan
from wangge.ledgers.people_plan import StoredColumns, plan_dump, plan_load, plan_people, update_lines
from wangge.ledgers.people_schema import people_schema
from wangge.ledgers.people_write import apply_people, summary_audit
from wangge.ledgers.readers import Table
from wangge.ledgers.schema import Header, Schema
from wangge.regions.access import require
from wangge.regions.models import Region
from wangge.regions.selectors import grids_visible


class PeopleKind(LedgerKind):
    key = "people"
    front = True  # the resident ledger is what /ledgers/ opens on
    title = gettext_lazy("Import a people ledger (人口台账)")
    upload_help = gettext_lazy("A grid; or a community, if the file has a 网格 column naming each row's grid.")
    existing_label = gettext_lazy("People already registered (same document number)")
    result_items = (
        ResultItem("created", gettext_lazy("people added")),
        ResultItem("updated", gettext_lazy("people updated")),
        ResultItem("households", gettext_lazy("households added")),
        ResultItem("houses", gettext_lazy("houses added")),
    )
    result_note = gettext_lazy(
        "New records start as “entered”: the grid worker claims and verifies them. The file name is in each record's history."
    )

    def may_import(self, user: User) -> bool:
        return user.has_perm(Cap.EDIT_REGISTRY)

    def check_access(self, actor: User, region: Region) -> None:
        require(actor, Cap.EDIT_REGISTRY, region)

    def regions(self, user: User) -> QuerySet[Region]:
        return grids_visible(user=user, with_communities=True)

    def schema(self) -> Schema:
        return people_schema()

    def plan(
        self,
        *,
        actor: User,
        region: Region,
        table: Table,
        header: Header,
        mapping: Sequence[str],
        progress: Progress | None = None,
    ) -> PeoplePlan:
        return plan_people(
            actor=actor,
            region=region,
            schema=people_schema(),
            table=table,
            header=header,
            mapping=mapping,
            progress=progress,
        )

    @contextmanager
    def prepared(self, plan: Plan) -> Iterator[Callable[[], None]]:
        assert isinstance(plan, PeoplePlan)
        with StoredColumns(plan) as stored:  # encrypting and hashing starts on the other cores
            yield stored.apply

    def dump(self, plan: Plan) -> bytes:
        assert isinstance(plan, PeoplePlan)
        return plan_dump(plan)

    def load(self, blob: bytes, *, actor: User, region: Region) -> PeoplePlan:
        return plan_load(blob, actor=actor, region=region)

    def notes(self, plan: Plan) -> list[tuple[int, str]]:
        assert isinstance(plan, PeoplePlan)
        return plan.notes

    def updates(self, plan: Plan, limit: int) -> list[list[Any]]:
        assert isinstance(plan, PeoplePlan)
        return update_lines(plan, {c.key: c.header for c in people_schema().columns}, limit)

    def refusal(self, job: ImportJob, counts: dict[str, int]) -> str:
        existing = counts.get("update", 0) + counts.get("unchanged", 0)
        if job.on_existing == OnExisting.STOP and existing:
            return _(
                "%(n)d people in the file are already registered. Choose to update or to skip them, or remove them from the file."
            ) % {"n": existing}
        return ""

    def write(
        self, *, actor: User, job: ImportJob, plan: Plan, progress: Progress, cancelled: Cancelled
    ) -> dict[str, Any]:
        assert isinstance(plan, PeoplePlan)
        written = apply_people(
            actor=actor,
            plan=plan,
            source=job.file_name,
            on_existing=job.on_existing,
            progress=progress,
            cancelled=cancelled,
        )
        counts = {"rows": len(plan.rows), **plan.counts}
        summary_audit(actor=actor, job_id=str(job.pk), source=job.file_name, counts=counts, written=written)
        return {
            "created": written.created,
            "updated": written.updated,
            "households": written.households,
            "houses": written.houses,
        }

    def done_link(self, job: ImportJob) -> tuple[str, str]:
        url = f"{reverse('people:list')}?region={job.region_id}&state=entered&sort=updated"
        return url, _("See the imported people")


register(PeopleKind())

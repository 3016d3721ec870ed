"""The kinds of ledger the regions app adds to the import engine: the region tree (and, below, its people on duty)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.jobs import files
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.ledgers.kinds import Cancelled, LedgerKind, Plan, Progress, ResultItem, register
from wangge.ledgers.models import ImportJob, OnExisting
from wangge.ledgers.readers import Table
from wangge.ledgers.schema import Header, Schema
from wangge.regions import boundary_ledger, roster_ledger, tree_ledger
from wangge.regions.access import is_tree_manager, require
from wangge.regions.models import Level, Region
from wangge.regions.selectors import regions_visible


class TreeManagerKind(LedgerKind):
    """What the region app's kinds share: only the system administrator, who manages the tree, imports them."""

    def may_import(self, user: User) -> bool:
        return is_tree_manager(user)

    def check_access(self, actor: User, region: Region) -> None:
        require(actor, Cap.MANAGE_REGIONS, region)
        if not is_tree_manager(actor):
            raise PermissionDenied(_("Only the system administrator imports the region tree."))

    def regions(self, user: User) -> QuerySet[Region]:
        return regions_visible(user=user).filter(is_active=True).exclude(level=Level.MICROGRID).order_by("path")

    def done_link(self, job: ImportJob) -> tuple[str, str]:
        return reverse("regions:detail", args=[job.region_id]), _("See the region tree")


class RegionTreeKind(TreeManagerKind):
    key = "regions"
    title = gettext_lazy("Import the region tree (网格台账)")
    upload_help = gettext_lazy(
        "The region the file's rows go under: its first row may be this region itself, as in its export."
    )
    existing_label = gettext_lazy("Regions already in the tree (same name under the same parent)")
    existing_stop_label = gettext_lazy("Stop: import nothing if any region already exists")
    result_items = (
        ResultItem("created", gettext_lazy("regions added")),
        ResultItem("updated", gettext_lazy("regions updated")),
    )
    result_note = gettext_lazy("Each region added or changed has its own row in the audit trail.")

    def schema(self) -> Schema:
        return tree_ledger.tree_schema()

    def plan(
        self,
        *,
        actor: User,
        region: Region,
        table: Table,
        header: Header,
        mapping: Sequence[str],
        progress: Progress | None = None,
    ) -> tree_ledger.TreePlan:
        return tree_ledger.plan_tree(
            actor=actor,
            region=region,
            schema=self.schema(),
            table=table,
            header=header,
            mapping=mapping,
            progress=progress,
        )

    def refusal(self, job: ImportJob, counts: dict[str, int]) -> str:
        existing = counts.get("update", 0) + counts.get("unchanged", 0)
        if job.on_existing == OnExisting.STOP and existing:
            return _(
                "%(n)d regions in the file are already in the tree. Choose to update or to skip them, or remove them from the file."
            ) % {"n": existing}
        return ""

    def write(
        self, *, actor: User, job: ImportJob, plan: Plan, progress: Progress, cancelled: Cancelled
    ) -> dict[str, Any]:
        assert isinstance(plan, tree_ledger.TreePlan)
        written = tree_ledger.write_tree(
            actor=actor, plan=plan, on_existing=job.on_existing, progress=progress, cancelled=cancelled
        )
        counts = {"rows": len(plan.rows), **plan.counts}
        tree_ledger.summary_audit(actor=actor, job_id=str(job.pk), source=job.file_name, counts=counts, written=written)
        return written


class BoundaryKind(TreeManagerKind):
    """Boundaries from GeoJSON: one feature per region, found by code or name under the region imported into."""

    key = "boundaries"
    title = gettext_lazy("Import boundaries (GeoJSON)")
    upload_help = gettext_lazy("The features' regions are looked for under this region.")
    existing_label = gettext_lazy("Regions that already have another boundary")
    existing_stop_label = gettext_lazy("Stop: import nothing if any region already has another boundary")
    row_label = gettext_lazy("Feature")
    accept = ".geojson,.json"
    file_help = gettext_lazy(
        "A GeoJSON FeatureCollection: each feature a Polygon or MultiPolygon (longitude, latitude) with a name or code property."
    )
    result_items = (
        ResultItem("created", gettext_lazy("boundaries drawn")),
        ResultItem("updated", gettext_lazy("boundaries replaced")),
    )

    def read(self, data: bytes, file_name: str) -> Table:
        return boundary_ledger.read_geojson(data, file_name)

    def schema(self) -> Schema:
        return boundary_ledger.boundary_schema()

    def plan(
        self,
        *,
        actor: User,
        region: Region,
        table: Table,
        header: Header,
        mapping: Sequence[str],
        progress: Progress | None = None,
    ) -> boundary_ledger.BoundaryPlan:
        return boundary_ledger.plan_boundaries(
            region=region, schema=self.schema(), table=table, header=header, mapping=mapping, progress=progress
        )

    def refusal(self, job: ImportJob, counts: dict[str, int]) -> str:
        existing = counts.get("update", 0)
        if job.on_existing == OnExisting.STOP and existing:
            return _("%(n)d regions in the file already have another boundary. Choose to replace or to skip them.") % {
                "n": existing
            }
        return ""

    def write(
        self, *, actor: User, job: ImportJob, plan: Plan, progress: Progress, cancelled: Cancelled
    ) -> dict[str, Any]:
        assert isinstance(plan, boundary_ledger.BoundaryPlan)
        written = boundary_ledger.write_boundaries(
            actor=actor, plan=plan, on_existing=job.on_existing, progress=progress, cancelled=cancelled
        )
        counts = {"rows": len(plan.rows), **plan.counts}
        boundary_ledger.summary_audit(
            actor=actor, job_id=str(job.pk), source=job.file_name, counts=counts, written=written
        )
        return written


class RosterKind(LedgerKind):
    """The people on duty: accounts (with roles, scopes and a one-time password on a slip) and assignments."""

    key = "roster"
    title = gettext_lazy("Import the roster of the people on duty (网格员花名册)")
    upload_help = gettext_lazy("The regions the rows name are looked for under this region.")
    existing_label = gettext_lazy("Duties already held (same region, role and name)")
    existing_stop_label = gettext_lazy("Stop: import nothing if any duty is already held")
    result_items = (
        ResultItem("assignments", gettext_lazy("duties added")),
        ResultItem("accounts", gettext_lazy("accounts created")),
        ResultItem("matched", gettext_lazy("existing accounts matched")),
    )
    result_note = gettext_lazy(
        "Each new account has a one-time password, shown once on the slips: print them and hand them over. "
        "The password must be changed at the first sign-in."
    )

    def may_import(self, user: User) -> bool:
        return user.has_perm(Cap.MANAGE_USERS) and user.has_perm(Cap.MANAGE_ASSIGNMENTS)

    def check_access(self, actor: User, region: Region) -> None:
        require(actor, Cap.MANAGE_ASSIGNMENTS, region)
        require(actor, Cap.MANAGE_USERS)

    def regions(self, user: User) -> QuerySet[Region]:
        return regions_visible(user=user).filter(is_active=True).exclude(level=Level.MICROGRID).order_by("path")

    def schema(self) -> Schema:
        return roster_ledger.roster_schema()

    def plan(
        self,
        *,
        actor: User,
        region: Region,
        table: Table,
        header: Header,
        mapping: Sequence[str],
        progress: Progress | None = None,
    ) -> roster_ledger.RosterPlan:
        return roster_ledger.plan_roster(
            region=region, schema=self.schema(), table=table, header=header, mapping=mapping, progress=progress
        )

    def refusal(self, job: ImportJob, counts: dict[str, int]) -> str:
        if job.on_existing == OnExisting.STOP and counts.get("unchanged", 0):
            return _(
                "%(n)d duties in the file are already held. Choose to skip them, or remove them from the file."
            ) % {"n": counts["unchanged"]}
        return ""

    def write(
        self, *, actor: User, job: ImportJob, plan: Plan, progress: Progress, cancelled: Cancelled
    ) -> dict[str, Any]:
        assert isinstance(plan, roster_ledger.RosterPlan)
        written, slips = roster_ledger.write_roster(actor=actor, plan=plan, progress=progress, cancelled=cancelled)
        counts = {"rows": len(plan.rows), **plan.counts}
        roster_ledger.summary_audit(
            actor=actor, job_id=str(job.pk), source=job.file_name, counts=counts, written=written
        )
        if slips:  # kept encrypted until shown, once; an import that rolls back leaves them unlinked and swept
            files.store(job.pk, "slips", json.dumps([asdict(slip) for slip in slips]).encode())
        return written

    def done_link(self, job: ImportJob) -> tuple[str, str]:
        return reverse("regions:detail", args=[job.region_id]), _("See the region tree")

    def done_extra(self, job: ImportJob) -> tuple[str, str] | None:
        if not files.has(job.pk, "slips"):
            return None
        return reverse("ledgers:import_slips", args=[job.pk]), _("Print the password slips (shown once)")


register(RegionTreeKind())
register(BoundaryKind())
register(RosterKind())

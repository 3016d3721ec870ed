"""Import a people ledger three ways and print the figures side by side.

    python bench/import_ledger.py /tmp/wgledger/ledger-100k.xlsx

1. the floor: python-calamine reading the sheet into Python rows, nothing else;
2. Wangge: upload (read, find the header, map), check (plan every row, keep the rows with errors: their
   report is built at its first download, timed apart), import (load the plan, match it again and
   write, in one transaction), as the worker runs them — errors left out; then the database alone
   writing the same people (one `INSERT … SELECT`, rolled back): a floor under the import's writes;
3. django-import-export 4 importing the same rows into the same `Person` model (its `Resource`
   with a `before_save_instance` that fills the encrypted and derived columns the way the registry
   does), given the rows already read (its reading time is not counted), `--die-rows` of them.

Then an export of 10,000 people through the console's export function. Peak memory is the
process's maximum resident set right after Wangge's import, and that of the largest worker the
check forked (`WANGGE_LEDGER_WORKERS`; set it to 1 to measure one process alone). Runs against `DATABASE_URL`: a scratch
database with the migrations applied (each run removes what the previous one imported).
"""

from __future__ import annotations

import argparse
import resource
import secrets
import statistics
import time
from pathlib import Path

from _common import machine, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--die-rows", type=int, default=100_000, help="rows django-import-export imports")
    parser.add_argument("--skip-die", action="store_true")
    args = parser.parse_args()
    setup()

    import python_calamine
    from django.db import connection

    from wangge.core.jobs.parallel import worker_count

    print(machine())
    print(f"check workers (WANGGE_LEDGER_WORKERS): {worker_count()}")
    data = Path(args.file).read_bytes()
    floor = []
    for _ in range(3):
        started = time.perf_counter()
        rows = python_calamine.CalamineWorkbook.from_path(args.file).get_sheet_by_index(0).to_python()
        floor.append(time.perf_counter() - started)
    floor_s = statistics.median(floor)
    print(f"file: {args.file}, {len(data) / 2**20:.1f} MB, {len(rows) - 2} data rows × {len(rows[1])} columns")
    print(f"{'calamine read (floor)':<44} {floor_s:8.2f} s")
    del rows  # read again for django-import-export; the peak memory below is Wangge's

    actor, community = _fixtures()
    _clean(community)
    timings, invalid = _wangge(actor, community, data, Path(args.file).name)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for label, seconds in timings.items():
        if label != "rows written":
            print(f"{label:<44} {seconds:8.2f} s")
    end_to_end = (
        timings["Wangge upload"]
        + timings["Wangge check (plan every row)"]
        + timings["Wangge import (load the plan, write)"]
    )
    print(
        f"{'Wangge end to end (upload + check + import)':<44} {end_to_end:8.2f} s  ({end_to_end / floor_s:.1f}× the floor)"
    )
    print(f"{'peak memory (max RSS) after Wangge':<44} {peak_mb:8.0f} MB")
    print(f"{'  its largest check worker (max RSS)':<44} {worker_mb:8.0f} MB  (forked: shares pages with it)")

    floor_db = _database_floor(community)
    print(f"{'database alone: the same people, SQL only':<44} {floor_db:8.2f} s  (INSERT … SELECT, rolled back)")
    export_s = _export(actor)
    print(f"{'export 10,000 people (.xlsx)':<44} {export_s:8.2f} s")

    if not args.skip_die:
        _clean(community)
        rows = python_calamine.CalamineWorkbook.from_path(args.file).get_sheet_by_index(0).to_python()
        # the rows Wangge found valid (its error report lists the others by row number)
        valid = [row for number, row in enumerate(rows, start=1) if number > 2 and number not in invalid]
        count, seconds = _import_export([rows[0], rows[1], *valid], community, limit=args.die_rows)
        rate = count / seconds
        print(f"{'django-import-export, ' + f'{count:,}' + ' rows':<44} {seconds:8.2f} s  ({rate:,.0f} rows/s)")
        wangge_rate = timings["rows written"] / end_to_end
        print(
            f"{'Wangge rate, end to end':<44} {wangge_rate:8,.0f} rows/s "
            f"({wangge_rate / rate:.1f}× django-import-export, which writes the people rows only)"
        )
    print(f"database: {connection.vendor}")


def _fixtures():  # type: ignore[no-untyped-def]
    from wangge.core import services as core_services
    from wangge.core.models import User
    from wangge.core.roles import Role
    from wangge.regions import services as region_services
    from wangge.regions.demo import SANYUAN_GRIDS
    from wangge.regions.models import Region

    community = Region.all_objects.filter(name="基准社区").first()
    if community is None:
        district = region_services.region_create(actor=None, parent=None, name="台账基准区", area_code="421202")
        street = region_services.region_create(actor=None, parent=district, name="台账基准街道")
        community = region_services.region_create(actor=None, parent=street, name="基准社区")
    present = set(Region.all_objects.filter(parent=community).values_list("name", flat=True))
    for grid in SANYUAN_GRIDS:  # the grids gen_ledger.py spreads its rows over, named as in the demo
        if grid[0] not in present:
            region_services.region_create(actor=None, parent=community, name=grid[0])
    actor = User.objects.filter(username="bench_ledger").first()
    if actor is None:
        actor = core_services.user_create(
            actor=None,
            username="bench_ledger",
            password="Bench-" + secrets.token_urlsafe(16) + "-9a",
            roles={Role.COMMUNITY_STAFF},
        )
        region_services.scope_set(actor=None, user=actor, regions=[community])
    return User.objects.get(pk=actor.pk), community


def _clean(community) -> None:  # type: ignore[no-untyped-def]
    """Remove what an earlier run imported into the community (raw deletes: it is a scratch database).

    On PostgreSQL the tables are vacuumed afterwards, as autovacuum would between two imports of a
    real register; without it (and autovacuum is off on some machines) every run leaves 100,000
    dead rows in each table, and ten runs later the import walks indexes ten times their size.
    """
    from django.db import connection, transaction

    from wangge.core.models import HistoryEntry
    from wangge.ledgers.models import ImportJob
    from wangge.people.models import Household, Membership, Person, PersonTag, Residence
    from wangge.places.models import Building, Compound, House

    under = {"region__path__startswith": community.path}
    with transaction.atomic():
        people = Person.all_objects.filter(**under)
        HistoryEntry.objects.filter(object_type__in=["people.person", "people.household", "places.house"]).delete()
        for model, lookup in (
            (PersonTag, "person__in"),
            (Residence, "person__in"),
            (Membership, "person__in"),
        ):
            model.objects.filter(**{lookup: people})._raw_delete(model.objects.db)  # type: ignore[attr-defined]
        Household.all_objects.filter(**under)._raw_delete(Household.all_objects.db)  # type: ignore[attr-defined]
        people._raw_delete(Person.all_objects.db)  # type: ignore[attr-defined]
        for model in (House, Building, Compound):
            model.all_objects.filter(**under)._raw_delete(model.all_objects.db)  # type: ignore[attr-defined]
        ImportJob.objects.all().delete()
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (HistoryEntry, PersonTag, Residence, Membership, Household, Person)]
        tables += [m._meta.db_table for m in (House, Building, Compound)]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


def _wangge(actor, community, data: bytes, name: str) -> tuple[dict[str, float], set[int]]:  # type: ignore[no-untyped-def]
    import io

    import python_calamine

    from wangge.ledgers import services
    from wangge.ledgers.models import ImportJob

    timings: dict[str, float] = {}
    started = time.perf_counter()
    job = services.import_upload(actor=actor, region=community, file_name=name, data=data)
    timings["Wangge upload"] = time.perf_counter() - started
    services.import_set_mapping(actor=actor, job=job, mapping=job.mapping, on_existing="update", on_invalid="skip")
    started = time.perf_counter()
    services.import_check(actor=actor, job=job)
    services.run_check(str(job.pk))
    timings["Wangge check (plan every row)"] = time.perf_counter() - started
    job.refresh_from_db()
    print(f"check: {job.counts}")
    services.import_confirm(actor=actor, job=job)
    started = time.perf_counter()
    services.run_import(str(job.pk))
    timings["Wangge import (load the plan, write)"] = time.perf_counter() - started
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.message
    print(f"import: {job.result}")
    timings["rows written"] = job.result["created"]  # not a time: the rate below divides by it
    started = time.perf_counter()
    report = services.job_report(job) or b""
    timings["error report (built at its first download)"] = time.perf_counter() - started
    invalid: set[int] = set()
    if report:
        sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0).to_python()
        column = sheet[0].index("行号")
        invalid = {int(row[column]) for row in sheet[1:]}
    return timings, invalid


def _database_floor(community) -> float:  # type: ignore[no-untyped-def]
    """What the database alone takes to write the people the import wrote: the same rows copied within the table
    by one `INSERT … SELECT` (new keys and hashes, every index and foreign key check as for the import), rolled
    back. No Python per row, no households, homes, tags or history: a floor under the import's writing."""
    from django.db import connection, transaction

    from wangge.people.models import Person
    from wangge.regions.models import Region

    table = connection.ops.quote_name(Person._meta.db_table)
    regions = connection.ops.quote_name(Region._meta.db_table)
    columns = [f.column for f in Person._meta.concrete_fields]
    copied = {"id": "id + %s", "id_hash": "id_hash || 'x'"}
    select = ", ".join(copied.get(c, connection.ops.quote_name(c)) for c in columns)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        (offset,) = cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys checked now, not at a commit
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} "  # noqa: S608
            f"WHERE region_id IN (SELECT id FROM {regions} WHERE path LIKE %s)",
            [offset, community.path + "%"],
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _export(actor) -> float:  # type: ignore[no-untyped-def]
    from django.http import QueryDict
    from django.test import override_settings

    from wangge.core import exports

    with override_settings(WANGGE_EXPORT_SYNC_MAX=1_000_000):
        started = time.perf_counter()
        result = exports.export(actor=actor, code="people", params=QueryDict())
        seconds = time.perf_counter() - started
    assert isinstance(result, exports.Built)
    return seconds


def _import_export(rows: list[list[object]], community, *, limit: int) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """The same rows through django-import-export's ModelResource into Person."""
    import tablib
    from import_export import fields, resources, widgets

    from wangge.core.idcard import DocumentType
    from wangge.core.phones import clean_phone
    from wangge.core.pinyin import name_keys
    from wangge.people import services as people_services
    from wangge.people.models import Person
    from wangge.regions.models import Region

    grids = {r.name: r.pk for r in Region.all_objects.filter(parent=community)}
    header = [str(h) for h in rows[1]]
    wanted = {
        "姓名": "name",
        "身份证号码": "id_number",
        "联系电话": "phone",
        "所属网格": "region",
        "出生日期": "birth_date",
    }
    index = {key: header.index(label) for label, key in wanted.items()}
    dataset = tablib.Dataset(headers=list(wanted.values()))
    for raw in rows[2 : 2 + limit]:
        dataset.append([raw[index[key]] for key in wanted.values()])

    class PersonResource(resources.ModelResource):
        region = fields.Field(attribute="region_id", column_name="region")
        id_number = fields.Field(column_name="id_number")
        phone = fields.Field(column_name="phone")
        birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=widgets.DateWidget())

        class Meta:
            model = Person
            fields = ("name", "region", "birth_date", "id_number", "phone")
            import_id_fields: tuple[str, ...] = ()
            skip_unchanged = False
            use_bulk = False

        def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
            row["region"] = grids.get(str(row["region"]))

        def before_save_instance(self, instance, row, **kwargs):  # type: ignore[no-untyped-def]
            # what the registry computes for a new person: identity, phone, pinyin keys
            number, derived = people_services.normalise_identity(
                doc_type=DocumentType.CITIZEN_ID, id_number=str(row.get("id_number") or "")
            )
            for key, value in derived.items():
                setattr(instance, key, value)
            for column, value in people_services.identity_columns(number).items():
                setattr(instance, column, value)
            phone = clean_phone(str(row.get("phone") or ""))
            for column, value in people_services.phone_columns(phone).items():
                setattr(instance, column, value)
            instance.name_pinyin, instance.name_initials = name_keys(instance.name)

    started = time.perf_counter()
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - started
    imported = result.totals.get("new", 0)
    return imported, seconds


if __name__ == "__main__":
    main()

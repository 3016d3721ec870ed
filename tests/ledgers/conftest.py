from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from huey.contrib.djhuey import HUEY

from wangge.core.idcard import random_citizen_id
from wangge.core.models import User
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob


@pytest.fixture(autouse=True)
def ledger_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(WANGGE_LEDGER_DIR=tmp_path / "ledgers"):
        yield tmp_path / "ledgers"


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    """Queued tasks run at once, in the test's thread (and its database transaction)."""
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture
def new_id() -> Callable[..., str]:
    rng = random.Random(4212)

    def make(birth: date = date(1980, 5, 17), gender: str = "M", area: str = "421202") -> str:
        return random_citizen_id(rng, area, birth, gender)

    return make


@pytest.fixture
def run_import() -> Callable[..., ImportJob]:
    """Upload, check and import a file as `actor`, running the worker's steps in this thread."""

    def run(
        actor: User,
        region: object,
        data: bytes,
        name: str = "台账.xlsx",
        confirm: bool = True,
        kind: str = "people",
        include_name_only: bool = False,
        **options: str,
    ) -> ImportJob:
        job = services.import_upload(actor=actor, region=region, file_name=name, data=data, kind=kind)  # type: ignore[arg-type]
        if options:
            services.import_set_mapping(
                actor=actor,
                job=job,
                mapping=options.pop("mapping", None) or job.mapping,  # type: ignore[arg-type]
                on_existing=options.get("on_existing", "update"),
                on_invalid=options.get("on_invalid", "stop"),
            )
        services.import_check(actor=actor, job=job)
        services.run_check(str(job.pk))
        job.refresh_from_db()
        refused = services._refusal(job, job.counts) or services._name_only_refusal(job, include_name_only)
        if confirm and job.state == ImportJob.State.CHECKED and not refused:
            services.import_confirm(actor=actor, job=job, include_name_only=include_name_only)
            services.run_import(str(job.pk))
            job.refresh_from_db()
        return job

    return run

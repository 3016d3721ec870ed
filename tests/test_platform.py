"""The platform as an operator meets it: demo data, production profile, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from wangge.core.models import User
from wangge.regions.models import Assignment, AssignmentRole, Level, Region

ROOT = Path(__file__).resolve().parent.parent


def test_demo_is_idempotent_and_shaped_like_sanyuan(db: None) -> None:
    call_command("demo")
    counts = (Region.all_objects.count(), Assignment.all_objects.count(), User.objects.count())
    call_command("demo")
    assert (Region.all_objects.count(), Assignment.all_objects.count(), User.objects.count()) == counts
    district = Region.all_objects.get(level=Level.DISTRICT)
    assert Region.all_objects.filter(parent=district).count() == 2
    assert Region.all_objects.filter(level=Level.COMMUNITY).count() == 4
    sanyuan = Region.all_objects.get(name="三元社区")
    grids = Region.all_objects.filter(parent=sanyuan, level=Level.GRID)
    assert grids.count() == 11
    for grid in grids:
        roles = set(Assignment.all_objects.filter(region=grid).values_list("role", flat=True))
        assert {AssignmentRole.GRID_WORKER, AssignmentRole.CADRE} <= roles
    assert sum(g.declared_households or 0 for g in grids) == 6796
    assert sum(g.declared_population or 0 for g in grids) == 23562
    demo_roles = {r for u in User.objects.filter(is_demo=True) for r in u.role_set}
    assert {
        "system_admin",
        "security_admin",
        "auditor",
        "street_supervisor",
        "community_staff",
        "grid_worker",
        "department_handler",
    } <= demo_roles


def _environ(extra: dict[str, str]) -> dict[str, str]:
    # The browser tests allow async-unsafe calls in-process; production checks rightly refuse that.
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}}
    return {**base, **extra}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_environ(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def prod_env(tmp_path: Path) -> dict[str, str]:
    return {
        "WANGGE_ENV": "production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-test",
        "ALLOWED_HOSTS": "wangge.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "WANGGE_VAR_DIR": str(tmp_path),
        "DEBUG": "",
        "WANGGE_FIELD_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "WANGGE_LOOKUP_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
    }


def test_production_profile_passes_check_deploy(prod_env: dict[str, str]) -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_requires_a_secret_key(prod_env: dict[str, str]) -> None:
    result = _manage("check", env={k: v for k, v in prod_env.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_demo_accounts(prod_env: dict[str, str]) -> None:
    local = {**prod_env, "WANGGE_ENV": "local"}
    assert _manage("migrate", "--noinput", env=local).returncode == 0
    assert _manage("demo", env=local).returncode == 0
    refused = _manage("check", "--deploy", env=prod_env)
    assert refused.returncode != 0
    assert "wangge.E001" in refused.stderr
    wsgi = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=_environ(prod_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wsgi.returncode != 0 and "demo accounts" in wsgi.stderr
    assert _manage("demo_disable", env=prod_env).returncode == 0
    assert _manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env).returncode == 0
    assert _manage("demo", env=prod_env).returncode != 0  # no demo data in production

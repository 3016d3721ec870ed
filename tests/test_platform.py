"""The platform as an operator meets it: demo data, production profile, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


PROD_KEYS = {
    "SECRET_KEY": "x" * 64 + "-production-secret-for-the-test",
    "AUDIT_CHAIN_KEY": "y" * 64 + "-audit-chain-key-for-the-test",
    "WANGGE_FIELD_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "WANGGE_LOOKUP_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
}


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files collected once, with the production profile's manifest storage."""
    root = tmp_path_factory.mktemp("static")
    env = {
        **PROD_KEYS,
        "WANGGE_ENV": "production",
        "ALLOWED_HOSTS": "wangge.example.cn",
        "DATABASE_URL": f"sqlite:///{root / 'unused.sqlite3'}",
        "WANGGE_VAR_DIR": str(root),
        "WANGGE_STATIC_ROOT": str(root / "staticfiles"),
    }
    result = _manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "staticfiles"


@pytest.fixture
def prod_env(tmp_path: Path, collected_static: Path) -> dict[str, str]:
    return {
        **PROD_KEYS,
        "WANGGE_ENV": "production",
        "ALLOWED_HOSTS": "wangge.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "WANGGE_VAR_DIR": str(tmp_path),
        "WANGGE_STATIC_ROOT": str(collected_static),
        "DEBUG": "",
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


def test_check_deploy_fails_until_the_static_files_are_collected(prod_env: dict[str, str], tmp_path: Path) -> None:
    uncollected = _manage("check", "--deploy", env={**prod_env, "WANGGE_STATIC_ROOT": str(tmp_path / "empty")})
    assert uncollected.returncode != 0
    assert "wangge.E010" in uncollected.stderr and "collectstatic" in uncollected.stderr


def test_a_wrong_field_key_refuses_every_command_and_the_web_server(prod_env: dict[str, str]) -> None:
    assert _manage("migrate", "--noinput", env=prod_env).returncode == 0
    wrong = {**prod_env, "WANGGE_FIELD_KEY": "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3c="}
    refused = _manage("check", "--deploy", env=wrong)
    assert refused.returncode != 0
    assert "wangge.E011" in refused.stderr and "field key 'k1'" in refused.stderr
    assert _manage("migrate", "--noinput", env=wrong).returncode != 0
    wsgi = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=_environ(wrong),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wsgi.returncode != 0 and "Refusing to start" in wsgi.stderr
    assert _manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env).returncode == 0


def test_the_login_page_and_its_assets_are_served_from_the_manifest(
    db: None, collected_static: Path, settings: Any
) -> None:
    import re

    from django.test import Client

    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    client = Client()  # a new handler: WhiteNoise reads the collected files
    page = client.get("/login/")
    assert page.status_code == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode())
    assert len(assets) >= 5
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", asset), asset
        assert client.get(asset).status_code == 200, asset


def test_the_readme_sequence_from_an_empty_database_to_the_first_administrators(prod_env: dict[str, str]) -> None:
    assert _manage("migrate", "--noinput", env=prod_env).returncode == 0
    assert _manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env).returncode == 0
    passwords = []
    for role, name in [("system_admin", "zhangwei"), ("security_admin", "lina"), ("auditor", "wangfang")]:
        created = _manage("create_admin", "--role", role, name, env=prod_env)
        assert created.returncode == 0, created.stderr
        passwords.append(created.stdout.split("One-time password: ")[1].split()[0])
    assert len(set(passwords)) == 3
    again = _manage("create_admin", "--role", "auditor", "another", env=prod_env)
    assert again.returncode != 0 and "wangfang" in again.stderr
    assert _manage("createsuperuser", "--noinput", "--username", "root", env=prod_env).returncode != 0
    assert _manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env).returncode == 0
    verified = _manage("audit_verify", env=prod_env)
    assert verified.returncode == 0 and "intact" in verified.stdout

"""Backup and restore drill: a backup restored into a fresh database verifies its audit chain and decrypts
its ID numbers with the kept keys; with other keys the restore stops, names the key and touches nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from tests.conftest import Tree
from wangge.core import backup
from wangge.core.idcard import random_citizen_id
from wangge.people import services as people_services

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def site_dirs(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    media, ledgers = tmp_path / "site" / "media", tmp_path / "site" / "ledgers"
    (media / "assignments").mkdir(parents=True)
    ledgers.mkdir(parents=True)
    (media / "assignments" / "worker.jpg").write_bytes(b"\xff\xd8photo")
    (ledgers / "7.report").write_bytes(b"encrypted report")
    with override_settings(MEDIA_ROOT=media, WANGGE_LEDGER_DIR=ledgers):
        yield media, ledgers


class FreshDatabase:
    """A new, empty database of the same kind as the test database, for a subprocess to restore into."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        db = connection.settings_dict
        if self.vendor == "sqlite":
            self.path = tmp_path / f"restored-{uuid.uuid4().hex[:8]}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE \"{self.name}\" TEMPLATE template0 ENCODING 'UTF8'")
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            self.url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.name}"

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[object]:
    made: list[FreshDatabase] = []

    def make() -> FreshDatabase:
        made.append(FreshDatabase(tmp_path))
        return made[-1]

    yield make
    for database in made:
        database.drop()


def _keys() -> dict[str, str]:
    return {
        "SECRET_KEY": settings.SECRET_KEY,
        "AUDIT_CHAIN_KEY": settings.AUDIT_CHAIN_KEY,
        "WANGGE_FIELD_KEY": settings.WANGGE_FIELD_KEYS[settings.WANGGE_FIELD_KEY_ID],
        "WANGGE_LOOKUP_KEY": settings.WANGGE_LOOKUP_KEY,
    }


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", *_keys()}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_verifies_and_decrypts_with_the_kept_keys(
    tree: Tree, site_dirs: tuple[Path, Path], tmp_path: Path, fresh: object
) -> None:
    number = random_citizen_id(random.Random(15), "421202", date(1958, 3, 9), "F")
    people_services.person_create(actor=None, region=tree.grid_a1, name="备份测试", id_number=number)
    call_command("backup", str(tmp_path / "backups"))
    (file,) = (tmp_path / "backups").glob("wangge-backup-*.tar")
    manifest = backup.read_manifest(file)
    assert manifest["keys_to_keep"] == ["SECRET_KEY", "AUDIT_CHAIN_KEY", "WANGGE_FIELD_KEY", "WANGGE_LOOKUP_KEY"]
    assert manifest["files"] == {"media": 1, "ledgers": 1}
    assert number not in file.read_bytes().decode("latin-1")  # encrypted at rest, in the backup too
    for key in _keys().values():
        assert key not in file.read_bytes().decode("latin-1")

    database = fresh()  # type: ignore[operator]
    target = tmp_path / "restored"
    env = {
        **_keys(),
        "DATABASE_URL": database.url,
        "WANGGE_MEDIA_ROOT": str(target / "media"),
        "WANGGE_LEDGER_DIR": str(target / "ledgers"),
    }
    restored = _manage("restore", str(file), env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Audit trail intact" in restored.stdout and "ID numbers decrypt" in restored.stdout
    verified = _manage("audit_verify", env=env)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stderr
    shown = _manage(
        "shell",
        "-c",
        "from wangge.core import crypto; from wangge.people.models import Person; "
        "print(crypto.decrypt(Person.all_objects.get(name='备份测试').id_number_enc, context='person.id_number'))",
        env=env,
    )
    assert shown.stdout.strip().splitlines()[-1] == number, shown.stderr
    assert (target / "media" / "assignments" / "worker.jpg").read_bytes() == b"\xff\xd8photo"
    assert (target / "ledgers" / "7.report").read_bytes() == b"encrypted report"


@pytest.mark.django_db(transaction=True)
def test_a_restore_with_other_keys_names_them_and_touches_nothing(
    tree: Tree, site_dirs: tuple[Path, Path], tmp_path: Path, fresh: object
) -> None:
    call_command("backup", str(tmp_path / "backups"))
    (file,) = (tmp_path / "backups").glob("wangge-backup-*.tar")
    database = fresh()  # type: ignore[operator]
    target = tmp_path / "restored"
    env = {
        **_keys(),
        "WANGGE_FIELD_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",  # another key
        "DATABASE_URL": database.url,
        "WANGGE_MEDIA_ROOT": str(target / "media"),
        "WANGGE_LEDGER_DIR": str(target / "ledgers"),
    }
    refused = _manage("restore", str(file), env=env)
    assert refused.returncode != 0
    assert "not the keys this backup was made with: WANGGE_FIELD_KEY (key id k1)." in refused.stderr
    assert "nothing was restored" in refused.stderr
    # a new machine with none of the kept keys (local profile: keys made afresh under its own var/)
    bare = {k: v for k, v in env.items() if k not in _keys()} | {"WANGGE_VAR_DIR": str(tmp_path / "newvar")}
    refused = _manage("restore", str(file), env=bare)
    assert refused.returncode != 0
    for name in ["SECRET_KEY", "AUDIT_CHAIN_KEY", "WANGGE_FIELD_KEY (key id k1)", "WANGGE_LOOKUP_KEY"]:
        assert name in refused.stderr
    tables = _manage(
        "shell", "-c", "from django.db import connection; print(len(connection.introspection.table_names()))", env=env
    )
    assert tables.stdout.strip().splitlines()[-1] == "0", tables.stderr
    assert not (target / "media").exists()


def test_a_restore_refuses_a_database_that_is_not_empty(
    tree: Tree, site_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    path, _ = backup.create(tmp_path / "backups")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(path))


def test_a_file_that_is_not_a_backup_is_refused(db: None, tmp_path: Path) -> None:
    (tmp_path / "x.tar").write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="is not a Wangge backup"):
        call_command("restore", str(tmp_path / "x.tar"))

"""Backup and restore of everything a Wangge site is made of, but the keys.

A backup is one `.tar` file: the database (PostgreSQL: `pg_dump -Fc`; SQLite: the online backup API,
consistent while the site runs), the uploaded files (`MEDIA_ROOT`) and the ledger files
(`WANGGE_LEDGER_DIR`), and a manifest. The four keys are NOT in it, and must be kept apart from it:
`SECRET_KEY`, `AUDIT_CHAIN_KEY`, `WANGGE_FIELD_KEY` (with any old field keys) and `WANGGE_LOOKUP_KEY`.
The manifest holds a fingerprint of each (an HMAC of a fixed text, which does not reveal the key),
so that a restore with other keys stops before it touches anything, with a message that names the
key, instead of a site that shows garbage.

A restore goes into a new, empty database and empty file directories, then verifies the audit chain
and decrypts a sample of the stored ID and phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_TO_KEEP = ["SECRET_KEY", "AUDIT_CHAIN_KEY", "WANGGE_FIELD_KEY", "WANGGE_LOOKUP_KEY"]
_FINGERPRINT_TEXT = b"wangge backup key fingerprint v1"
SAMPLE = 200  # encrypted numbers decrypted after a restore


@dataclass(frozen=True)
class SealedColumn:
    """A text column of encrypted values (`crypto.encrypt` with `context`), sampled after a restore."""

    model: type[Model]
    field: str
    context: str


_sealed: list[SealedColumn] = []


def declare_sealed(model: type[Model], field: str, *, context: str) -> None:
    """An app names a column it encrypts (from its AppConfig.ready), so a restore can check the keys open it."""
    column = SealedColumn(model, field, context)
    if column not in _sealed:
        _sealed.append(column)


def sealed_columns() -> list[SealedColumn]:
    return list(_sealed)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _fingerprint(key: str | bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:16]


def key_fingerprints() -> dict[str, str]:
    """One fingerprint per key the data depends on (each field key by its id)."""
    prints = {
        "SECRET_KEY": _fingerprint(settings.SECRET_KEY),
        "AUDIT_CHAIN_KEY": _fingerprint(settings.AUDIT_CHAIN_KEY),
        "WANGGE_LOOKUP_KEY": _fingerprint(settings.WANGGE_LOOKUP_KEY),
    }
    for key_id, key in settings.WANGGE_FIELD_KEYS.items():
        name = "WANGGE_FIELD_KEY" if key_id == settings.WANGGE_FIELD_KEY_ID else "WANGGE_FIELD_OLD_KEYS"
        prints[f"{name}:{key_id}"] = _fingerprint(key)
    return prints


def _db() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _pg_env() -> dict[str, str]:
    db = _db()
    env = dict(os.environ)
    for var, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(argv: list[str]) -> None:
    try:
        done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603  (pg tools, our arguments)
    except FileNotFoundError as exc:
        raise BackupError(f"{argv[0]} is not installed (the PostgreSQL client tools are needed).") from exc
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


def _add_tree(archive: tarfile.TarFile, root: Path, name: str) -> int:
    count = 0
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".health-"):
                archive.add(path, arcname=f"{name}/{path.relative_to(root).as_posix()}", recursive=False)
                count += 1
    return count


def create(destination: Path) -> tuple[Path, dict[str, Any]]:
    """Write a backup file into `destination`; returns its path and manifest."""
    destination.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = destination / f"wangge-backup-{stamp}.tar"
    applied = sorted(MigrationRecorder(connection).applied_migrations())
    with tempfile.TemporaryDirectory(dir=destination, prefix=".backup-") as work:
        if connection.vendor == "postgresql":
            dump = Path(work) / "database.pgdump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", _db()["NAME"]])
        elif connection.vendor == "sqlite":
            dump = Path(work) / "database.sqlite3"
            source = sqlite3.connect(str(_db()["NAME"]))
            copy = sqlite3.connect(str(dump))
            try:
                source.backup(copy)  # consistent even while the site writes
            finally:
                copy.close()
                source.close()
        else:
            raise BackupError(f"No backup for the {connection.vendor} database.")
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "database_file": dump.name,
            "migrations": [f"{app}.{name}" for app, name in applied],
            "keys_to_keep": KEYS_TO_KEEP,
            "key_fingerprints": key_fingerprints(),
        }
        partial = target.with_suffix(".tar.part")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=dump.name)
            manifest["files"] = {
                "media": _add_tree(archive, Path(settings.MEDIA_ROOT), "media"),
                "ledgers": _add_tree(archive, Path(settings.WANGGE_LEDGER_DIR), "ledgers"),
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)
        partial.rename(target)
    return target, manifest


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path) as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a Wangge backup ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.get('format')!r}; this release reads {FORMAT}.")
    return manifest


def _key_label(name: str) -> str:
    variable, _, key_id = name.partition(":")
    return f"{variable} (key id {key_id})" if key_id else variable


def key_mismatches(manifest: dict[str, Any]) -> list[str]:
    """The keys configured here that differ from (or lack) those the backup was made with."""
    here = key_fingerprints()
    return [
        _key_label(name) for name, fingerprint in manifest["key_fingerprints"].items() if here.get(name) != fingerprint
    ]


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _not_empty(path: Path) -> bool:
    return path.is_dir() and any(p for p in path.iterdir() if not p.name.startswith(".health-"))


@dataclass
class RestoreResult:
    audit_rows: int = 0
    audit_problems: list[str] = field(default_factory=list)
    key_problems: list[str] = field(default_factory=list)
    decrypted: int = 0
    undecryptable: int = 0
    files: dict[str, int] = field(default_factory=dict)


def restore(path: Path) -> RestoreResult:
    """Restore a backup into the configured (empty) database and (empty) file directories, then verify it."""
    manifest = read_manifest(path)
    wrong = key_mismatches(manifest)
    if wrong:
        raise BackupError(
            "The keys configured here are not the keys this backup was made with: "
            + ", ".join(wrong)
            + ". Set the keys kept with the backup (in the environment file) and run the restore again; "
            "nothing was restored."
        )
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"This backup holds a {manifest['database']} database; DATABASE_URL names a {connection.vendor} one."
        )
    if not _database_is_empty():
        raise BackupError(
            "The database named by DATABASE_URL is not empty. Restore into a new, empty database "
            "(see README, Backup and restore); nothing was restored."
        )
    media, ledgers = Path(settings.MEDIA_ROOT), Path(settings.WANGGE_LEDGER_DIR)
    busy = [str(p) for p in (media, ledgers) if _not_empty(p)]
    if busy:
        raise BackupError(f"These directories are not empty: {', '.join(busy)}. Restore into empty ones.")
    result = RestoreResult()
    with tarfile.open(path) as archive, tempfile.TemporaryDirectory(prefix="wangge-restore-") as work:
        archive.extract(manifest["database_file"], path=work, filter="data")
        dump = Path(work) / manifest["database_file"]
        if connection.vendor == "postgresql":
            connection.close()
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={_db()['NAME']}",
                    str(dump),
                ]
            )
        else:
            connection.close()
            source = sqlite3.connect(str(dump))
            target = sqlite3.connect(str(_db()["NAME"]))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        for name, root in (("media", media), ("ledgers", ledgers)):
            members = [m for m in archive.getmembers() if m.name.startswith(f"{name}/") and m.isfile()]
            root.mkdir(parents=True, exist_ok=True)
            for member in members:
                member.name = member.name.removeprefix(f"{name}/")
                archive.extract(member, path=root, filter="data")
            result.files[name] = len(members)
    _verify(result)
    return result


def _verify(result: RestoreResult) -> None:
    from wangge.core import crypto, keys
    from wangge.core.audit import audit_verify

    result.key_problems = keys.keys_mismatches()  # the database's own record of its keys (core.KeyCheck)
    checked, problems = audit_verify()
    result.audit_rows = checked
    result.audit_problems = [f"row {p.event_id}: {p.message}" for p in problems[:20]]
    for column in _sealed:
        tokens = column.model._base_manager.exclude(**{column.field: ""}).values_list(column.field, flat=True)
        for token in tokens[:SAMPLE]:
            try:
                crypto.decrypt(token, context=column.context)
            except crypto.DecryptionError:
                result.undecryptable += 1
            else:
                result.decrypted += 1

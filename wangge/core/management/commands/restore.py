"""Restore a backup into a new, empty database and empty file directories, then verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.core import backup


class Command(BaseCommand):
    help = (
        "Restore FILE (made by `backup`) into the empty database named by DATABASE_URL and the empty "
        "media and ledger directories, with the keys kept from the original site; then verify the audit "
        "chain and decrypt a sample of the stored numbers. Refuses, touching nothing, when a key differs."
    )
    requires_system_checks: list[str] = []  # the database is empty until the restore is done

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            result = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {path.name}: {result.files.get('media', 0)} media files, "
            f"{result.files.get('ledgers', 0)} ledger files."
        )
        if result.key_problems:
            raise CommandError("Restored, but: " + " ".join(result.key_problems))
        if result.audit_problems:
            for problem in result.audit_problems:
                self.stderr.write(problem)
            raise CommandError(f"Restored, but the audit chain does not verify ({result.audit_rows} rows).")
        self.stdout.write(f"Audit trail intact: {result.audit_rows} rows verified.")
        if result.undecryptable:
            raise CommandError(
                f"Restored, but {result.undecryptable} of {result.undecryptable + result.decrypted} sampled ID "
                "numbers do not decrypt: an old field key is missing (WANGGE_FIELD_OLD_KEYS)."
            )
        self.stdout.write(f"ID numbers decrypt with the configured keys ({result.decrypted} sampled).")
        self.stdout.write(
            "Next: `manage.py migrate` (if this release is newer than the backup), then start the services."
        )

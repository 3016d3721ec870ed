"""Back up the database, the uploaded files and the ledger files into one .tar (the keys are kept apart)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.core import backup


class Command(BaseCommand):
    help = (
        "Write a backup (database, media, ledger files, manifest) into DIRECTORY; the keys are not in it: "
        "keep SECRET_KEY, AUDIT_CHAIN_KEY, WANGGE_FIELD_KEY and WANGGE_LOOKUP_KEY apart from it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", help="where to write it (default: WANGGE_VAR_DIR/backups)")
        parser.add_argument("--keep", type=int, default=0, help="then delete all but the newest KEEP backups there")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or Path(settings.VAR_DIR) / "backups")
        try:
            path, manifest = backup.create(directory)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        self.stdout.write(
            f"Backup written: {path} ({path.stat().st_size // 1024} KB; {manifest['database']} database, "
            f"{files['media']} media files, {files['ledgers']} ledger files)."
        )
        self.stdout.write(
            "Keep these keys apart from the backup; without them it cannot be read: " + ", ".join(backup.KEYS_TO_KEEP)
        )
        if options["keep"] > 0:
            for old in sorted(directory.glob("wangge-backup-*.tar"))[: -options["keep"]]:
                old.unlink()
                self.stdout.write(f"Removed old backup {old.name}")

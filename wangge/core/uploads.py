"""Where uploaded files are stored: under random names, so a file name tells nothing and cannot be guessed.

An uploaded photo keeps only its (lower-case) extension; the name a phone gave it (`IMG_2041.jpg`,
`张小英家门口.jpg`) is dropped. Case photos are read only through the case's own view; the only
folder a proxy (or the local server) serves without a check is `assignments/`, the grid workers'
photos on the public cards.
"""

from __future__ import annotations

import re
import secrets
from pathlib import PurePosixPath
from typing import Any

from django.core.files.storage import Storage
from django.utils import timezone

PUBLIC_MEDIA_FOLDER = "assignments"
_EXTENSION = re.compile(r"\.[a-z0-9]{1,5}")
_RANDOM_NAME = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,5})?")


def random_name(filename: str) -> str:
    """32 random hex digits plus the original extension when it is a plain one."""
    suffix = PurePosixPath(filename).suffix.lower()
    return secrets.token_hex(16) + (suffix if _EXTENSION.fullmatch(suffix) else "")


def is_random_name(name: str) -> bool:
    return bool(_RANDOM_NAME.fullmatch(PurePosixPath(name).name))


def case_photo_path(instance: Any, filename: str) -> str:
    return f"cases/{timezone.localdate():%Y/%m}/{random_name(filename)}"


def assignment_photo_path(instance: Any, filename: str) -> str:
    return f"{PUBLIC_MEDIA_FOLDER}/{random_name(filename)}"


def rename_to_random(storage: Storage, name: str) -> str:
    """Store an existing file again under a random name in the same folder; return the new name.

    Used by the migrations that renamed the files uploaded before names were random. A name that is
    already random, or a file that is missing, is left as it is.
    """
    if not name or is_random_name(name) or not storage.exists(name):
        return name
    path = PurePosixPath(name)
    with storage.open(name, "rb") as handle:
        new_name = storage.save(str(path.parent / random_name(path.name)), handle)
    storage.delete(name)
    return new_name

"""Reading a ledger file (.xlsx, .xls, .csv) into rows of cell values, refusing what is not a ledger.

Everything a user can upload by mistake or on purpose — a Word file renamed .xlsx, a password-
protected workbook, a zip bomb, a 2 GB file, an empty sheet, a CSV saved by Excel in GBK — ends in
a `LedgerError` whose message is for the user. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")
# An encrypted OOXML workbook is an OLE container with this stream name (UTF-16LE).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class LedgerError(ValueError):
    """A file or mapping problem the user must fix; `str()` is the message to show."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Table:
    """One sheet's cells: `rows[i][j]` is the cell in spreadsheet row i+1, column j+1."""

    rows: list[list[Any]]
    kind: str
    sheet: str = ""
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet with data of an uploaded ledger, or `LedgerError`."""
    max_bytes = _limit("WANGGE_LEDGER_MAX_BYTES", 50 * 1024 * 1024)
    if len(data) > max_bytes:
        raise LedgerError(
            _("The file is larger than %(limit)d MB. Split it into several files.") % {"limit": max_bytes // 2**20},
            code="too_large",
        )
    if not data.strip():
        raise LedgerError(_("The file is empty."), code="empty_file")
    lower = filename.lower()
    if not lower.endswith(EXTENSIONS):
        raise LedgerError(
            _("Only Excel (.xlsx, .xls) and CSV (.csv) files can be imported."),
            code="wrong_type",
        )
    if data.startswith(ZIP_MAGIC):
        _check_zip(data)
        table = _read_workbook(data, kind="xlsx")
    elif data.startswith(OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise LedgerError(
                _("The workbook is protected by a password. Remove the password and upload it again."), code="password"
            )
        table = _read_workbook(data, kind="xls")
    elif lower.endswith(".csv"):
        table = _read_csv(data)
    else:
        raise LedgerError(
            _("This file is not a real Excel workbook (perhaps another file renamed). Save it from Excel as .xlsx."),
            code="wrong_type",
        )
    max_rows = _limit("WANGGE_LEDGER_MAX_ROWS", 300_000)
    if len(table.rows) > max_rows:
        raise LedgerError(
            _("The sheet has more than %(limit)d rows. Split it into several files.") % {"limit": max_rows},
            code="too_many_rows",
        )
    return table


def _check_zip(data: bytes) -> None:
    """Refuse damaged archives and zip bombs before any XML is parsed."""
    limit = _limit("WANGGE_LEDGER_MAX_UNZIPPED", 500 * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise LedgerError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise LedgerError(
            _("This file is not a real Excel workbook (perhaps another file renamed). Save it from Excel as .xlsx."),
            code="wrong_type",
        )
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > limit or total / packed > 200:
        raise LedgerError(
            _("The workbook expands to an unreasonable size when opened and was refused."), code="zip_bomb"
        )


def _read_workbook(data: bytes, *, kind: str) -> Table:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for index, name in enumerate(workbook.sheet_names):
            sheet = workbook.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False)
            if any(any(cell not in ("", None) for cell in row) for row in rows):
                merged = [tuple(map(tuple, r)) for r in (sheet.merged_cell_ranges or [])]
                return Table(rows=rows, kind=kind, sheet=name, merged=merged)  # type: ignore[arg-type]
    except python_calamine.PasswordError as exc:
        raise LedgerError(
            _("The workbook is protected by a password. Remove the password and upload it again."), code="password"
        ) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise LedgerError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    raise LedgerError(_("Every sheet of the workbook is empty."), code="empty_sheet")


def read_sheets(data: bytes, filename: str, *, max_bytes: int = 2 * 1024 * 1024) -> dict[str, list[list[Any]]]:
    """Every sheet of a small .xlsx workbook by name, for files that hold several tables (the case catalogue)."""
    if len(data) > max_bytes:
        raise LedgerError(
            _("The file is larger than %(limit)d MB. Split it into several files.") % {"limit": max_bytes // 2**20},
            code="too_large",
        )
    if not filename.lower().endswith((".xlsx", ".xlsm")) or not data.startswith(ZIP_MAGIC):
        raise LedgerError(_("Upload the workbook as .xlsx, as it was exported."), code="wrong_type")
    _check_zip(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
            for index, name in enumerate(workbook.sheet_names)
        }
    except python_calamine.PasswordError as exc:
        raise LedgerError(
            _("The workbook is protected by a password. Remove the password and upload it again."), code="password"
        ) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise LedgerError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise LedgerError(
            _("The CSV file's text encoding is not recognised. Save it as UTF-8 or as Excel's CSV."), code="encoding"
        ) from exc


def _read_csv(data: bytes) -> Table:
    text = decode_text(data)
    if "\x00" in text:
        raise LedgerError(
            _("This file is not a real Excel workbook (perhaps another file renamed). Save it from Excel as .xlsx."),
            code="wrong_type",
        )
    sample = text[:8192]
    delimiter = max(",\t;", key=sample.count)
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise LedgerError(_("The file is empty."), code="empty_file")
    return Table(rows=rows, kind="csv")

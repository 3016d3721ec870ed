"""Writing `.xlsx` files: one shared writer so every export is safe against formula injection."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def workbook_bytes(sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return workbook_sheets_bytes([(sheet_name, headers, rows)])


def workbook_sheets_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One workbook with a sheet per (name, headers, rows), in order."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for sheet_name, headers, rows in sheets:
        sheet = workbook.add_worksheet(sheet_name[:31])
        for col, header in enumerate(headers):
            sheet.write_string(0, col, str(header), bold)
            sheet.set_column(col, col, max(10, len(str(header)) * 2 + 2))
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                value = safe_cell(value)
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(row_index, col, value)
                else:
                    sheet.write(row_index, col, value)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response

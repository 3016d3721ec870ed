"""Workbooks the importer hands back: the error report (re-uploadable as is) and the blank template."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter

from wangge.core.xlsx import safe_cell
from wangge.ledgers.schema import ERROR_COLUMN, Schema
from wangge.ledgers.values import joined

ROW_COLUMN = "行号"
EXCEL_CELL_CHARS = 32_767  # what one cell holds (a boundary's coordinates may be longer)


def _workbook() -> tuple[io.BytesIO, Any]:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    return buffer, workbook


def error_report(labels: Sequence[str], rows: Sequence[tuple[int, Sequence[Any], Sequence[str]]]) -> bytes:
    """The rows with errors as the user wrote them, plus their row number and what is wrong.

    The importer ignores the two added columns, so the user fixes the cells and uploads this file.
    Every cell is written as text or a date, so Excel does not turn ID numbers into numbers again; a cell
    the file held as a long number (an ID Excel had already turned into one) is written back as that number.
    """
    buffer, workbook = _workbook()
    sheet = workbook.add_worksheet("错误行")
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    red = workbook.add_format({"font_color": "#B42318", "text_wrap": True})
    text_format = workbook.add_format({"num_format": "@"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    whole_number = workbook.add_format({"num_format": "0"})
    headers = [*labels, ROW_COLUMN, ERROR_COLUMN]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, 14, text_format)
    sheet.set_column(len(labels) + 1, len(labels) + 1, 60)
    for index, (number, raw, errors) in enumerate(rows, start=1):
        for col in range(len(labels)):
            value = raw[col] if col < len(raw) else None
            if value is None or value == "":
                continue
            if isinstance(value, datetime | date):
                sheet.write_datetime(index, col, value, date_format)
            elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                sheet.write_string(index, col, str(int(value)))  # exact: a phone or a short number Excel kept
            elif isinstance(value, int | float) and not isinstance(value, bool):
                # A longer number (an ID Excel turned into one) stays the number the file had: its lost digits
                # are not invented, and the upload says again how to fix it rather than "wrong check digit".
                sheet.write_number(index, col, value, whole_number)
            else:
                sheet.write_string(index, col, str(safe_cell(value))[:EXCEL_CELL_CHARS])
        sheet.write_number(index, len(labels), number)
        sheet.write_string(index, len(labels) + 1, joined(errors), red)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def blank_template(schema: Schema) -> bytes:
    """Headers, one example row and a comment on each header saying what goes in the column."""
    buffer, workbook = _workbook()
    sheet = workbook.add_worksheet(schema.title)
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    required = workbook.add_format({"bold": True, "bg_color": "#FDE8E8", "border": 1})
    text_format = workbook.add_format({"num_format": "@"})
    grey = workbook.add_format({"num_format": "@", "font_color": "#667085"})
    for col, column in enumerate(schema.columns):
        sheet.write_string(0, col, column.header, required if column.required else bold)
        sheet.set_column(col, col, max(10, len(column.header) * 2 + 4), text_format)
        note = column.help or column.header
        if column.synonyms:
            note += "\n也可写作：" + "、".join(column.synonyms[:4])
        sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
        if column.example not in ("", None):
            sheet.write_string(1, col, str(column.example), grey)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()

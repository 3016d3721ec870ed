"""Real ledger files made by the tests: .xlsx (XlsxWriter), .xls (xlwt), .csv in UTF-8 or GBK."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter
import xlwt

from wangge.core.idcard import check_char

HEADERS = ["姓名", "身份证号码", "联系电话", "户号", "与户主关系", "小区", "楼栋", "单元", "房号", "人员类型", "标签"]


def citizen_id(first17: str) -> str:
    return first17 + check_char(first17)


def xlsx(
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    merged_header: bool = False,
    numeric_ids: bool = False,
) -> bytes:
    """A workbook: optional merged title row, header and data rows; dates as real date cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, max(len(rows[0]) - 1, 1), title)
        r = 1
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, datetime | date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), date_format)
            elif numeric_ids and isinstance(value, str) and value.isdigit() and len(value) >= 15:
                sheet.write_number(r, c, int(value))
            elif value is None:
                continue
            else:
                sheet.write(r, c, value)
        r += 1
    book.close()
    return buffer.getvalue()


def xlsx_two_level(top: Sequence[tuple[str, int]], below: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A two-row header: `top` is (label, span) — spans > 1 are merged over the labels `below`."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, len(below) - 1, "三元社区第八网格人口台账")
    col = 0
    for label, span in top:
        if span > 1:
            sheet.merge_range(1, col, 1, col + span - 1, label)
        else:
            sheet.merge_range(1, col, 2, col, label)
        col += span
    for c, label in enumerate(below):
        if label:
            sheet.write(2, c, label)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def xls(rows: Sequence[Sequence[Any]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, datetime(value.year, value.month, value.day), style)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> bytes:
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)

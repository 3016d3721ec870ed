"""Reading files, and refusing what is not a ledger with a message and without a crash."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from tests.ledgers import builders
from wangge.ledgers.people_schema import people_schema
from wangge.ledgers.readers import OLE_MAGIC, LedgerError, read_table
from wangge.ledgers.schema import find_header

ROWS = [["姓名", "身份证号码", "联系电话"], ["张三", builders.citizen_id("42120219500302123"), "13871501108"]]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("台账.xlsx", builders.xlsx(ROWS)),
        ("台账.xls", builders.xls(ROWS)),
        ("台账.csv", builders.csv_bytes(ROWS)),
        ("台账.csv", b"\xef\xbb\xbf" + builders.csv_bytes(ROWS)),
        ("台账.csv", builders.csv_bytes(ROWS, encoding="gbk")),
        ("台账.csv", builders.csv_bytes(ROWS, encoding="gb18030")),
    ],
    ids=["xlsx", "xls", "utf8", "utf8-bom", "gbk", "gb18030"],
)
def test_every_format_reads_the_same_cells(name: str, data: bytes) -> None:
    table = read_table(data, name)
    assert [str(c) for c in table.rows[0][:3]] == ["姓名", "身份证号码", "联系电话"]
    assert table.rows[1][0] == "张三"


def test_a_title_row_above_the_header_is_skipped() -> None:
    table = read_table(builders.xlsx(ROWS, title="三元社区第八网格人口台账"), "a.xlsx")
    header = find_header(people_schema(), table)
    assert header.data_start == 2
    assert header.mapping[:3] == ["name", "id_number", "phone"]


def test_a_two_level_header_with_merged_cells() -> None:
    data = builders.xlsx_two_level(
        top=[("姓名", 1), ("身份证号", 1), ("居住地址", 4)],
        below=["", "", "小区", "楼栋", "单元", "房号"],
        rows=[["张三", "x", "福源小区", "3栋", "1", "301"]],
    )
    header = find_header(people_schema(), read_table(data, "a.xlsx"))
    assert header.data_start == 3
    assert header.mapping == ["name", "id_number", "compound", "building", "unit", "house_number"]


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(LedgerError) as info:
        read_table(data, name)
    assert str(info.value)  # a message for the user
    return info.value.code


def test_a_word_document_renamed_to_xlsx_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert _refused(buffer.getvalue(), "台账.xlsx") == "wrong_type"


def test_other_file_types_are_refused() -> None:
    assert _refused(b"%PDF-1.7 ...", "台账.pdf") == "wrong_type"
    assert _refused(b"\x89PNG\r\n\x1a\n....", "台账.xlsx") == "wrong_type"


def test_a_damaged_workbook_is_refused() -> None:
    data = builders.xlsx(ROWS)
    assert _refused(data[: len(data) // 2], "台账.xlsx") == "corrupt"
    assert _refused(OLE_MAGIC + b"\x00" * 600, "台账.xls") == "corrupt"


def test_a_password_protected_workbook_is_refused() -> None:
    fake = OLE_MAGIC + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    assert _refused(fake, "台账.xlsx") == "password"


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    assert _refused(buffer.getvalue(), "台账.xlsx") == "zip_bomb"


@override_settings(WANGGE_LEDGER_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused() -> None:
    assert _refused(b"a" * 2000, "台账.csv") == "too_large"


def test_empty_files_and_sheets_are_refused() -> None:
    assert _refused(b"", "台账.csv") == "empty_file"
    assert _refused(b",,,\r\n,,\r\n", "台账.csv") == "empty_file"
    assert _refused(builders.xlsx([[None]]), "台账.xlsx") == "empty_sheet"


def test_a_sheet_without_a_recognisable_header_says_which_columns_it_needs() -> None:
    table = read_table(builders.csv_bytes([["a", "b"], ["1", "2"]]), "x.csv")
    with pytest.raises(LedgerError, match="姓名") as info:
        find_header(people_schema(), table)
    assert info.value.code == "no_header"


def test_a_two_level_header_whose_group_label_is_itself_a_column_name() -> None:
    data = builders.xlsx_two_level(
        top=[("姓名", 1), ("身份证号", 1), ("联系电话", 1), ("居住地址", 4)],
        below=["", "", "", "小区", "楼栋", "单元", "房号"],
        rows=[["张三", "x", "138", "福源小区", "3栋", "1", "301"]],
    )
    header = find_header(people_schema(), read_table(data, "a.xlsx"))
    assert header.data_start == 3
    assert header.mapping == ["name", "id_number", "phone", "compound", "building", "unit", "house_number"]

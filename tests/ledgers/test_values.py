"""Cell values read the way people type them into ledgers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from wangge.ledgers import values as v


@pytest.mark.parametrize(
    "cell",
    [
        "1950-03-02",
        "1950/3/2",
        "1950.3.2",
        "19500302",
        19500302,
        19500302.0,
        "1950年3月2日",
        "1950 年 3 月 2 日",
        "１９５０－０３－０２",
        "1950-03-02 00:00:00",
        date(1950, 3, 2),
        datetime(1950, 3, 2, 0, 0),
        18324,  # Excel's serial for 1950-03-02
        "18324",
    ],
)
def test_every_date_form_reads_as_the_same_day(cell: object) -> None:
    assert v.parse_date(cell) == date(1950, 3, 2)


@pytest.mark.parametrize("cell", ["1950-02-30", "昨天", "3/2/1950", "1750-01-01", 0.5])
def test_what_is_not_a_date_says_so(cell: object) -> None:
    with pytest.raises(v.CellError):
        v.parse_date(cell)


def test_empty_cells_are_not_given() -> None:
    assert v.parse_date("") is None
    assert v.parse_date(None) is None
    assert v.parse_bool("") is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("是", True), ("√", True), ("Y", True), (1, True), ("否", False), ("×", False), ("无", False), (0, False)],
)
def test_yes_and_no(cell: object, expected: bool) -> None:
    assert v.parse_bool(cell) is expected


def test_a_word_that_is_neither_yes_nor_no_is_refused() -> None:
    with pytest.raises(v.CellError):
        v.parse_bool("也许")


def test_full_width_text_becomes_half_width() -> None:
    assert v.text("ＡＢＣ１２３　") == "ABC123"
    assert v.text(12.0) == "12"
    assert v.text(None) == ""


def test_an_id_number_kept_as_text_is_read_as_is() -> None:
    assert v.id_number_text("42120219500302123x") == "42120219500302123X"
    assert v.id_number_text("４２１２０２１９５００３０２１２３３") == "421202195003021233"


def test_an_id_number_excel_stored_as_a_number_is_refused_not_guessed() -> None:
    with pytest.raises(v.CellError, match="42120219500302"):
        v.id_number_text(4.21202195003021e17)
    with pytest.raises(v.CellError):
        v.id_number_text("4.21202E+17")


def test_an_id_number_that_lost_its_trailing_x_is_detected() -> None:
    with pytest.raises(v.CellError):
        v.id_number_text("42120219500302123")


def test_a_legacy_15_digit_id_stored_as_a_number_survives() -> None:
    assert v.id_number_text(421202500302123.0) == "421202500302123"


def test_numbers_with_their_units() -> None:
    assert v.parse_int("2单元", low=1, high=99, strip="单元") == 2
    assert v.parse_int("二级", low=1, high=4, strip="级") == 2
    assert v.parse_decimal("86.5㎡") == Decimal("86.50")
    with pytest.raises(v.CellError):
        v.parse_int("9级", low=1, high=4, strip="级")


def test_a_list_in_one_cell() -> None:
    assert v.split_list("独居老人、低保；残疾人, 高龄老人") == ["独居老人", "低保", "残疾人", "高龄老人"]


def test_messages_of_one_row_read_as_one_sentence() -> None:
    from wangge.ledgers.values import joined

    assert (
        joined(["证件号码：校验码不对。", "性别：与证件号码不符。"]) == "证件号码：校验码不对；性别：与证件号码不符。"
    )
    assert joined([]) == ""

"""The per-column memo of parsed cells gives exactly what parsing each cell gives."""

from typing import Any

import pytest

from wangge.ledgers import values as v
from wangge.ledgers.people_plan import CellMemo
from wangge.ledgers.people_schema import people_schema
from wangge.ledgers.schema import Column


def _counting(parse: Any) -> tuple[Column, list[Any]]:
    calls: list[Any] = []

    def counted(cell: Any) -> Any:
        calls.append(cell)
        return parse(cell)

    return Column("x", "X", counted), calls


def test_each_distinct_cell_is_parsed_once() -> None:
    column, calls = _counting(v.parse_bool)
    memo = CellMemo(column)
    assert [memo.parse(c) for c in ["是", "否", "是", "√", "是"]] == [True, False, True, True, True]
    assert calls == ["是", "否", "√"]


def test_equal_cells_of_different_types_are_not_confused() -> None:
    column, calls = _counting(v.text)
    memo = CellMemo(column)
    assert [memo.parse(c) for c in [1, True, 1.0, 1]] == ["1", "是", "1", "1"]
    assert calls == [1, True, 1.0]


def test_an_unreadable_cell_fails_every_time_with_its_message() -> None:
    memo = CellMemo(people_schema().by_key["birth_date"])
    for _ in range(3):
        with pytest.raises(v.CellError) as caught:
            memo.parse("1950-13-45")
        assert str(caught.value)


def test_rows_never_share_a_list() -> None:
    memo = CellMemo(people_schema().by_key["tags"])
    first, second = memo.parse("独居老人、低保"), memo.parse("独居老人、低保")
    assert first == second and first is not second


def test_a_column_whose_cells_do_not_repeat_stops_being_remembered() -> None:
    column, calls = _counting(v.text)
    memo = CellMemo(column)
    for n in range(CellMemo.PROBE + 10):
        assert memo.parse(f"张{n}") == f"张{n}"
    assert memo.seen is None
    assert memo.parse("张1") == "张1" and len(calls) == CellMemo.PROBE + 11

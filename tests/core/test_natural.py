from __future__ import annotations

from wangge.core.natural import chinese_number, natural_key, natural_sorted


def test_chinese_numerals_read_as_numbers() -> None:
    assert [chinese_number(t) for t in ("一", "十", "十一", "二十", "二十三", "一百零五", "三〇二", "两")] == [
        1,
        10,
        11,
        20,
        23,
        105,
        302,
        2,
    ]
    assert chinese_number("网格") is None


def test_buildings_units_rooms_and_grids_sort_naturally() -> None:
    assert natural_sorted(["10栋", "1栋", "2栋", "1栋10单元", "1栋2单元"]) == [
        "1栋",
        "1栋2单元",
        "1栋10单元",
        "2栋",
        "10栋",
    ]
    assert natural_sorted(["1001", "201", "99"]) == ["99", "201", "1001"]
    assert natural_sorted(["第十一网格", "第二网格", "第十网格", "第一网格"]) == [
        "第一网格",
        "第二网格",
        "第十网格",
        "第十一网格",
    ]
    assert natural_sorted(["第7网格", "第12网格", "第1网格"]) == ["第1网格", "第7网格", "第12网格"]
    assert natural_key("") == ()

"""Natural order for names people number: 2栋 before 10栋, 第2网格 before 第10网格, 第二网格 before 第十网格.

Digits and Chinese numerals (一 … 九十九, 百, 千, 两, 〇/零) compare as numbers, everything else as
text. One key for every list and picker of regions, buildings, units and rooms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_RUNS = re.compile(r"(\d+|[〇零一二两三四五六七八九十百千]+)")

NaturalKey = tuple[tuple[int, int | str], ...]


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral (十一 → 11, 二十 → 20, 一百零五 → 105, 三〇二 → 302); None if it is not one."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    if not any(ch in _UNITS for ch in text):  # digit by digit: 三〇二
        value = 0
        for ch in text:
            value = value * 10 + _DIGITS[ch]
        return value
    total = pending = 0
    for ch in text:
        if ch in _DIGITS:
            pending = _DIGITS[ch]
        else:
            total += (pending or 1) * _UNITS[ch]
            pending = 0
    return total + pending


def natural_key(text: object) -> NaturalKey:
    """A sort key: runs of digits or Chinese numerals as numbers (numbers before text at the same place)."""
    parts: list[tuple[int, int | str]] = []
    for run in _RUNS.split(str(text or "")):
        if not run:
            continue
        value = int(run) if run.isdigit() else chinese_number(run) if _RUNS.fullmatch(run) else None
        parts.append((0, value) if value is not None else (1, run))
    return tuple(parts)


def natural_sorted(items: Iterable[T], key: Callable[[T], object] = str) -> list[T]:
    """`items` in natural order of `key(item)` (by default their text)."""
    return sorted(items, key=lambda item: natural_key(key(item)))

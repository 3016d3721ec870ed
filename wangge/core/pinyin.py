"""Pinyin search keys for people's names: "张三" → ("zhangsan", "zs").

Surnames often have a reading of their own (曾 zeng, 单 shan, 尉迟 yuchi) that pypinyin, which
reads characters as ordinary words, gets wrong. Those readings live in the tables below and
apply to the surname only: the given name, and every other use of pypinyin in the process, is
left alone (no global `load_phrases_dict`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

__all__ = ["COMPOUND_SURNAMES", "SURNAMES", "name_keys", "query_keys", "text_keys"]

# Double-character surnames whose reading differs from their characters' ordinary readings.
# 单于 (chanyu) is left out on purpose: 单 followed by a given name starting with 于 is likelier.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
}

# Single-character surnames read differently from (or more reliably than) the ordinary word.
SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "查": "zha",
    "朴": "piao",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "祭": "zhai",
    "黑": "he",
    "重": "chong",
    "秘": "bi",
    "折": "she",
    "华": "hua",
    "任": "ren",
    "员": "yun",
    "句": "gou",
    "纪": "ji",
    "那": "na",
    "燕": "yan",
    "召": "shao",
    "繁": "po",
    "种": "chong",
    "过": "guo",
    "么": "yao",
    "莘": "shen",
    "宓": "mi",
    "隗": "wei",
    "冼": "xian",
    "洗": "xian",
    "谌": "chen",
    "薄": "bo",
    "藏": "zang",
    "阚": "kan",
    "能": "nai",
    "佴": "nai",
}

_WORDS = re.compile(r"[a-z]+")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def _ascii_words(chars: str) -> list[str]:
    return _WORDS.findall(chars.lower())


def _ascii_letters(chars: str) -> str:
    """pypinyin's `errors` handler: keep ASCII letters (lower-cased), drop everything else."""
    return "".join(_ascii_words(chars))


def _ascii_initials(chars: str) -> str:
    """The same for initials: "John Smith" → "js"."""
    return "".join(word[0] for word in _ascii_words(chars))


def _split_surname(name: str) -> tuple[tuple[str, ...], str]:
    """(the surname's syllables if it has a special reading, the rest of the name)."""
    if (compound := COMPOUND_SURNAMES.get(name[:2])) is not None:
        return compound, name[2:]
    if (single := SURNAMES.get(name[:1])) is not None:
        return (single,), name[1:]
    return (), name


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _letters(syllables: list[str]) -> str:
    """Joined and folded to a-z (a rare reading such as "ê" loses its accent, not its letter)."""
    decomposed = unicodedata.normalize("NFKD", "".join(syllables))
    return _NOT_LETTERS.sub("", decomposed.lower())


@lru_cache(maxsize=100_000)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin without tones, initials), lower-case ASCII letters only."""
    surname, rest = _split_surname(_clean(name))
    full, initials = _given_keys(rest)
    return _letters([*surname, *full]), _letters([*(syllable[0] for syllable in surname), *initials])


def text_keys(text: str) -> tuple[str, str]:
    """`name_keys` for ordinary words (a service's name, a keyword): no surname reading of the first character."""
    full, initials = _given_keys(_clean(text))
    return _letters(full), _letters(initials)


@lru_cache(maxsize=50_000)
def _given_keys(rest: str) -> tuple[list[str], list[str]]:
    """The syllables and initials of a name after its surname (given names repeat: cached on their own)."""
    if all(ord(ch) in PINYIN_DICT for ch in rest):
        # Only characters with a reading: one segmentation serves both, since pypinyin's initial is the
        # first letter of the toneless syllable (`Style.FIRST_LETTER` is `to_normal(pinyin)[0]`).
        # pypinyin reads a piece that is not in its phrase table character by character, each with its
        # first reading: what it reads for the character alone (cached)
        full = [_syllable(ch) for ch in rest] if _no_phrase(rest) else lazy_pinyin(rest, style=Style.NORMAL)
        return full, [syllable[:1] for syllable in full]
    full = lazy_pinyin(rest, style=Style.NORMAL, errors=_ascii_letters)
    return full, lazy_pinyin(rest, style=Style.FIRST_LETTER, errors=_ascii_initials)


def _no_phrase(chars: str) -> bool:
    """No two or more consecutive characters of `chars` are a phrase pypinyin reads as a whole."""
    size = len(chars)
    return not any(chars[start:end] in PHRASES_DICT for start in range(size - 1) for end in range(start + 2, size + 1))


@cache
def _syllable(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def query_keys(q: str) -> str:
    """A user's query folded to what the keys hold: "Zhang San" → "zhangsan", "lü" → "lv".

    Chinese characters in the query are read as a name would be ("曾x" → "zengx").
    """
    text = _clean(q).lower().replace("ü", "v")
    if text.isascii():
        return _NOT_LETTERS.sub("", text)
    return name_keys(text)[0]

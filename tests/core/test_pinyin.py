import pytest
from pypinyin import lazy_pinyin

from wangge.core.pinyin import name_keys, query_keys

SPECIAL_SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "查": "zha",
    "朴": "piao",
    "区": "ou",
    "盖": "ge",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "澹台": "tantai",
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
    "谌": "chen",
}
DOUBLE_SURNAME_INITIALS = {"尉迟": "yc", "万俟": "mq", "长孙": "zs", "澹台": "tt"}


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("张三", ("zhangsan", "zs")),
        ("李小明", ("lixiaoming", "lxm")),
        ("欧阳娜娜", ("ouyangnana", "oynn")),
        ("诸葛亮", ("zhugeliang", "zgl")),
        ("吕布", ("lvbu", "lb")),
        ("王", ("wang", "w")),
        ("", ("", "")),
    ],
)
def test_ordinary_names(name: str, keys: tuple[str, str]) -> None:
    assert name_keys(name) == keys


@pytest.mark.parametrize(("surname", "reading"), SPECIAL_SURNAMES.items())
def test_special_surnames_are_read_as_surnames(surname: str, reading: str) -> None:
    full, initials = name_keys(surname + "小明")
    assert full == reading + "xiaoming"
    assert initials == DOUBLE_SURNAME_INITIALS.get(surname, reading[0]) + "xm"


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("尉迟恭", ("yuchigong", "ycg")),
        ("万俟卨", ("moqixie", "mqx")),
        ("长孙无忌", ("zhangsunwuji", "zswj")),
        ("澹台灭明", ("tantaimieming", "ttmm")),
        ("单田芳", ("shantianfang", "stf")),
        ("曾国藩", ("zengguofan", "zgf")),
    ],
)
def test_double_surnames_are_detected_first(name: str, keys: tuple[str, str]) -> None:
    assert name_keys(name) == keys


def test_the_override_applies_to_the_surname_only() -> None:
    assert name_keys("曾曾") == ("zengceng", "zc")
    assert name_keys("王曾祺") == ("wangcengqi", "wcq")
    assert name_keys("李单") == ("lidan", "ld")


def test_pypinyin_itself_is_not_changed() -> None:
    name_keys("曾单")
    assert lazy_pinyin("曾经") == ["ceng", "jing"]
    assert lazy_pinyin("单位") == ["dan", "wei"]


def test_ascii_letters_are_kept_and_everything_else_dropped() -> None:
    assert name_keys("阿依古丽·买买提") == name_keys("阿依古丽买买提")
    assert name_keys("Tom 张") == ("tomzhang", "tz")
    assert name_keys(" 张三2号 ") == ("zhangsanhao", "zsh")
    assert name_keys("ＡＢ张") == ("abzhang", "az")


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Zhang San", "zhangsan"),
        ("ZS", "zs"),
        ("ｚｈａｎｇ", "zhang"),
        ("lü", "lv"),
        ("z-s 12", "zs"),
        ("曾x", "zengx"),
        ("", ""),
    ],
)
def test_query_keys(query: str, key: str) -> None:
    assert query_keys(query) == key


def test_a_query_matches_the_keys_it_should() -> None:
    full, initials = name_keys("吕小曾")
    assert query_keys("Lü Xiao") in full
    assert query_keys("LXC") == initials


def test_given_names_read_as_pypinyin_reads_them() -> None:
    """The given name is read a character at a time unless pypinyin has a phrase for part of it;
    either way the syllables are exactly pypinyin's (phrases such as 重庆, 长江 and 银行 included)."""
    import random

    from pypinyin import Style
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    from wangge.core.pinyin import _given_keys

    rng = random.Random(5)
    chars = [chr(c) for c in PINYIN_DICT if 0x4E00 <= c <= 0x9FFF]
    phrases = [p for p in PHRASES_DICT if 2 <= len(p) <= 3]
    names = ["重庆", "长江", "银行", "乐乐", "行长", "朝阳", "单", "长", "重阳节"]
    names += rng.sample(phrases, 2000) + ["".join(rng.choices(chars, k=rng.choice((1, 2, 3)))) for _ in range(3000)]
    names += [p + rng.choice(chars) for p in rng.sample(phrases, 500)]
    for name in names:
        expected = lazy_pinyin(name, style=Style.NORMAL)
        assert _given_keys.__wrapped__(name) == (expected, [s[:1] for s in expected]), name

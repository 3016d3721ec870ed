import random
from collections.abc import Callable
from datetime import date

import pytest
from django.utils import translation

from wangge.core.idcard import (
    CitizenId,
    DocumentType,
    IdNumberError,
    age_on,
    check_char,
    gender_and_birth,
    mask_id,
    mask_phone,
    parse_citizen_id,
    random_citizen_id,
    validate_document,
)

TODAY = date(2026, 3, 1)
KNOWN_VALID = "11010519491231002X"


def error_code(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(IdNumberError) as info:
        call(*args, **kwargs)
    return info.value.code


# --- citizen ID ---------------------------------------------------------------------------------


def test_the_commonly_cited_example_parses() -> None:
    assert parse_citizen_id(KNOWN_VALID, today=TODAY) == CitizenId(
        number=KNOWN_VALID,
        area_code="110105",
        birth_date=date(1949, 12, 31),
        gender="F",
        converted_from_15=False,
    )


def test_generated_numbers_are_valid_and_carry_what_they_were_built_from() -> None:
    rng = random.Random(20260301)
    for _ in range(500):
        birth = date(1900, 1, 1).fromordinal(rng.randint(date(1900, 1, 1).toordinal(), TODAY.toordinal()))
        gender = rng.choice("MF")
        area = rng.choice(["421202", "110105", "440305", "650102", "810000", "830000"])
        number = random_citizen_id(rng, area, birth, gender)
        parsed = parse_citizen_id(number, today=TODAY)
        assert (parsed.number, parsed.area_code, parsed.birth_date, parsed.gender) == (number, area, birth, gender)


def test_generation_is_reproducible_from_the_seed() -> None:
    make = lambda: random_citizen_id(random.Random(7), "421202", date(1980, 5, 17), "M")  # noqa: E731
    assert make() == make()


def test_input_is_normalised() -> None:
    assert parse_citizen_id("110105 19491231 002x", today=TODAY).number == KNOWN_VALID
    assert parse_citizen_id("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).number == KNOWN_VALID
    assert parse_citizen_id("　11010519491231002ｘ ", today=TODAY).number == KNOWN_VALID


def test_a_15_digit_number_is_converted_to_18() -> None:
    parsed = parse_citizen_id("110105491231002", today=TODAY)
    assert parsed.number == KNOWN_VALID
    assert parsed.converted_from_15 is True
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "F"


def test_the_sequence_digit_gives_the_gender() -> None:
    first17 = "42120219800517001"
    assert parse_citizen_id(first17 + check_char(first17), today=TODAY).gender == "M"
    first17 = "42120219800517002"
    assert parse_citizen_id(first17 + check_char(first17), today=TODAY).gender == "F"


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "length"),
        ("1101051949123100", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "characters"),
        ("11010549123100X", "characters"),
        ("X1010519491231002X", "characters"),
        (with_check("00010519491231002"), "area"),
        (with_check("99010519491231002"), "area"),
        (with_check("81010519491231002"), "area"),  # residence permits are 810000 exactly
        (with_check("11010519490231002"), "birth_date"),
        (with_check("11010518991231002"), "birth_date"),
        ("110105491331002", "birth_date"),
        (with_check("11010520260302002"), "future_birth"),
        ("110105194912310021", "checksum"),
        ("11010519491231003X", "checksum"),
    ],
)
def test_each_kind_of_mistake_has_its_code(number: str, code: str) -> None:
    assert error_code(parse_citizen_id, number, today=TODAY) == code


def test_the_error_explains_itself() -> None:
    with translation.override("en"), pytest.raises(IdNumberError) as info:
        parse_citizen_id("110105194912310021", today=TODAY)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "The check digit is wrong: the ID number has a typo."


def test_born_today_is_not_the_future() -> None:
    assert parse_citizen_id(with_check("42120220260301001"), today=TODAY).birth_date == TODAY


def test_gender_and_birth() -> None:
    assert gender_and_birth(KNOWN_VALID) == ("F", date(1949, 12, 31))


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(1949, 12, 31), date(2026, 3, 1), 76),
        (date(2000, 3, 1), date(2026, 2, 28), 25),
        (date(2000, 3, 1), date(2026, 3, 1), 26),
        (date(2004, 2, 29), date(2026, 2, 28), 21),
        (date(2004, 2, 29), date(2026, 3, 1), 22),
        (date(2026, 3, 1), date(2026, 3, 1), 0),
    ],
)
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_on(date(2026, 3, 2), TODAY)


# --- other documents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_type", "number", "normalised"),
    [
        (DocumentType.CITIZEN_ID, "11010519491231002x", KNOWN_VALID),
        (DocumentType.CITIZEN_ID, "110105491231002", KNOWN_VALID),
        (DocumentType.HK_MACAO_PERMIT, "h12345678", "H12345678"),
        (DocumentType.HK_MACAO_PERMIT, "M1234567801", "M1234567801"),
        (DocumentType.HK_MACAO_PERMIT, with_check("81000019900101001"), with_check("81000019900101001")),
        (DocumentType.HK_MACAO_PERMIT, with_check("82000019900101002"), with_check("82000019900101002")),
        (DocumentType.TAIWAN_PERMIT, "12345678", "12345678"),
        (DocumentType.TAIWAN_PERMIT, "a123456789", "A123456789"),
        (DocumentType.TAIWAN_PERMIT, with_check("83000019900101001"), with_check("83000019900101001")),
        (DocumentType.PASSPORT, "e12345678", "E12345678"),
        (DocumentType.PASSPORT, "AB123", "AB123"),
        (DocumentType.PASSPORT, "12345678901234567", "12345678901234567"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "usa110075091201", "USA110075091201"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, with_check("93184019850615001"), with_check("93184019850615001")),
        (DocumentType.OTHER, " 军官证 第12345号 ", "军官证 第12345号"),
        (DocumentType.OTHER, "x" * 32, "x" * 32),
        ("passport", "ＥＡ１２３４５６７", "EA1234567"),
    ],
)
def test_valid_documents_come_back_normalised(doc_type: str, number: str, normalised: str) -> None:
    assert validate_document(doc_type, number, today=TODAY) == normalised


@pytest.mark.parametrize(
    ("doc_type", "number", "code"),
    [
        (DocumentType.CITIZEN_ID, "110105194912310021", "checksum"),
        (DocumentType.HK_MACAO_PERMIT, "A12345678", "format"),
        (DocumentType.HK_MACAO_PERMIT, "H123456789", "format"),
        (DocumentType.HK_MACAO_PERMIT, "H1234567", "format"),
        (DocumentType.HK_MACAO_PERMIT, KNOWN_VALID, "area"),
        (DocumentType.HK_MACAO_PERMIT, with_check("83000019900101001"), "area"),
        (DocumentType.HK_MACAO_PERMIT, with_check("81000019900101001")[:-1] + "0", "checksum"),
        (DocumentType.TAIWAN_PERMIT, "1234567", "format"),
        (DocumentType.TAIWAN_PERMIT, "AB12345678", "format"),
        (DocumentType.TAIWAN_PERMIT, with_check("81000019900101001"), "area"),
        (DocumentType.PASSPORT, "E123", "length"),
        (DocumentType.PASSPORT, "E" * 18, "length"),
        (DocumentType.PASSPORT, "E1234-5678", "characters"),
        (DocumentType.PASSPORT, "护照1234567", "characters"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "US1110075091201", "format"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "USA11007509120", "length"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, KNOWN_VALID, "format"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "93184019850615001A", "characters"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, with_check("90084019850615001"), "area"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, with_check("93184019851315001"), "birth_date"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, with_check("93184020270615001"), "future_birth"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, with_check("93184019850615001")[:-1] + "X", "checksum"),
        (DocumentType.OTHER, "   ", "length"),
        (DocumentType.OTHER, "x" * 33, "length"),
        (DocumentType.OTHER, "abc\x00def", "characters"),
    ],
)
def test_invalid_documents_are_refused(doc_type: str, number: str, code: str) -> None:
    assert error_code(validate_document, doc_type, number, today=TODAY) == code


def test_an_unknown_document_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_document("library_card", "123")


# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110105199001011234", "110***********1234"),
        (KNOWN_VALID, "110***********002X"),
        ("110105491231002", "110********1002"),
        ("H1234567801", "H1******801"),
        ("H12345678", "H1*****78"),
        ("12345678", "12****78"),
        ("E1234", "E***4"),
        ("AB", "*B"),
        ("A", "*"),
        ("", ""),
    ],
)
def test_mask_id(number: str, masked: str) -> None:
    assert mask_id(number) == masked


@pytest.mark.parametrize("number", ["110105199001011234", "H1234567801", "E1234", "12345678901234567890", "AB"])
def test_mask_id_never_reveals_more_than_half(number: str) -> None:
    assert sum(ch != "*" for ch in mask_id(number)) <= len(number) // 2


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("0715-8235678", "0715-***5678"),
        ("010-87654321", "010-****4321"),
        ("010-87654321-801", "010-****4321-***"),
        ("07158235678", "0715***5678"),
        ("02087654321", "020****4321"),
        ("8235678", "***5678"),
        ("95588", "****8"),
        ("110", "**0"),
        ("", ""),
    ],
)
def test_mask_phone(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_random_citizen_id_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        random_citizen_id(random.Random(1), "4212", date(1980, 1, 1), "M")
    with pytest.raises(ValueError):
        random_citizen_id(random.Random(1), "421202", date(1980, 1, 1), "X")


@pytest.mark.parametrize("code", ["length", "characters", "area", "birth_date", "future_birth", "checksum", "format"])
def test_every_id_number_error_is_said_in_chinese(code: str) -> None:
    from django.utils import translation

    from wangge.core.idcard import IdNumberError

    with translation.override("zh-hans"):
        message = str(IdNumberError(code))
    assert message and message.isascii() is False and "ID" not in message

"""A person's document number, phone and residence permit: validated, then stored
as ciphertext, mask and keyed hashes (never in the clear)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import crypto
from wangge.core.idcard import (
    DocumentType,
    IdNumberError,
    mask_id,
    mask_phone,
    normalize_number,
    parse_citizen_id,
    validate_document,
)
from wangge.core.phones import clean_phone
from wangge.people.models import Person


def normalise_identity(*, doc_type: str, id_number: str, today: date | None = None) -> tuple[str, dict[str, Any]]:
    """Validate a document number; for a citizen ID also return the gender and birth date it encodes."""
    if not id_number:
        return "", {}
    today = today or timezone.localdate()
    try:
        if doc_type == DocumentType.CITIZEN_ID:  # what validate_document does, keeping what the parse read
            parsed = parse_citizen_id(normalize_number(id_number), today=today)
            return parsed.number, {"gender": parsed.gender, "birth_date": parsed.birth_date}
        return validate_document(doc_type, id_number, today=today), {}
    except IdNumberError as exc:
        raise ValidationError(str(exc), code=f"id_{exc.code}") from exc


def set_identity(person: Person, *, doc_type: str, id_number: str, typed: dict[str, Any]) -> None:
    if doc_type not in DocumentType.values:
        raise ValidationError(_("Unknown document type."), code="bad_doc_type")
    number, derived = normalise_identity(doc_type=doc_type, id_number=id_number)
    for field, value in derived.items():
        given = typed.get(field)
        if given not in (None, "") and given != value:
            label = _("gender") if field == "gender" else _("birth date")
            raise ValidationError(
                _("The %(field)s typed does not match the ID number.") % {"field": label}, code=f"id_mismatch_{field}"
            )
        setattr(person, field, value)
    person.doc_type = doc_type
    for column, value in identity_columns(number).items():
        setattr(person, column, value)


# what is stored for a person's document number and phone: ciphertext, mask and keyed hashes
ID_COLUMNS = ("id_number_enc", "id_number_masked", "id_hash", "id_tail4", "id_tail6")


PHONE_COLUMNS = ("phone_enc", "phone_masked", "phone_hash", "phone_tail4")


NUMBER_COLUMNS = (*ID_COLUMNS, *PHONE_COLUMNS)


def identity_columns(number: str) -> dict[str, str]:
    """What is stored for a validated document number: ciphertext, mask and keyed hashes (never the number)."""
    if not number:
        return dict.fromkeys(ID_COLUMNS, "")
    tails = crypto.tail_hashes(number, kind="id", lengths=(4, 6))
    return {
        "id_number_enc": crypto.encrypt(number, context="person.id_number"),
        "id_number_masked": mask_id(number),
        "id_hash": crypto.lookup_hash(number, kind="id"),
        "id_tail4": tails.get(4, ""),
        "id_tail6": tails.get(6, ""),
    }


def phone_columns(phone: str) -> dict[str, str]:
    """What is stored for a clean phone number: ciphertext, mask and keyed hashes."""
    if not phone:
        return dict.fromkeys(PHONE_COLUMNS, "")
    return {
        "phone_enc": crypto.encrypt(phone, context="person.phone"),
        "phone_masked": mask_phone(phone),
        "phone_hash": crypto.lookup_hash(phone, kind="phone"),
        "phone_tail4": crypto.tail_hashes(phone, kind="phone", lengths=(4,)).get(4, ""),
    }


def set_phone(person: Person, phone: str) -> None:
    for column, value in phone_columns(clean_phone(phone)).items():
        setattr(person, column, value)


PERMIT_COLUMNS = ("residence_permit_enc", "residence_permit_masked")


def clean_permit(number: str) -> str:
    """A residence permit (居住证 / 暂住证) number as stored: letters, digits and -, 6 to 32 of them, upper case."""
    value = "".join(unicodedata.normalize("NFKC", number or "").split()).upper()
    if value and (not 6 <= len(value) <= 32 or any(not (ch.isascii() and (ch.isalnum() or ch == "-")) for ch in value)):
        raise ValidationError(
            _("The residence permit number is not valid: 6 to 32 letters and digits."), code="bad_permit"
        )
    return value


def permit_columns(number: str) -> dict[str, str]:
    """What is stored for a clean residence permit number: ciphertext and mask (never the number)."""
    if not number:
        return dict.fromkeys(PERMIT_COLUMNS, "")
    return {
        "residence_permit_enc": crypto.encrypt(number, context="person.residence_permit"),
        "residence_permit_masked": mask_id(number),
    }


def set_permit(person: Person, number: str) -> None:
    for column, value in permit_columns(clean_permit(number)).items():
        setattr(person, column, value)


def reveal_value(person: Person, field: str) -> str:
    """Decrypt without auditing: for services that must re-derive a value, never for display."""
    tokens = {
        "id_number": person.id_number_enc,
        "phone": person.phone_enc,
        "residence_permit": person.residence_permit_enc,
    }
    token = tokens[field]
    if not token:
        return ""
    return crypto.decrypt(token, context=f"person.{field}")

"""What a person's record may hold and how a change of it is recorded: the plain fields,
their real limits, the grid a record is filed in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import history
from wangge.core.audit import audit_record
from wangge.core.limits import check_text
from wangge.core.models import User
from wangge.people.models import Household, Person
from wangge.people.selectors import HEALTH_FIELDS
from wangge.regions.models import Region

# Fields a form, the API or an import may set directly. Identity fields go through set_identity.
PLAIN_FIELDS = (
    "name",
    "former_name",
    "gender",
    "birth_date",
    "ethnicity",
    "political_status",
    "education",
    "marital_status",
    "occupation",
    "work_unit",
    "domicile",
    "health_status",
    "vaccination_status",
    "disability_type",
    "disability_grade",
    "is_party_member",
    "is_volunteer",
    "is_veteran",
    "residency",
    "moved_in_on",
    "moved_out_on",
    "is_deceased",
    "deceased_on",
    "notes",
)


SENSITIVE_TRACKED = HEALTH_FIELDS  # kept as *** in the change history, which every reader of the card sees


NAME_MAX = 64


# The real limits of what a person's record holds (the API schema states the same; see api/registry_schemas.py).
EARLIEST_DATE = date(1900, 1, 1)


DISABILITY_GRADES = (1, 4)  # 一级 (most severe) to 四级


NOTES_MAX = 2000


def record_change(
    *, actor: User | None, obj: Person | Household, action: str, changes: dict[str, Any], source: str = ""
) -> None:
    kind = "person" if isinstance(obj, Person) else "household"
    history.record(obj=obj, actor=actor, action=action, changes=changes, source=source)
    audit_record(
        actor=actor,
        action=f"{kind}.{action}",
        obj=obj,
        detail={"fields": sorted(changes), "source": source} if changes else {"source": source},
    )


def check_fields(fields: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The plain fields checked against their real limits, text stripped; a ValidationError naming the first bad one.

    Lengths and code lists come from the model; dates lie between 1900 and today; a disability grade is 1 to 4.
    """
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise ValueError(f"not a person field: {sorted(unknown)}")
    today = today or timezone.localdate()
    checked: dict[str, Any] = {}
    for name, value in fields.items():
        field = Person._meta.get_field(name)
        label = str(field.verbose_name)  # type: ignore[union-attr]
        if isinstance(field, models.CharField | models.TextField):
            value = check_text(value, limit=field.max_length or NOTES_MAX, label=label)
            if value and field.choices and value not in {str(c[0]) for c in field.choices}:
                raise ValidationError(
                    _("%(field)s: %(value)s is not one of the allowed values.") % {"field": label, "value": value},
                    code=f"bad_{name}",
                )
        elif isinstance(field, models.DateField) and value is not None:
            if not isinstance(value, date) or not EARLIEST_DATE <= value <= today:
                raise ValidationError(
                    _("%(field)s must lie between %(first)s and today.")
                    % {"field": label, "first": EARLIEST_DATE.isoformat()},
                    code=f"bad_{name}",
                )
        elif name == "disability_grade" and value is not None:
            low, high = DISABILITY_GRADES
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValidationError(
                    _("A disability grade is %(low)s to %(high)s.") % {"low": low, "high": high},
                    code="bad_disability_grade",
                )
        elif isinstance(field, models.BooleanField):
            value = bool(value)
        checked[name] = value
    return checked


def check_together(fields: dict[str, Any], *, current: Person | None = None) -> dict[str, Any]:
    """The rules across fields, for the console, the API and the importer alike (`fields` as checked).

    A death date means the person is deceased; a disability grade needs the disability type (from
    `fields`, or the record's own when only the grade changes). A ValidationError names the field.
    """

    def value(name: str) -> Any:
        if name in fields:
            return fields[name]
        return getattr(current, name) if current is not None else None

    if fields.get("deceased_on"):
        fields["is_deceased"] = True
    if value("disability_grade") and not value("disability_type"):
        raise ValidationError(_("Give the disability type too."), code="grade_without_type")
    return fields


def check_grid(region: Region) -> None:
    if not region.files_records:
        raise ValidationError(
            _("People, households and houses belong to an active grid or micro-grid."), code="not_a_grid"
        )

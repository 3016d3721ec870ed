"""The console's forms for the service catalogue: they read the fields; the rules are in `catalogue`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.core.forms import StyledForm
from wangge.window.models import OFFICE_LEVELS, ServiceCategory, ServiceMode


class ItemForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=200,
        required=False,
        help_text=_("Other words residents use, separated by spaces."),
    )
    office_level = forms.ChoiceField(label=_("Responsible office"), choices=OFFICE_LEVELS)
    department = forms.CharField(
        label=_("Department"), max_length=50, required=False, help_text=_("When a department is responsible.")
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=ServiceMode.choices)
    limit_days = forms.IntegerField(
        label=_("Time limit (working days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Required for items done within a promised time; none for items done on the spot."),
    )
    appointment = forms.BooleanField(label=_("By appointment"), required=False)
    door_to_door = forms.BooleanField(label=_("Door-to-door"), required=False)
    online = forms.BooleanField(label=_("Online"), required=False)
    on_behalf = forms.BooleanField(label=_("On behalf (代办)"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class NoticeForm(StyledForm):
    conditions = forms.CharField(label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    time_limit = forms.CharField(label=_("Time limit"), max_length=200)
    fees = forms.CharField(label=_("Fees"), max_length=200, required=False)
    place = forms.CharField(label=_("Where and when"), max_length=300)
    phone = forms.CharField(label=_("Phone"), max_length=40)


def posted_materials(data: Any) -> list[dict[str, str]]:
    """The material rows of the notice form (parallel lists: name, form, copies, notes)."""
    columns = [data.getlist(f"material_{key}") for key in ("name", "form", "copies", "notes")]
    return [
        {"name": name, "form": form, "copies": copies, "notes": notes}
        for name, form, copies, notes in zip(*columns, strict=False)
    ]

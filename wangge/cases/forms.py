"""Forms of the case console: list filters, the quick report, and the one action form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wangge.cases.action_input import CASE_REF_MAX, ActionInput
from wangge.cases.actions import MAX_EXTENSION_DAYS
from wangge.cases.choices import Action, HandlingLevel, Photo, Source, State, Supervision, TimeUnit, Urgency
from wangge.cases.models import Category, EscalationRule
from wangge.cases.selectors import CaseFilters
from wangge.cases.services import NOTE_MAX
from wangge.core.forms import StyledForm
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions.forms import RegionPickerField
from wangge.regions.models import Region
from wangge.regions.selectors import regions_visible

BLANK = [("", "—")]
LISTS = [
    ("todo", _("My to-do")),
    ("open", _("Open in my area")),
    ("overdue", _("Overdue")),
    ("supervised", _("Supervised")),
    ("extension", _("Extensions to decide")),
    ("all", _("All")),
]


class RegionField(RegionPickerField):
    pass


class CategoryField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.name if obj.parent_id is None else f"　{obj.name}"


class CaseFilterForm(StyledForm):
    list = forms.ChoiceField(label=_("List"), choices=LISTS, required=False)
    q = forms.CharField(label=_("Number or title"), required=False, max_length=100)
    category = CategoryField(label=_("Category"), queryset=Category.objects.none(), required=False, empty_label="—")
    state = forms.ChoiceField(label=_("State"), choices=[*BLANK, *State.choices], required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[*BLANK, *Source.choices], required=False)
    region = RegionField(label=_("Region"), queryset=Region.all_objects.none(), required=False, empty_label="—")
    since = forms.DateField(label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]


def case_filters(params: QueryDict, user: User) -> tuple[CaseFilterForm, CaseFilters]:
    """The case list's filters from its query string (the list page and the export read them alike)."""
    data = params.copy()
    data.setdefault("list", "todo")
    form = CaseFilterForm(data, regions=regions_visible(user=user).order_by("path"))
    if not user.has_perm(Cap.SUPERVISE_CASES):  # only supervisors decide extensions
        form.fields["list"].choices = [c for c in form.fields["list"].choices if c[0] != "extension"]  # type: ignore[attr-defined]
    cleaned = form.cleaned_data if form.is_valid() else {"list": "todo"}
    filters = CaseFilters(
        list="" if cleaned.get("list") == "all" else cleaned.get("list") or "todo",
        category=cleaned.get("category"),
        state=cleaned.get("state") or "",
        source=cleaned.get("source") or "",
        region=cleaned.get("region"),
        since=cleaned.get("since"),
        until=cleaned.get("until"),
        q=cleaned.get("q") or "",
    )
    return form, filters


class CaseReportForm(StyledForm):
    """The quick report: fits a phone screen; everything but category, grid and a short text is optional."""

    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    category = CategoryField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("What happened"), max_length=100)
    region = RegionField(label=_("Grid"), queryset=Region.all_objects.none())
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.PATROL)
    reporter_name = forms.CharField(label=_("Reporter"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("Reporter phone"), max_length=20, required=False)
    person = forms.IntegerField(label=_("Person (registry number)"), required=False, widget=forms.HiddenInput)
    house = forms.IntegerField(label=_("House (registry number)"), required=False, widget=forms.HiddenInput)
    lat = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    lng = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, grids: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True, parent__isnull=False)  # type: ignore[attr-defined]
        self.fields["region"].queryset = grids  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    """Every transition posts here: the console's reading of `ActionInput` (the API's is `ActionIn`)."""

    action = forms.ChoiceField(choices=Action.choices)
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)  # the version the page showed: required
    note = forms.CharField(required=False, max_length=NOTE_MAX)
    rating = forms.IntegerField(required=False, min_value=1, max_value=5)
    days = forms.IntegerField(required=False, min_value=1, max_value=MAX_EXTENSION_DAYS)
    level = forms.CharField(required=False, max_length=12)
    department = forms.CharField(required=False, max_length=64)
    due_on = forms.DateField(required=False)  # dispatch: the day the handling must be done by
    assignee = forms.IntegerField(required=False, min_value=1)
    region = forms.IntegerField(required=False, min_value=1)
    case = forms.CharField(required=False, max_length=CASE_REF_MAX)  # into / other: a case number or id
    photo = forms.ImageField(required=False)
    photo_kind = forms.ChoiceField(choices=Photo.choices, required=False)

    def posted(self) -> ActionInput:
        """The valid form as the one input every edge gives `case_act_posted`."""
        data = self.cleaned_data
        return ActionInput(
            action=data["action"],
            version=data["version"],
            note=data["note"],
            rating=data["rating"],
            days=data["days"],
            level=data["level"],
            department=data["department"],
            due_on=data["due_on"],
            assignee=data["assignee"],
            region=data["region"],
            case=data["case"],
            photos=((data["photo"], data["photo_kind"] or "other"),) if data["photo"] else (),
        )


SUPERVISION_LEVELS = [c for c in Supervision.choices if c[0]]


class CategoryLimitsForm(StyledForm):
    category = forms.ModelChoiceField(queryset=Category.objects.all(), widget=forms.HiddenInput)
    default_level = forms.ChoiceField(label=_("Level"), choices=HandlingLevel.choices)
    default_department = forms.CharField(label=_("Department"), max_length=64, required=False)
    accept_limit = forms.IntegerField(label=_("Accept within"), min_value=1, max_value=999)
    accept_unit = forms.ChoiceField(label=_("unit"), choices=TimeUnit.choices)
    handle_limit = forms.IntegerField(label=_("Handle within"), min_value=1, max_value=999)
    handle_unit = forms.ChoiceField(label=_("unit"), choices=TimeUnit.choices)
    verify_limit = forms.IntegerField(label=_("Verify within"), min_value=1, max_value=999)
    verify_unit = forms.ChoiceField(label=_("unit"), choices=TimeUnit.choices)
    yellow_percent = forms.IntegerField(label=_("Yellow at (percent)"), min_value=1, max_value=99)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    is_public = forms.BooleanField(
        label=_("Open to residents"),
        required=False,
        help_text=_("Residents on the portal and Open311 clients may report cases of this category."),
    )


class EscalationRuleForm(StyledForm):
    trigger = forms.ChoiceField(label=_("When"), choices=EscalationRule.Trigger.choices)
    category = CategoryField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("any")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=[("", _("any")), *Urgency.choices], required=False)
    raise_to = forms.ChoiceField(label=_("Raise to"), choices=[*BLANK, *HandlingLevel.choices], required=False)
    supervision = forms.ChoiceField(label=_("Supervision"), choices=Supervision.choices, required=False)
    copy_departments = forms.CharField(label=_("Copy to departments"), max_length=200, required=False)
    copy_regions = forms.ModelMultipleChoiceField(
        label=_("Copy to regions"), queryset=Region.all_objects.none(), required=False
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["copy_regions"].queryset = regions  # type: ignore[attr-defined]

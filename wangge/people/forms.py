"""Forms of the registry console: they parse input; the rules live in wangge.people.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.core.forms import StyledForm
from wangge.core.idcard import DocumentType
from wangge.people.choices import (
    ETHNICITIES,
    AttentionLevel,
    DisabilityType,
    Education,
    Gender,
    HealthStatus,
    HouseholdKind,
    IdentityColor,
    MaritalStatus,
    PoliticalStatus,
    Relation,
    Residency,
    SourceState,
)
from wangge.people.models import Tag
from wangge.regions.forms import RegionPickerField
from wangge.regions.models import Region

BLANK = [("", "—")]

# Columns of the list a user may choose, in display order.
COLUMNS: list[tuple[str, Any]] = [
    ("name", pgettext_lazy("person", "Name")),
    ("color", _("Identity")),
    ("gender", _("Gender")),
    ("age", _("Age")),
    ("id", _("ID number")),
    ("phone", _("Phone")),
    ("grid", _("Grid")),
    ("household", _("Household & relation")),
    ("home", _("home")),
    ("tags", _("Tags")),
    ("residency", _("Residency")),
    ("state", _("Record state")),
]
DEFAULT_COLUMNS = ["name", "color", "age", "id", "phone", "grid", "household", "home", "tags", "state"]

SORTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (_("Name (pinyin)"), ("name_pinyin", "id")),
    "age": (_("Age, youngest first"), ("-birth_date", "id")),
    "-age": (_("Age, oldest first"), ("birth_date", "id")),
    "grid": (_("Grid"), ("region__path", "name_pinyin", "id")),
    "updated": (_("Recently updated"), ("-updated_at", "-id")),
}


class PersonFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _(
                    "Name, pinyin or initials (zs), ID number or its last 4/6 digits, phone tail, address"
                ),
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    region = RegionPickerField(label=_("Region"), queryset=Region.all_objects.none(), required=False, empty_label="—")
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), required=False, empty_label="—")
    color = forms.ChoiceField(label=_("Identity"), choices=BLANK + list(IdentityColor.choices), required=False)
    residency = forms.ChoiceField(label=_("Residency"), choices=BLANK + list(Residency.choices), required=False)
    state = forms.ChoiceField(label=_("Record state"), choices=BLANK + list(SourceState.choices), required=False)
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=150, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=[(k, v[0]) for k, v in SORTS.items()], required=False)
    cols = forms.MultipleChoiceField(
        label=_("Columns"), choices=COLUMNS, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], tags: QuerySet[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = regions
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ModelChoiceField)
        tag_field.queryset = tags


class PersonForm(StyledForm):
    """The ~30 fields of a person, in fieldsets. On edit the grid is fixed (moving is a separate change)."""

    FIELDSETS: list[tuple[Any, list[str]]] = [
        (
            _("Identity information"),
            ["region", "name", "former_name", "doc_type", "id_number", "gender", "birth_date", "ethnicity"],
        ),
        (_("Contact"), ["phone"]),
        (
            _("Household situation"),
            ["residency", "domicile", "residence_permit", "moved_in_on", "moved_out_on", "is_deceased", "deceased_on"],
        ),
        (
            _("Social"),
            [
                "political_status",
                "education",
                "marital_status",
                "occupation",
                "work_unit",
                "is_party_member",
                "is_volunteer",
                "is_veteran",
            ],
        ),
        (_("Health (sensitive)"), ["health_status", "vaccination_status", "disability_type", "disability_grade"]),
        (_("Notes"), ["notes"]),
    ]
    date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    region = RegionPickerField(label=_("Grid"), queryset=Region.all_objects.none())
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    former_name = forms.CharField(label=_("Former name"), max_length=64, required=False)
    doc_type = forms.ChoiceField(
        label=_("Document type"), choices=DocumentType.choices, initial=DocumentType.CITIZEN_ID
    )
    id_number = forms.CharField(
        label=_("Document number"),
        max_length=32,
        required=False,
        help_text=_("For a resident identity card, gender and birth date are taken from the number."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=BLANK + list(Gender.choices), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=date_widget)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=BLANK + ETHNICITIES, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    residency = forms.ChoiceField(label=_("Residency"), choices=Residency.choices, initial=Residency.REGISTERED)
    moved_in_on = forms.DateField(label=_("Moved in"), required=False, widget=date_widget)
    moved_out_on = forms.DateField(label=_("Moved out"), required=False, widget=date_widget)
    is_deceased = forms.BooleanField(label=_("Deceased"), required=False)
    deceased_on = forms.DateField(label=_("Date of death"), required=False, widget=date_widget)
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=BLANK + list(PoliticalStatus.choices), required=False
    )
    education = forms.ChoiceField(label=_("Education"), choices=BLANK + list(Education.choices), required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=BLANK + list(MaritalStatus.choices), required=False
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=64, required=False)
    work_unit = forms.CharField(label=_("Work unit"), max_length=100, required=False)
    domicile = forms.CharField(
        label=_("Registered domicile (户籍地)"),
        max_length=200,
        required=False,
        help_text=_("Where the household registration is; for floating population, the place of origin."),
    )
    residence_permit = forms.CharField(
        label=_("Residence permit number (居住证号)"),
        max_length=32,
        required=False,
        help_text=_("居住证 or 暂住证 of a resident registered elsewhere."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    is_party_member = forms.BooleanField(label=_("Party member"), required=False)
    is_volunteer = forms.BooleanField(label=_("Volunteer"), required=False)
    is_veteran = forms.BooleanField(label=_("Veteran"), required=False)
    health_status = forms.ChoiceField(label=_("Health"), choices=BLANK + list(HealthStatus.choices), required=False)
    vaccination_status = forms.CharField(label=_("Vaccination"), max_length=64, required=False)
    disability_type = forms.ChoiceField(
        label=_("Disability type"), choices=BLANK + list(DisabilityType.choices), required=False
    )
    disability_grade = forms.IntegerField(label=_("Disability grade"), min_value=1, max_value=4, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, grids: QuerySet[Region] | None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grids is None:
            del self.fields["region"]
        else:
            region_field = self.fields["region"]
            assert isinstance(region_field, forms.ModelChoiceField)
            region_field.queryset = grids
        if editing:
            self.fields["id_number"].help_text = _("Leave empty to keep the number on record.")
            self.fields["phone"].help_text = _("Leave empty to keep the number on record.")
            self.fields["residence_permit"].help_text = _("Leave empty to keep the number on record.")

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        sets = [(title, [self[name] for name in names if name in self.fields]) for title, names in self.FIELDSETS]
        return [(title, fields) for title, fields in sets if fields]

    def person_fields(self) -> dict[str, Any]:
        """The plain fields, as services.person_create / person_update take them."""
        data = self.cleaned_data
        names = [
            n
            for _t, names in self.FIELDSETS
            for n in names
            if n in self.fields and n not in ("region", "doc_type", "id_number", "phone", "residence_permit")
        ]
        return {n: data.get(n) for n in names}


class RevealForm(StyledForm):
    field = forms.ChoiceField(
        choices=[(name, name) for name in ("id_number", "phone", "residence_permit")], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DeleteForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TagAddForm(StyledForm):
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), empty_label="—")
    attention = forms.ChoiceField(label=_("Attention level"), choices=AttentionLevel.choices)
    source_state = forms.ChoiceField(label=_("Record state"), choices=SourceState.choices)
    started_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, tags: QuerySet[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ModelChoiceField)
        tag_field.queryset = tags


class HouseholdCreateForm(StyledForm):
    number = forms.CharField(label=_("Household number"), max_length=32)
    kind = forms.ChoiceField(label=_("Household type"), choices=HouseholdKind.choices)


class MemberAddForm(StyledForm):
    person = forms.IntegerField(widget=forms.HiddenInput)
    relation = forms.ChoiceField(label=_("Relation to head"), choices=Relation.choices)


class PersonPickForm(StyledForm):
    person = forms.IntegerField(widget=forms.HiddenInput)

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.core.forms import StyledForm, style_fields
from wangge.core.models import User
from wangge.regions.models import AssignmentRole, Employment, Level, Region
from wangge.regions.selectors import in_tree_order


class _TreeOrderChoices(forms.models.ModelChoiceIterator):
    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for region in in_tree_order(self.queryset):
            yield self.choice(region)


class RegionPickerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A region picker in tree order, siblings sorted naturally; regions indented below the community."""

    iterator = _TreeOrderChoices

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(obj.depth - 3, 0)}{obj.name}"


class BoundaryField(forms.CharField):
    widget = forms.Textarea(
        attrs={
            "rows": 4,
            "class": "font-monospace small",
            "placeholder": '{"type": "Polygon", "coordinates": [[[114.32, 29.84], …]]}',
        }
    )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("The boundary is not valid JSON.")) from exc


class RegionForm(forms.ModelForm):  # type: ignore[type-arg]
    boundary = BoundaryField(label=_("Boundary (GeoJSON)"), required=False)

    class Meta:
        model = Region
        fields = [
            "name",
            "sort_order",
            "area_code",
            "community_code",
            "grid_code",
            "service_address",
            "service_phone",
            "duties",
            "declared_households",
            "declared_population",
            "boundary",
        ]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sort_order"].required = False
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        # Validation that matters is in the service; skip ModelForm's model validation.
        return self.cleaned_data

    def _post_clean(self) -> None:
        pass


class RootRegionForm(RegionForm):
    """The tree's first level: a district, or a street installed on its own."""

    level = forms.ChoiceField(
        label=_("Level"),
        choices=[(Level.DISTRICT.value, Level.DISTRICT.label), (Level.STREET.value, Level.STREET.label)],
        initial=Level.DISTRICT,
        help_text=_("A street office that installs Wangge for itself starts with its street."),
    )
    field_order = ["level", "name"]


class MoveForm(StyledForm):
    new_parent = RegionPickerField(label=_("New parent"), queryset=Region.all_objects.none())

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents  # type: ignore[attr-defined]


class MergeForm(StyledForm):
    target = RegionPickerField(label=_("Merge into"), queryset=Region.all_objects.none())
    confirm = forms.BooleanField(
        label=_("I understand that this region will be closed and its records move or stay as listed."), required=True
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]


class SplitForm(StyledForm):
    new_name = forms.CharField(label=_("Name of the new region"), max_length=64)
    grid_code = forms.CharField(label=_("Grid code"), max_length=32, required=False)
    children = forms.ModelMultipleChoiceField(
        label=_("Sub-regions that move to the new region"),
        queryset=Region.all_objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, children: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children  # type: ignore[attr-defined]


class AssignmentForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices)
    employment = forms.ChoiceField(label=_("Employment"), choices=[("", "—"), *Employment.choices], required=False)
    user = forms.ModelChoiceField(label=_("Account (optional)"), queryset=User.objects.none(), required=False)
    name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    duties = forms.CharField(label=_("Duties"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photo = forms.ImageField(label=_("Photo"), required=False)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and not data.get("user"):
            raise forms.ValidationError(_("Give a name or choose an account."))
        return data


class ScopeForm(StyledForm):
    regions = forms.ModelMultipleChoiceField(
        label=_("Scope"),
        queryset=Region.all_objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text=_("The user sees and acts in these regions and everything below them."),
    )

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["regions"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = regions
        field.label_from_instance = lambda r: f"{'　' * (r.depth - 1)}{r.name}（{r.get_level_display()}）"  # type: ignore[method-assign,assignment]

"""Forms for compounds, buildings and houses. They parse input only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wangge.core.forms import NaturalChoiceField, StyledForm
from wangge.places.models import Building, Compound, House
from wangge.regions.forms import RegionPickerField
from wangge.regions.models import Region


class _PlaceForm(StyledForm):
    """A form whose `region` field lists the grids in scope; dropped when editing (a place keeps its grid)."""

    region = RegionPickerField(label=_("Grid"), queryset=Region.all_objects.none())

    def __init__(self, *args: Any, grids: QuerySet[Region] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grids is None:
            del self.fields["region"]
        else:
            self.fields["region"].queryset = grids  # type: ignore[attr-defined]

    def attrs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("region", None)
        return data


class CompoundForm(_PlaceForm):
    name = forms.CharField(label=_("Compound name"), max_length=64)
    kind = forms.ChoiceField(label=_("Management"), choices=Compound.Kind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    property_company = forms.CharField(label=_("Property company"), max_length=100, required=False)


class BuildingForm(_PlaceForm):
    compound = NaturalChoiceField(label=_("Compound"), queryset=Compound.all_objects.none(), required=False)
    name = forms.CharField(label=_("Building"), max_length=32, help_text=_("e.g. 3栋"))
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=200, initial=6)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=50, initial=1)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    field_order = ["region", "compound", "name", "floors", "units", "address"]

    def __init__(self, *args: Any, compounds: QuerySet[Compound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]


class HouseForm(_PlaceForm):
    building = NaturalChoiceField(label=_("Building"), queryset=Building.all_objects.none(), required=False)
    unit = forms.IntegerField(label=_("Unit"), min_value=1, initial=1)
    floor = forms.IntegerField(label=_("Floor"), initial=1)
    number = forms.CharField(label=_("House number"), max_length=16, help_text=_("e.g. 301"))
    address = forms.CharField(
        label=_("Address"), max_length=200, required=False, help_text=_("For houses outside a building")
    )
    area = forms.DecimalField(label=_("Area (m²)"), max_digits=8, decimal_places=2, min_value=0, required=False)
    use = forms.ChoiceField(label=_("Use"), choices=House.Use.choices, initial=House.Use.RESIDENTIAL)
    owner_name = forms.CharField(label=_("Owner"), max_length=64, required=False)
    is_rental = forms.BooleanField(label=_("Rented out"), required=False)
    landlord_name = forms.CharField(label=_("Landlord"), max_length=64, required=False)
    landlord_phone = forms.CharField(label=_("Landlord phone"), max_length=32, required=False)
    tenants_count = forms.IntegerField(label=_("Tenants"), min_value=0, initial=0)

    field_order = ["region", "building", "unit", "floor", "number", "address", "area", "use", "owner_name"]

    def __init__(self, *args: Any, buildings: QuerySet[Building], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings  # type: ignore[attr-defined]
        if "region" in self.fields:
            self.fields["region"].required = False
            self.fields["region"].help_text = _("Not needed for a house in a building: it is in the building's grid.")

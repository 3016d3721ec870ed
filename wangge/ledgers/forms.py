"""Forms of the ledger pages: they parse input; the rules live in wangge.ledgers.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wangge.core.forms import StyledForm
from wangge.ledgers.models import MappingTemplate, OnExisting, OnInvalid
from wangge.regions.forms import RegionPickerField
from wangge.regions.models import Region


class UploadForm(StyledForm):
    region = RegionPickerField(
        label=_("Import into"),
        queryset=Region.all_objects.none(),
        help_text=_("A grid; or a community, if the file has a 网格 column naming each row's grid."),
    )
    file = forms.FileField(
        label=_("Ledger file"),
        help_text=_(".xlsx, .xls or .csv; the header row may sit under title rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.xlsm"}),
    )
    template = forms.ModelChoiceField(
        label=_("Column template"),
        queryset=MappingTemplate.objects.none(),
        required=False,
        empty_label=_("Recognise the columns automatically"),
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], templates: QuerySet[MappingTemplate], **kwargs: Any):
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = regions
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.ModelChoiceField)
        template_field.queryset = templates


class OptionsForm(StyledForm):
    on_existing = forms.ChoiceField(
        label=_("People already registered (same document number)"),
        choices=OnExisting.choices,
        widget=forms.RadioSelect,
    )
    on_invalid = forms.ChoiceField(label=_("Rows with errors"), choices=OnInvalid.choices, widget=forms.RadioSelect)


class TemplateForm(StyledForm):
    name = forms.CharField(label=_("Template name"), max_length=64)

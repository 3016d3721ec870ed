"""System check: every relation to Region is declared in the region-bound registry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.checks import Error, Tags, register
from django.db import models

from wangge.regions.owned import undeclared


def region_bound_errors(model_list: Iterable[type[models.Model]]) -> list[Error]:
    return [
        Error(
            f"{name} points at Region but no app declared what merging, splitting and moving regions do to it.",
            hint="Declare it with wangge.regions.owned.declare() in the app's region_bound.py.",
            id="regions.E001",
        )
        for name in undeclared(model_list)
    ]


@register(Tags.models)
def region_bound_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    configs = app_configs or apps.get_app_configs()
    return region_bound_errors(model for config in configs for model in config.get_models())

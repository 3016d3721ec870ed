from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class RegionsConfig(AppConfig):
    name = "wangge.regions"
    label = "regions"
    verbose_name = "Regions"

    def ready(self) -> None:
        from wangge.regions import checks  # noqa: F401  (registers the region-bound check)

        # each app declares its region-bound records in its own region_bound.py
        autodiscover_modules("region_bound")

        from wangge.regions.panels import register_panels

        register_panels()

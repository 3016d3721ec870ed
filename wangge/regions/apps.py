from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "wangge.regions"
    label = "regions"
    verbose_name = "Regions"

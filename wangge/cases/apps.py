from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wangge.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from wangge.cases.panels import register_panels

        register_panels()

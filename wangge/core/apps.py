from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wangge.core"
    label = "core"
    verbose_name = "Wangge core"

    def ready(self) -> None:
        from wangge.core import checks  # noqa: F401  (registers the system checks)
        from wangge.core.logs import install_job_hooks

        install_job_hooks()

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class LedgersConfig(AppConfig):
    name = "wangge.ledgers"
    label = "ledgers"
    verbose_name = "Ledgers"

    def ready(self) -> None:
        from wangge.core import exports as export_engine
        from wangge.ledgers.exports import ExportJobs

        autodiscover_modules("ledger_kinds")  # each app registers its kinds of ledger (wangge.ledgers.kinds)
        export_engine.use_jobs(ExportJobs())  # large exports of every kind become ExportJobs

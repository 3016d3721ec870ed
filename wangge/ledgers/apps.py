from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class LedgersConfig(AppConfig):
    name = "wangge.ledgers"
    label = "ledgers"
    verbose_name = "Ledgers"

    def ready(self) -> None:
        autodiscover_modules("ledger_kinds")  # each app registers its kinds of ledger (wangge.ledgers.kinds)

from django.apps import AppConfig


class WindowConfig(AppConfig):
    """The service window (一口式接件): the service catalogue and its notices (一次性告知)."""

    name = "wangge.window"
    label = "window"
    verbose_name = "Service window"

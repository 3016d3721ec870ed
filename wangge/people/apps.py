from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "wangge.people"
    label = "people"
    verbose_name = "People"

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "chizheng.people"
    label = "people"
    verbose_name = "人员"

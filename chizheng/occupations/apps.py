from django.apps import AppConfig


class OccupationsConfig(AppConfig):
    name = "chizheng.occupations"
    label = "occupations"
    verbose_name = "职业目录"

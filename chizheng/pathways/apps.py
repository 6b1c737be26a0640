from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chizheng.pathways"
    verbose_name = "直接认定、过程化考核、竞赛取证"

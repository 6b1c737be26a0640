from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chizheng.pathways"
    verbose_name = "直接认定、过程化考核、竞赛取证"

    def ready(self) -> None:
        from . import imports  # noqa: F401  (registers the import kinds)

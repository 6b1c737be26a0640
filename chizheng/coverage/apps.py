from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "chizheng.coverage"
    label = "coverage"
    verbose_name = "毕业生持证覆盖"

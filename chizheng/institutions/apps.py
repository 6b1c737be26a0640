from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "chizheng.institutions"
    label = "institutions"
    verbose_name = "评价机构"

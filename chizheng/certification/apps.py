from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "chizheng.certification"
    label = "certification"
    verbose_name = "证书"

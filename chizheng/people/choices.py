from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Stage(models.TextChoices):
    """Education stage of a student; decides R4/R6 levels later."""

    SECONDARY = "secondary", _("中职")
    JUNIOR_COLLEGE = "junior_college", _("专科")
    UNDERGRADUATE = "undergraduate", _("本科")


class StudentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在读")
    GRADUATED = "graduated", _("已毕业")
    LEFT = "left", _("离校")

"""Enumerations of the exam pathway (考试考核, R4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    """The life of an assessment session, in order."""

    PLANNED = "planned", _("已计划")
    STAFFED = "staffed", _("已配备考评人员")
    IN_PROGRESS = "in_progress", _("考核中")
    SCORED = "scored", _("已录入成绩")
    CONFIRMED = "confirmed", _("成绩已确认")
    PUBLICISED = "publicised", _("结果公示中")
    ISSUED = "issued", _("已发证")


class StaffRole(models.TextChoices):
    EXAMINER = "examiner", _("考评员")
    INVIGILATOR = "invigilator", _("监考员")
    SUPERVISOR = "supervisor", _("督导员")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("成立（已更正）")
    DISMISSED = "dismissed", _("不成立")

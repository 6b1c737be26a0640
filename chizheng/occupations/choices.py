from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillLevel(models.IntegerChoices):
    """National vocational skill levels; 3 and above count as high-skill (R1)."""

    LEVEL_5 = 5, _("五级/初级工")
    LEVEL_4 = 4, _("四级/中级工")
    LEVEL_3 = 3, _("三级/高级工")
    LEVEL_2 = 2, _("二级/技师")
    LEVEL_1 = 1, _("一级/高级技师")


class GroupLevel(models.TextChoices):
    MAJOR = "major", _("大类")
    MIDDLE = "middle", _("中类")
    MINOR = "minor", _("小类")


class SpecStatus(models.TextChoices):
    """The life of an evaluation spec (评价规范, R3)."""

    DRAFT = "draft", _("起草中")
    UNDER_REVIEW = "under_review", _("专家评审中")
    SUBMITTED = "submitted", _("已报省人社厅")
    FILED = "filed", _("已备案（生效）")
    WITHDRAWN = "withdrawn", _("已撤回")


class Verdict(models.TextChoices):
    """An expert's opinion on a spec; both kinds of approval count towards the five (R3)."""

    APPROVE = "approve", _("同意")
    APPROVE_WITH_CHANGES = "approve_with_changes", _("修改后同意")
    REJECT = "reject", _("不同意")

"""Enumerations of the three recognition pathways (R5 direct recognition, R6 process assessment,
R7 competition) and their batches."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class XLevel(models.TextChoices):
    """Level of a 1+X certificate (职业技能等级证书 of a 培训评价组织), not a national skill level."""

    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")


class BatchStatus(models.TextChoices):
    """draft → previewed (candidates computed, may be recomputed) → confirmed (certificates publicised)
    → issued (every publicised certificate of the batch numbered)."""

    DRAFT = "draft", _("草稿")
    PREVIEWED = "previewed", _("已预览")
    CONFIRMED = "confirmed", _("已确认（公示中）")
    ISSUED = "issued", _("已发证")


class CandidateOutcome(models.TextChoices):
    QUALIFIES = "qualifies", _("符合条件")
    REFUSED = "refused", _("不符合")


class Participant(models.TextChoices):
    """Who a competition is for, and the kind of one entry (R7: students and teachers)."""

    STUDENT = "student", _("学生")
    TEACHER = "teacher", _("教师")


class CompetitionAudience(models.TextChoices):
    STUDENTS = "students", _("学生")
    TEACHERS = "teachers", _("教师")
    BOTH = "both", _("学生和教师")


class BandBasis(models.TextChoices):
    """A competition's rules award levels by rank (名次) or by score (成绩)."""

    RANK = "rank", _("按名次")
    SCORE = "score", _("按成绩")

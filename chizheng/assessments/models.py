"""The exam pathway (考试考核, R4): sessions, registrations, staff, scores, corrections, objections."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.core.scoping import ScopedQuerySet
from chizheng.occupations.choices import SkillLevel

from . import rules
from .choices import ObjectionStatus, SessionStatus, StaffRole


class AssessmentSession(models.Model):
    """One exam session of an evaluation institution: one occupation at one level on one day.

    `school`/`county` copy the institution's keys for scoping. Pass marks, weighting and publicity days
    default to DESIGN.md's values and may be set per session; the staffing ratios come from the
    occupation's standard or spec (`services.staffing_policy_for`) unless the session overrides them.
    """

    institution = models.ForeignKey(
        "institutions.EvaluationInstitution",
        on_delete=models.PROTECT,
        related_name="assessment_sessions",
        verbose_name=_("评价机构"),
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    title = models.CharField(_("场次名称"), max_length=100)
    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    held_on = models.DateField(_("考核日期"))
    rooms = models.PositiveSmallIntegerField(_("考场数"), default=1)
    theory_weight = models.PositiveSmallIntegerField(_("理论权重（%）"), default=30)
    skill_weight = models.PositiveSmallIntegerField(_("技能权重（%）"), default=70)
    theory_pass_mark = models.DecimalField(
        _("理论合格线"), max_digits=4, decimal_places=1, default=rules.DEFAULT_PASS_MARK
    )
    skill_pass_mark = models.DecimalField(
        _("技能合格线"), max_digits=4, decimal_places=1, default=rules.DEFAULT_PASS_MARK
    )
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=rules.DEFAULT_PUBLICITY_DAYS)
    # Staffing overrides of this session; None = the occupation's standard or spec, else DESIGN.md's default.
    candidates_per_invigilator = models.PositiveSmallIntegerField(_("每名监考员考生数"), null=True, blank=True)
    invigilators_per_room = models.PositiveSmallIntegerField(_("每考场最少监考员"), null=True, blank=True)
    candidates_per_examiner = models.PositiveSmallIntegerField(_("每名考评员考生数"), null=True, blank=True)
    min_examiners = models.PositiveSmallIntegerField(_("最少考评员"), null=True, blank=True)
    examiners_odd = models.BooleanField(_("考评员须为单数"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED, db_index=True
    )
    publicised_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("考核场次")
        verbose_name_plural = _("考核场次")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(name="session_level_1_to_5", condition=Q(level__gte=1, level__lte=5)),
            models.CheckConstraint(
                name="session_weights_sum_100", condition=Q(theory_weight=100 - models.F("skill_weight"))
            ),
            models.CheckConstraint(name="session_rooms_positive", condition=Q(rooms__gte=1)),
            models.CheckConstraint(
                name="session_pass_marks_range",
                condition=Q(theory_pass_mark__gt=0, theory_pass_mark__lte=100)
                & Q(skill_pass_mark__gt=0, skill_pass_mark__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def staffing_overrides(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in rules.POLICY_FIELDS}

    @property
    def level_label(self) -> str:
        return rules.level_label(self.level)


class Registration(models.Model):
    """A candidate registered for a session (one per person per session; the session fixes occupation
    and level). `school`/`county` are the session's, for scoping; the learner sees their own."""

    session = models.ForeignKey(AssessmentSession, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="exam_registrations", verbose_name=_("考生")
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    candidate_kind = models.CharField(_("考生类别"), max_length=20, blank=True)
    registered_at = models.DateTimeField(_("报名时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="registration_once_per_session")]

    def __str__(self) -> str:
        return f"{self.session} {self.person}"

    @property
    def ticket(self) -> str:
        """The admission ticket number (准考证号): session number and registration number, 10 digits."""
        return f"{self.session_id:04d}{self.pk:06d}"

    @property
    def kind_label(self) -> str:
        """中职 / 专科 / 本科 for students, 社会人员 otherwise."""
        from chizheng.people.choices import Stage

        if self.candidate_kind in Stage.values:
            return str(Stage(self.candidate_kind).label)
        return "社会人员"


class SessionStaff(models.Model):
    """An examiner-registry entry assigned to a session in its role (考评员, 监考员, 督导员)."""

    session = models.ForeignKey(AssessmentSession, on_delete=models.CASCADE, related_name="staff")
    examiner = models.ForeignKey(
        "institutions.Examiner", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("考评人员")
    )
    role = models.CharField(_("身份"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("考评人员安排")
        verbose_name_plural = _("考评人员安排")
        ordering = ["session", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "examiner"], name="staff_once_per_session")]

    def __str__(self) -> str:
        return f"{self.examiner} @ {self.session}"


class ScoreEntry(models.Model):
    """One examiner's independent entry of a candidate's scores (double entry, 双人录入). An examiner
    re-entering replaces their own entry; the Score exists only while all entries agree."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="entries")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    theory = models.DecimalField(_("理论成绩"), max_digits=4, decimal_places=1)
    skill = models.DecimalField(_("技能成绩"), max_digits=4, decimal_places=1)
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("成绩录入")
        verbose_name_plural = _("成绩录入")
        ordering = ["registration", "entered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "entered_by"], name="score_entry_once_per_examiner"),
            models.CheckConstraint(
                name="score_entry_range",
                condition=Q(theory__gte=0, theory__lte=100) & Q(skill__gte=0, skill__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.theory}/{self.skill}"


class Score(models.Model):
    """A candidate's accepted theory and skill scores: created when two examiners' independent entries
    (ScoreEntry) agree — `entered_by` the first, `checked_by` the second — and removed again while
    unconfirmed if a re-entry disagrees. Confirmed scores change only through a ScoreCorrection."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="score")
    theory = models.DecimalField(_("理论成绩"), max_digits=4, decimal_places=1)
    skill = models.DecimalField(_("技能成绩"), max_digits=4, decimal_places=1)
    passed = models.BooleanField(_("合格"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed = models.BooleanField(_("已确认"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成绩")
        verbose_name_plural = _("成绩")
        constraints = [
            models.CheckConstraint(
                name="score_range",
                condition=Q(theory__gte=0, theory__lte=100) & Q(skill__gte=0, skill__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.theory}/{self.skill}"

    def total(self, session: AssessmentSession) -> Decimal:
        return rules.total_score(
            self.theory, self.skill, theory_weight=session.theory_weight, skill_weight=session.skill_weight
        )


class ScoreCorrection(models.Model):
    """A recorded change to a confirmed score: old and new values, the reason, who and when."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="corrections")
    old_theory = models.DecimalField(_("原理论成绩"), max_digits=4, decimal_places=1)
    old_skill = models.DecimalField(_("原技能成绩"), max_digits=4, decimal_places=1)
    new_theory = models.DecimalField(_("新理论成绩"), max_digits=4, decimal_places=1)
    new_skill = models.DecimalField(_("新技能成绩"), max_digits=4, decimal_places=1)
    reason = models.CharField(_("更正原因"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("更正时间"), default=timezone.now)

    class Meta:
        verbose_name = _("成绩更正")
        verbose_name_plural = _("成绩更正")
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(name="correction_has_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.score}: {self.reason}"


class Objection(models.Model):
    """An objection to a publicised result; certificates are issued only when every one is resolved."""

    session = models.ForeignKey(AssessmentSession, on_delete=models.CASCADE, related_name="objections")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="objections")
    text = models.CharField(_("异议内容"), max_length=500)
    status = models.CharField(_("状态"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = models.CharField(_("处理意见"), max_length=500, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成绩异议")
        verbose_name_plural = _("成绩异议")
        ordering = ["raised_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="objection_resolved_has_resolution",
                condition=Q(status="open") | ~Q(resolution=""),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]

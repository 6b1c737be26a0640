"""The national occupation classification (2022), its trades, standards and key fields."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.core.choices import KeyField, Role
from chizheng.core.scoping import ScopedQuerySet

from .choices import GroupLevel, SkillLevel, SpecStatus, Verdict


class OccupationGroup(models.Model):
    """A major (大类), middle (中类) or minor (小类) group of the classification."""

    level = models.CharField(_("层级"), max_length=10, choices=GroupLevel.choices)
    code = models.CharField(_("编码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("职业分类")
        verbose_name_plural = _("职业分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Occupation(models.Model):
    """One occupation (职业) of the 2022 classification, e.g. 6-18-01-01."""

    code = models.CharField(_("职业编码"), max_length=10, unique=True)
    name = models.CharField(_("职业名称"), max_length=100, db_index=True)
    group = models.ForeignKey(
        OccupationGroup, on_delete=models.PROTECT, related_name="occupations", verbose_name=_("所属小类")
    )
    major_code = models.CharField(_("大类"), max_length=1, db_index=True)
    is_digital = models.BooleanField(_("数字职业(S)"), default=False)
    is_green = models.BooleanField(_("绿色职业(L)"), default=False)
    has_national_standard = models.BooleanField(_("有国家职业技能标准"), default=False)
    standard_number = models.CharField(_("标准编号"), max_length=40, blank=True)
    standard_levels = models.JSONField(_("标准设置的等级"), default=list, blank=True)
    key_field = models.CharField(_("重点领域"), max_length=30, choices=KeyField.choices, default=KeyField.OTHER)
    # Exam staffing of the national standard (R4); None = DESIGN.md's default. Edited on the exam
    # pathway's staffing page (chizheng.assessments), used only while the occupation has a standard.
    candidates_per_invigilator = models.PositiveSmallIntegerField(_("每名监考员对应考生数"), null=True, blank=True)
    invigilators_per_room = models.PositiveSmallIntegerField(_("每考场最少监考员"), null=True, blank=True)
    candidates_per_examiner = models.PositiveSmallIntegerField(_("每名考评员对应考生数"), null=True, blank=True)
    min_examiners = models.PositiveSmallIntegerField(_("最少考评员"), null=True, blank=True)
    examiners_odd = models.BooleanField(_("考评员须为单数"), null=True, blank=True)

    class Meta:
        verbose_name = _("职业")
        verbose_name_plural = _("职业")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="occupation_standard_has_number",
                condition=Q(has_national_standard=False) | ~Q(standard_number=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tags(self) -> str:
        return ("S" if self.is_digital else "") + ("L" if self.is_green else "")

    def level_labels(self) -> list[str]:
        return [str(SkillLevel(level).label) for level in self.standard_levels]


class Trade(models.Model):
    """A trade (工种) under an occupation, added by admins or imported."""

    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="trades", verbose_name=_("职业"))
    name = models.CharField(_("工种名称"), max_length=100)
    code = models.CharField(_("工种编码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工种")
        verbose_name_plural = _("工种")
        ordering = ["occupation__code", "name"]
        constraints = [models.UniqueConstraint(fields=["occupation", "name"], name="trade_unique_name")]

    def __str__(self) -> str:
        return self.name


# --- evaluation specifications (评价规范, R3) ------------------------------------------------------


class EvaluationSpecQuerySet(ScopedQuerySet["EvaluationSpec"]):
    """Specs narrow like other school data, plus two roles of their own: an expert sees only the specs
    they are invited to, the provincial-filing officer (人社) only the specs that reached the HRSS."""

    def restrict(self, user: Any) -> ScopedQuerySet[EvaluationSpec]:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.EXPERT:
            return self.filter(invitations__expert=user)
        if user.role == Role.HRSS_OFFICER:
            return self.filter(submitted_on__isnull=False)
        if user.role in (Role.EXAMINER, Role.SUPERVISOR):
            return self.none()
        return super().restrict(user)


class EvaluationSpec(models.Model):
    """An evaluation spec drafted by a school for an occupation WITHOUT a national skill standard.

    Reviewed by at least five distinct outside experts, submitted to the provincial HRSS, and
    active (levels usable for assessment) only once filed with a provincial filing number — from
    `filed_on` on, until it is withdrawn (`withdrawn_on`).
    """

    school = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="evaluation_specs", verbose_name=_("起草院校")
    )
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, related_name="evaluation_specs", verbose_name=_("职业")
    )
    title = models.CharField(_("规范名称"), max_length=200)
    content = models.TextField(_("规范内容"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="specs/%Y/", blank=True)
    levels = models.JSONField(_("设置的等级"), default=list)
    theory_weight = models.DecimalField(_("理论知识权重(%)"), max_digits=5, decimal_places=2)
    skill_weight = models.DecimalField(_("操作技能权重(%)"), max_digits=5, decimal_places=2)
    candidates_per_invigilator = models.PositiveSmallIntegerField(_("考生与监考人员配比"))
    candidates_per_examiner = models.PositiveSmallIntegerField(_("考生与考评人员配比"))
    # The rest of the exam staffing (R4); None = DESIGN.md's default.
    invigilators_per_room = models.PositiveSmallIntegerField(_("每考场最少监考员"), null=True, blank=True)
    min_examiners = models.PositiveSmallIntegerField(_("最少考评员"), null=True, blank=True)
    examiners_odd = models.BooleanField(_("考评员须为单数"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=SpecStatus.choices, default=SpecStatus.DRAFT)
    submitted_on = models.DateField(_("报送日期"), null=True, blank=True)
    filing_number = models.CharField(_("省厅备案编号"), max_length=60, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = EvaluationSpecQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("评价规范")
        verbose_name_plural = _("评价规范")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing_number"], condition=~Q(filing_number=""), name="spec_filing_number_unique"
            ),
            models.CheckConstraint(
                name="spec_weights_sum_100",
                condition=Q(theory_weight__gte=0)
                & Q(skill_weight__gte=0)
                & Q(theory_weight=100 - models.F("skill_weight")),
            ),
            models.CheckConstraint(
                name="spec_filed_has_number",
                condition=~Q(status="filed") | (~Q(filing_number="") & Q(filed_on__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["occupation", "status"])]

    def __str__(self) -> str:
        return self.title

    def level_labels(self) -> list[str]:
        return [str(SkillLevel(level).label) for level in self.levels]


class SpecInvitation(models.Model):
    """An expert account invited by the drafting school to review one spec."""

    spec = models.ForeignKey(
        EvaluationSpec, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("评价规范")
    )
    expert = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="spec_invitations", verbose_name=_("专家")
    )
    affiliation = models.CharField(_("专家工作单位"), max_length=100, blank=True)
    invited_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("邀请人")
    )
    invited_at = models.DateTimeField(_("邀请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评审邀请")
        verbose_name_plural = _("评审邀请")
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["spec", "expert"], name="spec_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.spec} ← {self.expert}"


class SpecOpinion(models.Model):
    """One expert's review opinion on one spec; exactly one per expert per spec."""

    spec = models.ForeignKey(
        EvaluationSpec, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("评价规范")
    )
    expert = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="spec_opinions", verbose_name=_("专家")
    )
    verdict = models.CharField(_("评审意见"), max_length=30, choices=Verdict.choices)
    comments = models.TextField(_("具体意见"), blank=True)
    given_on = models.DateField(_("评审日期"))
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("专家评审意见")
        verbose_name_plural = _("专家评审意见")
        ordering = ["given_on", "id"]
        constraints = [models.UniqueConstraint(fields=["spec", "expert"], name="spec_opinion_one_per_expert")]

    def __str__(self) -> str:
        return f"{self.spec}：{self.expert} {self.get_verdict_display()}"

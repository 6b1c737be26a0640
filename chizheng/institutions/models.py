"""Evaluation institutions (R2): filing, dated scope, full history, attachments, subsidy list, examiners."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.core.scoping import ScopedQuerySet
from chizheng.occupations.choices import SkillLevel

from .choices import EventKind, ExaminerRole, InstitutionKind, InstitutionStatus


class EvaluationInstitution(models.Model):
    """A school's skill evaluation institution and its filing (备案) with the city HRSS.

    `status` is the current state; the dated facts the gate reads are `filed_on`,
    `revoked_on`, the suspension events and the dated scope rows, so that "may it assess
    on day D" has one answer for every D, past or future.
    """

    school = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="institutions", verbose_name=_("院校")
    )
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    kind = models.CharField(_("机构类型"), max_length=20, choices=InstitutionKind.choices)
    name = models.CharField(_("机构名称（备案名称）"), max_length=100)
    code = models.CharField(_("机构代码"), max_length=4, unique=True, help_text=_("4 位数字，用于证书编号"))
    station_code = models.CharField(
        _("站点代码"),
        max_length=6,
        blank=True,
        default="",
        help_text=_("6 位数字，用于证书编号；默认取所在县区代码"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=InstitutionStatus.choices, default=InstitutionStatus.DRAFT, db_index=True
    )
    filing_number = models.CharField(_("备案编号"), max_length=40, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    review_due_on = models.DateField(_("年度审核到期日"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    contact = models.CharField(_("联系人"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30)
    email = models.CharField(_("电子邮箱"), max_length=100, blank=True)
    sites = models.TextField(_("评价场所"), blank=True, help_text=_("每行一个场所：名称、地址"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("评价机构")
        verbose_name_plural = _("评价机构")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing_number"], condition=~Q(filing_number=""), name="institution_unique_filing_number"
            ),
            models.CheckConstraint(name="institution_code_4_digits", condition=Q(code__regex=r"^[0-9]{4}$")),
            models.CheckConstraint(
                name="institution_filed_has_number",
                condition=Q(status__in=["draft", "submitted", "returned"])
                | (~Q(filing_number="") & Q(filed_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="institution_revoked_has_date", condition=~Q(status="revoked") | Q(revoked_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_filed(self) -> bool:
        return self.status in (InstitutionStatus.FILED, InstitutionStatus.SUSPENDED, InstitutionStatus.REVOKED)

    def active_scopes(self, on_date: dt.date | None = None) -> list[InstitutionScope]:
        day = on_date or timezone.localdate()
        return [s for s in self.scopes.all() if s.is_active_on(day)]


class InstitutionScope(models.Model):
    """One occupation an institution may evaluate, up to a highest level, from `added_on` until `removed_on`.

    Level 1 (高级技师) is the HIGHEST: a scope with highest level 3 covers levels 5, 4 and 3.
    The row is active on day D when added_on <= D < removed_on.
    """

    institution = models.ForeignKey(EvaluationInstitution, on_delete=models.CASCADE, related_name="scopes")
    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    highest_level = models.PositiveSmallIntegerField(_("最高等级"), choices=SkillLevel.choices)
    added_on = models.DateField(_("增加日期"))
    removed_on = models.DateField(_("取消日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价范围")
        verbose_name_plural = _("评价范围")
        ordering = ["occupation__code", "added_on"]
        constraints = [
            models.CheckConstraint(name="scope_level_1_to_5", condition=Q(highest_level__gte=1, highest_level__lte=5)),
            models.CheckConstraint(
                name="scope_removed_after_added",
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("added_on")),
            ),
            models.UniqueConstraint(
                fields=["institution", "occupation"],
                condition=Q(removed_on__isnull=True),
                name="scope_one_open_row_per_occupation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occupation} ≤{SkillLevel(self.highest_level).label}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.added_on <= day and (self.removed_on is None or day < self.removed_on)


class InstitutionEvent(models.Model):
    """One dated step of an institution's history; the suspension windows are read from these rows."""

    institution = models.ForeignKey(EvaluationInstitution, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=EventKind.choices)
    on_date = models.DateField(_("日期"))
    until_date = models.DateField(_("截止日期"), null=True, blank=True)
    reason = models.CharField(_("原因/说明"), max_length=300, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=40, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("机构历史")
        verbose_name_plural = _("机构历史")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="event_until_after_on",
                condition=Q(until_date__isnull=True) | Q(until_date__gte=models.F("on_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on_date} {self.get_kind_display()}"


def _attachment_path(instance: InstitutionAttachment, filename: str) -> str:
    return f"institutions/{instance.institution_id}/{filename}"


class InstitutionAttachment(models.Model):
    """A PDF or image filed with the institution (checked by its first bytes, size-limited)."""

    institution = models.ForeignKey(EvaluationInstitution, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("附件名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class SubsidyListEntry(models.Model):
    """An institution on a year's evaluation subsidy list (R16: only listed institutions claim)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    institution = models.ForeignKey(
        EvaluationInstitution, on_delete=models.PROTECT, related_name="subsidy_entries", verbose_name=_("评价机构")
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField(_("列入日期"), default=timezone.localdate)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("补贴名单")
        verbose_name_plural = _("补贴名单")
        ordering = ["-year", "institution__code"]
        constraints = [models.UniqueConstraint(fields=["year", "institution"], name="subsidy_list_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.institution}"


class Examiner(models.Model):
    """A qualified examiner (考评员), invigilator or supervisor (督导员) of one institution.

    Conflicts: the listed relatives, and the students of the institution's own school
    (derived from Student records), may not be judged by this examiner.
    """

    institution = models.ForeignKey(
        EvaluationInstitution, on_delete=models.PROTECT, related_name="examiners", verbose_name=_("评价机构")
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="examiner_roles", verbose_name=_("人员")
    )
    role = models.CharField(_("身份"), max_length=20, choices=ExaminerRole.choices)
    occupation = models.ForeignKey(
        "occupations.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("职业"),
    )
    highest_level = models.PositiveSmallIntegerField(_("可考评最高等级"), choices=SkillLevel.choices, null=True)
    qualification_number = models.CharField(_("资格证书编号"), max_length=40)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    relatives = models.ManyToManyField("people.Person", blank=True, related_name="+", verbose_name=_("需回避的亲属"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("考评人员")
        verbose_name_plural = _("考评人员")
        ordering = ["institution__code", "role", "id"]
        constraints = [
            models.CheckConstraint(name="examiner_valid_range", condition=Q(valid_until__gte=models.F("valid_from"))),
            models.CheckConstraint(
                name="examiner_has_occupation_level",
                condition=~Q(role="examiner") | (Q(occupation__isnull=False) & Q(highest_level__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["institution", "person", "role", "occupation"], name="examiner_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_role_display()}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until

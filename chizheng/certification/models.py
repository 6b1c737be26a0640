"""Certificates (R8): one record per certificate, whatever the pathway that earned it.

A certificate is created publicised (公示) by `services.certificate_publicise`, numbered by
`services.certificate_issue_due` once its publicity has ended without an open objection, and
may later be revoked (kept, shown as revoked) or reissued (a new certificate with a new number
linked to the old one, which becomes `replaced`). The database enforces one valid certificate
per person × occupation × level, and unique numbers.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.core.scoping import ScopedQuerySet
from chizheng.occupations.choices import SkillLevel
from chizheng.people.rules import mask_id_number

from .choices import CertificateKind, CertificateStatus, EvidenceType, Pathway, ReportStatus

#: Statuses that count as "a valid certificate" for R8 (one per person × occupation × level).
VALID_STATUSES = (CertificateStatus.PUBLICISED, CertificateStatus.ISSUED)


def new_verify_token() -> str:
    """A random, URL-safe token for the certificate's QR code (128 bits)."""
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """One vocational certificate of one person, with the evidence that earned it.

    `school`/`county` are the holder's affiliation when the certificate was created (scoping keys);
    the holder_* fields are frozen when it is issued and never follow later edits of the Person.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("持证人")
    )
    school = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("院校")
    )
    county = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    institution = models.ForeignKey(
        "institutions.EvaluationInstitution",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("发证机构"),
    )
    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    trade = models.ForeignKey(
        "occupations.Trade", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("工种")
    )
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    kind = models.CharField(_("证书类型"), max_length=20, choices=CertificateKind.choices)
    pathway = models.CharField(_("取证途径"), max_length=20, choices=Pathway.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.PUBLICISED
    )
    number = models.CharField(_("证书编号"), max_length=32, null=True, blank=True, unique=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    publicity_starts = models.DateField(_("公示开始"))
    publicity_ends = models.DateField(_("公示结束"))
    # holder data, frozen at issue
    holder_name = models.CharField(_("姓名"), max_length=50)
    holder_id_number = models.CharField(_("身份证号"), max_length=18)
    holder_sex = models.CharField(_("性别"), max_length=1)
    holder_birth_date = models.DateField(_("出生日期"))
    holder_photo = models.CharField(_("照片文件"), max_length=200, blank=True)
    # evidence
    evidence_type = models.CharField(_("依据类型"), max_length=30, choices=EvidenceType.choices)
    evidence_id = models.CharField(_("依据编号"), max_length=60, blank=True)
    evidence = models.JSONField(_("取证依据"), default=dict, blank=True)
    # lifecycle
    reissue_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissued_as", verbose_name=_("原证书")
    )
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    verify_token = models.CharField(_("核验码"), max_length=32, unique=True, default=new_verify_token)
    # query systems (R10)
    national_report_status = models.CharField(
        _("全国系统上报"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    national_reported_on = models.DateField(_("全国系统上报日期"), null=True, blank=True)
    national_receipt = models.CharField(_("全国系统回执"), max_length=100, blank=True)
    henan_report_status = models.CharField(
        _("河南系统上报"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    henan_reported_on = models.DateField(_("河南系统上报日期"), null=True, blank=True)
    henan_receipt = models.CharField(_("河南系统回执"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["school", "id"]),
            models.Index(fields=["county", "id"]),
            models.Index(fields=["institution", "status", "publicity_ends"]),
            models.Index(fields=["holder_name"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "occupation", "level"],
                condition=Q(status__in=["publicised", "issued"]),
                name="certificate_one_valid_per_person_occupation_level",
            ),
            models.CheckConstraint(name="certificate_level_1_to_5", condition=Q(level__gte=1, level__lte=5)),
            models.CheckConstraint(
                name="certificate_issued_has_number",
                condition=Q(status="publicised")
                | Q(status="revoked", issued_on__isnull=True)
                | Q(number__isnull=False),
            ),
            models.CheckConstraint(
                name="certificate_revoked_has_date", condition=~Q(status="revoked") | Q(revoked_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '（未编号）'} {self.holder_name}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.ISSUED

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.holder_id_number)


class NumberSequence(models.Model):
    """The last serial used per station, year and level: the row the issuer locks for gap-free numbering."""

    station_code = models.CharField(_("站点代码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("年份"))
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    last_serial = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("证书编号序列")
        verbose_name_plural = _("证书编号序列")
        constraints = [
            models.UniqueConstraint(fields=["station_code", "year", "level"], name="number_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.station_code}/{self.year}/{self.level}: {self.last_serial}"


class Objection(models.Model):
    """An objection (异议) raised against a publicised certificate; it blocks issue until resolved."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="objections")
    raised_on = models.DateField(_("提出日期"))
    text = models.TextField(_("异议内容"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)
    upheld = models.BooleanField(_("异议成立"), null=True)
    resolution = models.TextField(_("处理结果"), blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["raised_on", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.raised_on}"


# Query-system reporting (R10) lives in its own module; imported here so Django registers its models.
from .report_models import ReportBatch, ReportItem  # noqa: E402, F401

"""Reporting certificates to the query systems (R10): export batches and their rows.

A `ReportBatch` is one export file for one query system (national or Henan), covering the certificates
of one scope (a school, a county, or the whole city). Each `ReportItem` is one row of that file: a
certificate to add (新增) or, for a certificate the system already holds that was since revoked or
replaced, to revoke (撤销). The system's receipt sets each row's result; the certificate keeps the
current state per system in its `<system>_report_status` columns (what the system holds), the items
keep the history. The database allows at most one row awaiting a receipt per certificate and system.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.core.scoping import ScopedQuerySet


class QuerySystem(models.TextChoices):
    """The certificate query systems a certificate is reported to (layouts: `reporting.SYSTEMS`)."""

    NATIONAL = "national", _("全国联网查询系统")
    HENAN = "henan", _("河南省证书查询系统")


class BatchStatus(models.TextChoices):
    EXPORTED = "exported", _("已导出待回执")
    PARTIAL = "partial", _("部分回执")
    DONE = "done", _("回执已导入")


class ReportOperation(models.TextChoices):
    ADD = "add", _("新增")
    REVOKE = "revoke", _("撤销")


class ItemResult(models.TextChoices):
    PENDING = "pending", _("待回执")
    ACCEPTED = "accepted", _("成功")
    REJECTED = "rejected", _("失败")


class ReportBatch(models.Model):
    """One export file for one query system; `school`/`county` are the scope it covers (both empty: the city)."""

    system = models.CharField(_("查询系统"), max_length=20, choices=QuerySystem.choices)
    school = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("院校")
    )
    county = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    status = models.CharField(_("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.EXPORTED)
    count = models.PositiveIntegerField(_("行数"), default=0)
    revocations = models.PositiveIntegerField(_("其中撤销"), default=0)
    accepted = models.PositiveIntegerField(_("成功"), default=0)
    rejected = models.PositiveIntegerField(_("失败"), default=0)
    file = models.FileField(_("上报文件"), upload_to="reports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("导出时间"), default=timezone.now)
    receipt_at = models.DateTimeField(_("最近回执导入"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("上报批次")
        verbose_name_plural = _("上报批次")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["school", "id"]),
            models.Index(fields=["county", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="report_batch_revocations_le_count", condition=Q(revocations__lte=models.F("count"))
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The batch number printed in the file name and accepted in the receipt's 批次号 column."""
        from .reporting import system_spec

        return f"{system_spec(self.system).code}{self.pk or 0:06d}"

    @property
    def pending(self) -> int:
        return self.count - self.accepted - self.rejected


class ReportItem(models.Model):
    """One row of an export batch: a certificate to add to or revoke from the system, and the receipt's answer."""

    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("批次"))
    certificate = models.ForeignKey(
        "certification.Certificate", on_delete=models.PROTECT, related_name="report_items", verbose_name=_("证书")
    )
    system = models.CharField(_("查询系统"), max_length=20, choices=QuerySystem.choices)
    operation = models.CharField(_("操作类型"), max_length=10, choices=ReportOperation.choices)
    row = models.PositiveIntegerField(_("序号"))
    result = models.CharField(_("结果"), max_length=10, choices=ItemResult.choices, default=ItemResult.PENDING)
    receipt = models.CharField(_("回执编号"), max_length=100, blank=True)
    reason = models.CharField(_("失败原因"), max_length=300, blank=True)
    answered_on = models.DateField(_("回执日期"), null=True, blank=True)
    # the certificate's scope keys, for listing items within scope
    school = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("院校")
    )
    county = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("上报明细")
        verbose_name_plural = _("上报明细")
        ordering = ["batch", "row"]
        indexes = [models.Index(fields=["certificate", "system"])]
        constraints = [
            models.UniqueConstraint(fields=["batch", "certificate"], name="report_item_once_per_batch"),
            models.UniqueConstraint(
                fields=["certificate", "system"],
                condition=Q(result="pending"),
                name="report_item_one_pending_per_system",
            ),
            models.CheckConstraint(
                name="report_item_accepted_has_receipt", condition=~Q(result="accepted") | ~Q(receipt="")
            ),
            models.CheckConstraint(
                name="report_item_rejected_has_reason", condition=~Q(result="rejected") | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.row}"

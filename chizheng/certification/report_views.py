"""R10 pages: 上报管理 (batches, export, download, receipt import) and 未上报证书 (the backlog, exportable)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from chizheng.core.choices import OrgKind
from chizheng.core.excel import attachment
from chizheng.core.http import actor_of, form_page
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import scope_of

from . import reporting
from .choices import ReportStatus
from .models import Certificate
from .report_imports import kind_key
from .report_models import BatchStatus, ItemResult, ReportBatch, ReportItem, ReportOperation

_SYSTEM_CHOICES = [(spec.key, spec.short) for spec in reporting.SYSTEMS.values()]
_NOT_HELD = [(value, label) for value, label in ReportStatus.choices if value != ReportStatus.ACCEPTED]


def _batch_url(batch: ReportBatch) -> str:
    return reverse("certification:report_batch_detail", args=[batch.pk])


def _scope_label(batch: ReportBatch) -> str:
    if batch.school_id and batch.school:
        return batch.school.name
    if batch.county_id and batch.county:
        return f"{batch.county.name}（全县区）"
    return "全市"


def _schools(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.restrict(user).filter(kind=OrgKind.SCHOOL).order_by("code")


@login_required
def report_batch_list(request: HttpRequest) -> HttpResponseBase:
    """上报管理: the export batches in scope, what is due per system, and the ways to export and import receipts."""
    user = request.user
    require(user, Perm.VIEW_CERTIFICATES)
    actions: list[tuple[str, str]] = []
    if has_perm(user, Perm.REPORT_CERTIFICATES):
        actions = [("导出上报文件", reverse("certification:report_batch_create"))]
        actions += [
            (f"导入{spec.short}回执", reverse("core:import_upload") + f"?kind={kind_key(spec.key)}")
            for spec in reporting.SYSTEMS.values()
        ]
    page = ListPage(
        title="上报管理",
        queryset=reporting.batches_for(user).order_by("-created_at", "-id"),
        columns=[
            Column("批次号", lambda b: b.code, link=_batch_url),
            Column("查询系统", lambda b: reporting.system_spec(b.system).short),
            Column("范围", _scope_label),
            Column("导出时间", lambda b: timezone.localtime(b.created_at).strftime("%Y-%m-%d %H:%M")),
            Column("导出人", lambda b: b.created_by or ""),
            Column("行数", lambda b: b.count),
            Column("其中撤销", lambda b: b.revocations),
            Column("成功", lambda b: b.accepted),
            Column("失败", lambda b: b.rejected),
            Column("待回执", lambda b: b.pending),
            Column("状态", lambda b: b.get_status_display()),
        ],
        filters=[
            Filter("system", "查询系统", "system", _SYSTEM_CHOICES),
            Filter("status", "状态", "status", BatchStatus.choices),
        ],
        search_fields=["items__certificate__number"],
        search_placeholder="证书编号",
        export_name=None,
        breadcrumbs=[("证书", reverse("certification:certificate_list"))],
        actions=actions,
        extra={
            "due": [(reporting.SYSTEMS[key], counts) for key, counts in reporting.due_counts(user).items()],
            "unreported_url": reverse("certification:report_unreported"),
        },
    )
    return page.render(request, "certification/report_batches.html")


class BatchForm(forms.Form):
    system = forms.ChoiceField(label="查询系统", choices=_SYSTEM_CHOICES)
    school = forms.ModelChoiceField(
        label="院校",
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="管理范围内全部院校",
        help_text="不选则导出您管理范围内全部院校的证书",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scope_of(user).kind == "school":
            del self.fields["school"]
        else:
            self.fields["school"].queryset = _schools(user)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


@login_required
def report_batch_create(request: HttpRequest) -> HttpResponseBase:
    """Export a new batch: the certificates due in scope (or one school) for the chosen system."""
    require(request.user, Perm.REPORT_CERTIFICATES)
    actor = actor_of(request)
    form = BatchForm(request.POST or None, user=actor, initial={"system": request.GET.get("system", "national")})
    due = reporting.due_counts(actor)
    note = "；".join(
        f"{reporting.SYSTEMS[key].short}：新发 {c['new']}、被退回 {c['failed']}、待上报撤销 {c['revocations']}"
        for key, c in due.items()
    )

    def call(data: dict[str, Any]) -> str:
        batch = reporting.report_batch_create(actor=actor, system=data["system"], school=data.get("school"))
        return _batch_url(batch)

    return form_page(
        request,
        form,
        "导出上报文件",
        reverse("certification:report_batch_list"),
        call,
        "已导出上报文件，请下载后上传到对应查询系统，收到回执后在本页导入回执。",
        note=f"本次可导出（{note}）。导出后这些证书标记为“已导出待回执”，直到导入回执。",
    )


def _item_answer(item: ReportItem) -> str:
    if item.result == ItemResult.ACCEPTED:
        return item.receipt
    if item.result == ItemResult.REJECTED:
        return item.reason
    return ""


@login_required
def report_batch_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One batch: its rows with their answers, download (again, or only the rows still awaiting a receipt)."""
    batch = reporting.get_batch_for(request.user, pk)
    spec = reporting.system_spec(batch.system)
    page = ListPage(
        title=f"{spec.short}上报批次 {batch.code}",
        queryset=ReportItem.objects.filter(batch=batch)
        .select_related("certificate__occupation", "certificate__school")
        .order_by("row"),
        columns=[
            Column("序号", lambda i: i.row),
            Column("操作类型", lambda i: i.get_operation_display()),
            Column(
                "证书编号",
                lambda i: i.certificate.number,
                link=lambda i: reverse("certification:certificate_detail", args=[i.certificate_id]),
            ),
            Column("姓名", lambda i: i.certificate.holder_name),
            Column("职业", lambda i: i.certificate.occupation.name),
            Column("等级", lambda i: i.certificate.get_level_display()),
            Column("院校", lambda i: i.certificate.school.name if i.certificate.school_id else ""),
            Column("结果", lambda i: i.get_result_display()),
            Column("回执编号 / 失败原因", _item_answer),
            Column("回执日期", lambda i: i.answered_on or ""),
        ],
        filters=[
            Filter("result", "结果", "result", ItemResult.choices),
            Filter("operation", "操作类型", "operation", ReportOperation.choices),
        ],
        search_fields=["certificate__number", "certificate__holder_name"],
        search_placeholder="证书编号或姓名",
        export_name=None,
        breadcrumbs=[("上报管理", reverse("certification:report_batch_list"))],
        extra={
            "batch": batch,
            "spec": spec,
            "scope_label": _scope_label(batch),
            "can_report": has_perm(request.user, Perm.REPORT_CERTIFICATES),
            "receipt_url": reverse("core:import_upload") + f"?kind={kind_key(batch.system)}",
        },
    )
    return page.render(request, "certification/report_batch_detail.html")


@login_required
@require_GET
def report_batch_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The batch's file (audited: full ID numbers); `?pending=1` only the rows still awaiting a receipt."""
    require(request.user, Perm.REPORT_CERTIFICATES)
    batch = reporting.get_batch_for(request.user, pk)
    pending_only = request.GET.get("pending") == "1"
    stream = reporting.report_batch_download(actor=actor_of(request), batch=batch, pending_only=pending_only)
    return attachment(stream, reporting.file_name(batch, pending_only=pending_only))


@dataclasses.dataclass
class _UnreportedPage(ListPage):
    """A ListPage whose `system` filter means "not held by that system" (a condition on one of two columns)."""

    def filtered(self, request: HttpRequest) -> QuerySet[Any]:
        system = request.GET.get("system", "")
        base = self.queryset
        if system in reporting.SYSTEMS:
            base = base.exclude(**{reporting.SYSTEMS[system].status_field: ReportStatus.ACCEPTED})
        plain = dataclasses.replace(self, queryset=base, filters=[f for f in self.filters if f.name != "system"])
        return ListPage.filtered(plain, request)


def _held(spec: reporting.SystemSpec) -> Any:
    def value(cert: Certificate) -> str:
        status = getattr(cert, spec.status_field)
        label = str(dict(ReportStatus.choices)[status])
        if status == ReportStatus.REJECTED:
            return f"{label}（{getattr(cert, spec.receipt_field)}）"
        return label

    return value


@login_required
def report_unreported(request: HttpRequest) -> HttpResponseBase:
    """未上报证书: issued certificates one or both systems do not hold yet, oldest first, with their age."""
    user = request.user
    require(user, Perm.VIEW_CERTIFICATES)
    today = timezone.localdate()
    counties = OrgUnit.objects.restrict(user).filter(kind=OrgKind.COUNTY).order_by("code")
    page = _UnreportedPage(
        title="未上报证书",
        queryset=reporting.unreported_for(user).order_by("issued_on", "id"),
        columns=[
            Column(
                "证书编号",
                lambda c: c.number,
                link=lambda c: reverse("certification:certificate_detail", args=[c.pk]),
            ),
            Column("姓名", lambda c: c.holder_name),
            Column("院校", lambda c: c.school.name if c.school_id else ""),
            Column("县区", lambda c: c.county.name if c.county_id else ""),
            Column("职业", lambda c: c.occupation.name),
            Column("等级", lambda c: c.get_level_display()),
            Column("发证日期", lambda c: f"{c.issued_on:%Y-%m-%d}" if c.issued_on else ""),
            Column("已发证天数", lambda c: reporting.age_days(c, today)),
            *[Column(spec.short, _held(spec)) for spec in reporting.SYSTEMS.values()],
        ],
        filters=[
            Filter("system", "未上报的系统", "", _SYSTEM_CHOICES),
            Filter("school", "院校", "school_id", [(s.pk, s.name) for s in _schools(user)]),
            Filter("county", "县区", "county_id", [(c.pk, c.name) for c in counties]),
            *[
                Filter(spec.prefix, f"{spec.short}状态", spec.status_field, _NOT_HELD)
                for spec in reporting.SYSTEMS.values()
            ],
        ],
        search_fields=["number", "holder_name"],
        search_placeholder="证书编号或姓名",
        export_name="未上报证书",
        breadcrumbs=[("上报管理", reverse("certification:report_batch_list"))],
    )
    return page.render(request)

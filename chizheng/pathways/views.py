"""Thin views of the recognition pathways: batches (preview → confirm → issue), 1+X records and the
city's 1+X → occupation mapping. R6/R7 source pages live next to these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chizheng.certification.choices import Pathway
from chizheng.core.errors import NotFound
from chizheng.core.http import action_page, actor_of, form_page
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import has_perm, require

from . import batches, rules, selectors, services
from . import forms as f
from .choices import BatchStatus, CandidateOutcome, XLevel
from .imports import MAPPING_KIND, X_KIND
from .models import RecognitionBatch, XCertMapping


def _detail_url(b: RecognitionBatch) -> str:
    return reverse("pathways:batch_detail", args=[b.pk])


def _action(request: HttpRequest, batch: RecognitionBatch, call: Callable[[], Any], done: str) -> HttpResponseBase:
    return action_page(request, _detail_url(batch), call, done)


# ------------------------------------------------------------------------------------------ batches


@login_required
def batch_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    can_run = has_perm(request.user, services.RUN_PERM)
    page = ListPage(
        title="认定批次",
        queryset=selectors.batches_for(request.user),
        columns=[
            Column("批次", lambda b: b.title, link=_detail_url),
            Column("取证途径", lambda b: b.get_pathway_display()),
            Column("评价机构", lambda b: b.institution.name),
            Column("职业", lambda b: f"{b.occupation.code} {b.occupation.name}" if b.occupation else "不限"),
            Column("符合/不符合", lambda b: f"{b.qualified_count} / {b.refused_count}"),
            Column("证书数", lambda b: b.certificate_count),
            Column("状态", lambda b: b.get_status_display()),
            Column("创建时间", lambda b: timezone.localtime(b.created_at).strftime("%Y-%m-%d %H:%M")),
        ],
        filters=[
            Filter("pathway", "取证途径", "pathway", [(p, batches.PATHWAY_LABELS[p]) for p in batches.PATHWAY_MODULES]),
            Filter("status", "状态", "status", BatchStatus.choices),
        ],
        search_fields=["title__icontains", "occupation__name__icontains"],
        search_placeholder="批次名称、职业",
        export_name="认定批次",
        actions=[
            (f"新建{batches.PATHWAY_LABELS[p]}批次", reverse("pathways:batch_create", args=[p]))
            for p in batches.PATHWAY_MODULES
        ]
        if can_run
        else [],
    )
    return page.render(request)


@login_required
def batch_create(request: HttpRequest, pathway: str) -> HttpResponseBase:
    require(request.user, services.RUN_PERM)
    if pathway not in batches.PATHWAY_MODULES:
        raise NotFound()
    actor = actor_of(request)
    # A mapping's or competition's page links here with its id: preselect it (the form still checks scope).
    initial = {key: request.GET[key] for key in ("course_mapping", "competition", "institution") if key in request.GET}
    form = f.BatchForm(request.POST or None, actor=actor, pathway=pathway, initial=initial)

    def call(data: dict[str, Any]) -> str:
        batch = batches.batch_create(actor=actor, pathway=pathway, **data)
        return _detail_url(batch)

    notes: dict[str, str] = {
        Pathway.DIRECT: "R5：1+X 高级、中级 → 高级工，初级 → 中级工，职业按市级 1+X 证书职业对应表。",
        Pathway.PROCESS: "R6：毕业生或毕业年级学生，方案内每门课程理论、实践均合格；"
        "本科/专科 → 高级工，中职 → 中级工。",
        Pathway.COMPETITION: "R7：按竞赛认定规则（名次或成绩段 → 等级）认定参赛学生、教师。",
    }
    note = notes[pathway] + " 创建后先预览：逐人列出是否符合及原因；确认后公示，公示期满发证。"
    title = f"新建{batches.PATHWAY_LABELS[pathway]}批次"
    return form_page(request, form, title, reverse("pathways:batch_list"), call, "已创建批次，请预览。", note)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    batch = selectors.get_batch_for(request.user, pk)
    candidates = list(selectors.candidates_of(batch))
    qualifying = [c for c in candidates if c.outcome == CandidateOutcome.QUALIFIES]
    refused = [c for c in candidates if c.outcome == CandidateOutcome.REFUSED]
    reasons: dict[str, int] = {}
    for c in refused:
        label = rules.REASON_LABELS.get(c.reason_code, c.reason_code)
        reasons[label] = reasons.get(label, 0) + 1
    context = {
        "batch": batch,
        "qualifying": qualifying,
        "refused": refused,
        "reasons": sorted(reasons.items(), key=lambda kv: -kv[1]),
        "can_run": has_perm(request.user, services.RUN_PERM),
        "today": timezone.localdate(),
    }
    return render(request, "pathways/batch_detail.html", context)


def _batch_to_run(request: HttpRequest, pk: int) -> RecognitionBatch:
    require(request.user, services.RUN_PERM)
    return selectors.get_batch_for(request.user, pk)


@login_required
@require_POST
def batch_preview(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch_to_run(request, pk)
    return _action(
        request,
        batch,
        lambda: batches.batch_preview(actor=actor_of(request), batch=batch),
        "已预览：请核对名单与原因。",
    )


@login_required
def batch_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch_to_run(request, pk)
    form = f.DateForm(request.POST or None, label="公示开始日期", initial={"on_date": timezone.localdate()})

    def call(data: dict[str, Any]) -> str:
        batches.batch_confirm(actor=actor_of(request), batch=batch, on_date=data["on_date"])
        return _detail_url(batch)

    note = (
        f"{batch.title}：为 {batch.qualified_count} 名符合条件的人员公示证书 {batch.publicity_days} 天"
        "（期间可提出异议），公示期满后发证。确认后批次不能再修改；已持有同一证书的人员不会重复发证。"
    )
    return form_page(request, form, "确认并公示", _detail_url(batch), call, "已确认，证书公示中。", note)


@login_required
def batch_issue(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch_to_run(request, pk)
    form = f.DateForm(request.POST or None, label="发证日期", initial={"on_date": timezone.localdate()})

    def call(data: dict[str, Any]) -> str:
        issued = batches.batch_issue(actor=actor_of(request), batch=batch, on_date=data["on_date"])
        messages.info(request, f"本次共发证 {len(issued)} 本（含该评价机构其他公示期满的证书）。")
        return _detail_url(batch)

    note = f"{batch.title}：公示期满且无未处理异议的证书编号发证。"
    return form_page(request, form, "发证", _detail_url(batch), call, "已发证。", note)


# ----------------------------------------------------------------------------------------- R5 data


@login_required
def x_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    actions = []
    if has_perm(request.user, services.RUN_PERM):
        actions = [
            ("下载导入模板", reverse("core:import_template", args=[X_KIND])),
            ("导入 1+X 证书", reverse("core:import_upload") + f"?kind={X_KIND}"),
        ]
    page = ListPage(
        title="1+X 证书",
        queryset=selectors.x_certificates_for(request.user),
        columns=[
            Column("姓名", lambda x: x.person.name),
            Column("身份证号", lambda x: x.person.masked_id_number),
            Column("院校", lambda x: x.school.name),
            Column("培训评价组织", lambda x: x.organisation),
            Column("证书名称", lambda x: x.name),
            Column("等级", lambda x: x.get_level_display()),
            Column("证书编号", lambda x: x.number),
            Column("发证日期", lambda x: x.issued_on),
        ],
        filters=[Filter("level", "等级", "level", XLevel.choices)],
        search_fields=["person__name", "person__id_number", "name__icontains", "number", "organisation__icontains"],
        search_placeholder="姓名、身份证号、证书名称或编号",
        export_name="1+X证书",
        actions=actions,
    )
    return page.render(request)


@login_required
def mapping_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    can_map = has_perm(request.user, services.MAP_PERM)
    actions = []
    if can_map:
        actions = [
            ("新增对应", reverse("pathways:mapping_create")),
            ("下载导入模板", reverse("core:import_template", args=[MAPPING_KIND])),
            ("导入对应表", reverse("core:import_upload") + f"?kind={MAPPING_KIND}"),
        ]
    page = ListPage(
        title="1+X 证书职业对应",
        queryset=selectors.x_mappings(),
        columns=[
            Column(
                "1+X 证书名称",
                lambda m: m.certificate_name,
                link=(lambda m: reverse("pathways:mapping_edit", args=[m.pk])) if can_map else None,
            ),
            Column("培训评价组织", lambda m: m.organisation or "不限"),
            Column("职业", lambda m: f"{m.occupation.code} {m.occupation.name}"),
            Column("工种", lambda m: m.trade.name if m.trade else "--"),
            Column("备注", lambda m: m.note),
        ],
        search_fields=["certificate_name__icontains", "organisation__icontains", "occupation__name__icontains"],
        search_placeholder="证书名称、组织、职业",
        export_name="1+X证书职业对应",
        actions=actions,
    )
    return page.render(request)


def _mapping_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("certificate_name", "organisation", "occupation", "trade", "note")}


@login_required
def mapping_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.MAP_PERM)
    actor = actor_of(request)
    form = f.MappingForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.xmapping_create(actor=actor, **_mapping_fields(data))
        return reverse("pathways:mapping_list")

    note = "R5：持有该 1+X 证书的学生可直接认定为对应职业的高级工（1+X 高级、中级）或中级工（1+X 初级）。"
    return form_page(request, form, "新增 1+X 证书职业对应", reverse("pathways:mapping_list"), call, "已保存。", note)


def _mapping(pk: int) -> XCertMapping:
    try:
        return XCertMapping.objects.select_related("occupation", "trade").get(pk=pk)
    except XCertMapping.DoesNotExist:
        raise NotFound() from None


@login_required
def mapping_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, services.MAP_PERM)
    mapping = _mapping(pk)
    actor = actor_of(request)
    initial = {
        "certificate_name": mapping.certificate_name,
        "organisation": mapping.organisation,
        "occupation": mapping.occupation.code,
        "trade": mapping.trade.name if mapping.trade else "",
        "note": mapping.note,
    }
    form = f.MappingForm(request.POST or None, initial=initial)

    def call(data: dict[str, Any]) -> str:
        services.xmapping_update(actor=actor, mapping=mapping, **_mapping_fields(data))
        return reverse("pathways:mapping_list")

    note = "修改只影响以后的预览；已确认的批次和已发的证书不变。"
    return form_page(request, form, "修改 1+X 证书职业对应", reverse("pathways:mapping_list"), call, "已保存。", note)

"""Thin views of evaluation institutions: the school's filings, the HRSS review queue and dynamic
management, the examiner registry, the subsidy list, and the public catalog (no login)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chizheng.core.choices import OrgKind
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.http import actor_of, form_page
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for
from chizheng.occupations.choices import SkillLevel
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person

from . import forms as f
from . import selectors, services
from .choices import InstitutionKind, InstitutionStatus
from .models import EvaluationInstitution, Examiner, InstitutionAttachment, InstitutionScope, SubsidyListEntry


def scope_text(institution: EvaluationInstitution) -> str:
    """Active scope rows as "车工（≤三级/高级工）、…" (uses prefetched scopes)."""
    return "、".join(
        f"{s.occupation.name}（最高{SkillLevel(s.highest_level).label}）" for s in institution.active_scopes()
    )


def _detail_url(i: EvaluationInstitution) -> str:
    return reverse("institutions:institution_detail", args=[i.pk])


def _county_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in OrgUnit.objects.filter(kind=OrgKind.COUNTY).values_list("pk", "name")]


@login_required
def institution_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_INSTITUTIONS)
    can_file = has_perm(request.user, Perm.FILE_INSTITUTION)
    page = ListPage(
        title="评价机构",
        queryset=selectors.institutions_for(request.user).prefetch_related("scopes__occupation").order_by("code"),
        columns=[
            Column("机构代码", lambda i: i.code),
            Column("机构名称", lambda i: i.name, link=_detail_url),
            Column("类型", lambda i: i.get_kind_display()),
            Column("院校", lambda i: i.school.name),
            Column("县区", lambda i: i.county.name),
            Column("状态", lambda i: i.get_status_display()),
            Column("备案编号", lambda i: i.filing_number),
            Column("备案日期", lambda i: i.filed_on or ""),
            Column("年度审核到期", lambda i: i.review_due_on or ""),
            Column("评价范围", scope_text),
        ],
        filters=[
            Filter("status", "状态", "status", InstitutionStatus.choices),
            Filter("kind", "类型", "kind", InstitutionKind.choices),
        ],
        search_fields=["name__icontains", "code", "filing_number__icontains", "school__name__icontains"],
        search_placeholder="机构名称、代码、备案编号或院校",
        export_name="评价机构",
        actions=[("新增备案", reverse("institutions:institution_create"))] if can_file else [],
    )
    return page.render(request)


@login_required
def review_queue(request: HttpRequest) -> HttpResponseBase:
    """The HRSS officer's queue: submitted filings, oldest first."""
    require(request.user, Perm.REVIEW_INSTITUTION)
    page = ListPage(
        title="备案审核",
        queryset=selectors.institutions_for(request.user)
        .filter(status=InstitutionStatus.SUBMITTED)
        .prefetch_related("scopes__occupation")
        .order_by("updated_at"),
        columns=[
            Column("机构名称", lambda i: i.name, link=_detail_url),
            Column("类型", lambda i: i.get_kind_display()),
            Column("院校", lambda i: i.school.name),
            Column("县区", lambda i: i.county.name),
            Column("提交时间", lambda i: i.updated_at.strftime("%Y-%m-%d %H:%M")),
            Column("评价范围", scope_text),
        ],
        search_fields=["name__icontains", "school__name__icontains"],
        export_name="备案审核",
    )
    return page.render(request)


def catalog(request: HttpRequest) -> HttpResponseBase:
    """The public catalog (no login): every filed institution and its current state."""
    page = ListPage(
        title="职业技能评价机构目录",
        queryset=selectors.public_catalog(),
        columns=[
            Column("机构名称", lambda i: i.name),
            Column("机构类型", lambda i: i.get_kind_display()),
            Column("院校", lambda i: i.school.name),
            Column("县区", lambda i: i.county.name),
            Column("评价范围", scope_text),
            Column("状态", lambda i: i.get_status_display()),
            Column("备案编号", lambda i: i.filing_number),
            Column("备案日期", lambda i: i.filed_on or ""),
        ],
        filters=[
            Filter("kind", "类型", "kind", InstitutionKind.choices),
            Filter("county", "县区", "county", _county_choices()),
            Filter(
                "status",
                "状态",
                "status",
                [(s, label) for s, label in InstitutionStatus.choices if s in ("filed", "suspended", "revoked")],
            ),
        ],
        search_fields=[
            "name__icontains",
            "school__name__icontains",
            "filing_number__icontains",
            "scopes__occupation__name__icontains",
        ],
        search_placeholder="机构、院校、备案编号或职业",
        export_name="评价机构目录",
    )
    page.queryset = page.queryset.distinct()
    return page.render(request)


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.VIEW_INSTITUTIONS)
    institution = selectors.get_institution_for(request.user, pk)
    scopes = institution.scopes.select_related("occupation").order_by("occupation__code", "added_on")
    user = request.user
    can_file = has_perm(user, Perm.FILE_INSTITUTION)
    can_review = has_perm(user, Perm.REVIEW_INSTITUTION)
    status = institution.status
    context = {
        "inst": institution,
        "scopes": scopes,
        "events": institution.events.select_related("actor").order_by("at", "id"),
        "attachments": institution.attachments.all(),
        "examiners": institution.examiners.select_related("person", "occupation"),
        "subsidy_entries": institution.subsidy_entries.order_by("year"),
        "can_examiners": has_perm(user, Perm.MANAGE_EXAMINERS),
        "can_amend": can_file and status in ("draft", "returned"),
        "can_review": can_review,
        "can_scope": (can_file and not institution.is_filed) or (can_review and status in ("filed", "suspended")),
        "can_attach": can_file,
    }
    return render(request, "institutions/institution_detail.html", context)


@login_required
def institution_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.FILE_INSTITUTION)
    actor = actor_of(request)
    form = f.InstitutionForm(request.POST or None, actor=actor)

    def call(data: dict[str, Any]) -> str:
        return _detail_url(services.institution_file(actor=actor, **data))

    note = "保存后请添加评价范围（职业及最高等级）和附件，再提交备案。"
    back = reverse("institutions:institution_list")
    return form_page(request, form, "新增评价机构备案", back, call, "已保存为草稿。", note)


@login_required
def institution_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.FILE_INSTITUTION)
    inst = selectors.get_institution_for(request.user, pk)
    initial = {k: getattr(inst, k) for k in ("kind", "name", "code", "contact", "phone", "email", "sites")}
    form = f.InstitutionForm(request.POST or None, actor=actor_of(request), editing=True, initial=initial)
    return form_page(
        request,
        form,
        f"修改 {inst.name}",
        _detail_url(inst),
        lambda d: services.institution_update(actor=actor_of(request), institution=inst, **d),
        "已保存。",
        f"退回原因：{inst.returned_reason}" if inst.returned_reason else "",
    )


@login_required
@require_POST
def institution_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.FILE_INSTITUTION)
    inst = selectors.get_institution_for(request.user, pk)
    try:
        services.institution_submit(actor=actor_of(request), institution=inst)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "已提交人社部门备案。")
    return redirect(_detail_url(inst))


def _scope_perm(request: HttpRequest) -> None:
    if not (has_perm(request.user, Perm.FILE_INSTITUTION) or has_perm(request.user, Perm.REVIEW_INSTITUTION)):
        require(request.user, Perm.FILE_INSTITUTION)


@login_required
def scope_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    _scope_perm(request)
    inst = selectors.get_institution_for(request.user, pk)
    form = f.ScopeForm(request.POST or None)
    return form_page(
        request,
        form,
        f"{inst.name}：增加评价范围",
        _detail_url(inst),
        lambda d: services.institution_scope_add(actor=actor_of(request), institution=inst, **d) and None,
        "已增加评价范围。",
        "最高等级：1 级（高级技师）最高，5 级（初级工）最低；须为该职业国家标准或已备案评价规范设置的等级。",
    )


@login_required
def scope_remove(request: HttpRequest, pk: int, scope_pk: int) -> HttpResponseBase:
    _scope_perm(request)
    inst = selectors.get_institution_for(request.user, pk)
    scope = InstitutionScope.objects.filter(institution=inst, pk=scope_pk).select_related("occupation").first()
    if scope is None:
        raise NotFound()
    form = f.ScopeRemoveForm(request.POST or None)
    return form_page(
        request,
        form,
        f"{inst.name}：取消评价范围 {scope.occupation.name}",
        _detail_url(inst),
        lambda d: (
            services.institution_scope_remove(actor=actor_of(request), institution=inst, scope=scope, **d) and None
        ),
        "已取消该评价范围。",
    )


@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.FILE_INSTITUTION)
    inst = selectors.get_institution_for(request.user, pk)
    form = f.AttachmentForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        f"{inst.name}：上传附件",
        _detail_url(inst),
        lambda d: (
            services.attachment_add(
                actor=actor_of(request), institution=inst, uploaded_file=d["file"], title=d["title"]
            )
            and None
        ),
        "已上传。",
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, att_pk: int) -> HttpResponseBase:
    require(request.user, Perm.VIEW_INSTITUTIONS)
    inst = selectors.get_institution_for(request.user, pk)
    att = InstitutionAttachment.objects.filter(institution=inst, pk=att_pk).first()
    if att is None or not att.file:
        raise NotFound()
    suffix = (att.file.name or "").rsplit(".", 1)[-1]
    return FileResponse(att.file.open("rb"), filename=f"{att.title}.{suffix}", content_type=att.content_type)


def _hrss_action(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    title: str,
    done: str,
    call: Callable[..., Any],
) -> HttpResponseBase:
    require(request.user, Perm.REVIEW_INSTITUTION)
    inst = selectors.get_institution_for(request.user, pk)
    form = form_class(request.POST or None)
    return form_page(
        request,
        form,
        f"{inst.name}：{title}",
        _detail_url(inst),
        lambda d: call(actor=actor_of(request), institution=inst, **d) and None,
        done,
    )


@login_required
def institution_approve(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _hrss_action(request, pk, f.ApproveForm, "备案通过", "已备案。", services.institution_approve)


@login_required
def institution_return(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _hrss_action(request, pk, f.ReturnForm, "退回", "已退回院校。", services.institution_return)


@login_required
def institution_annual_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _hrss_action(
        request, pk, f.AnnualReviewForm, "年度审核", "已记录年度审核。", services.institution_annual_review
    )


@login_required
def institution_suspend(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _hrss_action(request, pk, f.SuspendForm, "暂停", "已暂停。", services.institution_suspend)


@login_required
def institution_restore(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _hrss_action(request, pk, f.DatedReasonForm, "恢复", "已恢复。", services.institution_restore)


@login_required
def institution_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _hrss_action(request, pk, f.DatedReasonForm, "撤销备案", "已撤销备案。", services.institution_revoke)


# --- subsidy list -------------------------------------------------------------------------------


@login_required
def subsidy_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_INSTITUTIONS)
    years = sorted(set(SubsidyListEntry.objects.values_list("year", flat=True)), reverse=True)
    can = has_perm(request.user, Perm.REVIEW_INSTITUTION)
    page = ListPage(
        title="评价补贴机构名单",
        queryset=SubsidyListEntry.objects.restrict(request.user).select_related("institution", "school", "county"),
        columns=[
            Column("年度", lambda e: e.year),
            Column("机构名称", lambda e: e.institution.name, link=lambda e: _detail_url(e.institution)),
            Column("备案编号", lambda e: e.institution.filing_number),
            Column("院校", lambda e: e.school.name),
            Column("县区", lambda e: e.county.name),
            Column("列入日期", lambda e: e.added_on),
            Column("备注", lambda e: e.note),
        ],
        filters=[Filter("year", "年度", "year", [(y, y) for y in years])],
        search_fields=["institution__name__icontains"],
        export_name="评价补贴机构名单",
        actions=[("列入名单", reverse("institutions:subsidy_add"))] if can else [],
    )
    return page.render(request)


@login_required
def subsidy_add(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.REVIEW_INSTITUTION)
    actor = actor_of(request)
    form = f.SubsidyForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        "列入评价补贴名单",
        reverse("institutions:subsidy_list"),
        lambda d: services.subsidy_list_add(actor=actor, **d) and None,
        "已列入名单。",
    )


@login_required
@require_POST
def subsidy_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.REVIEW_INSTITUTION)
    entry = get_for(request.user, SubsidyListEntry.objects.select_related("institution"), pk=pk)
    services.subsidy_list_remove(actor=actor_of(request), entry=entry, reason=request.POST.get("reason", ""))
    messages.success(request, "已移出名单。")
    return redirect("institutions:subsidy_list")


# --- examiners ----------------------------------------------------------------------------------


@login_required
def examiner_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_INSTITUTIONS)
    can = has_perm(request.user, Perm.MANAGE_EXAMINERS)
    page = ListPage(
        title="考评人员",
        queryset=selectors.examiners_for(request.user).order_by("institution__code", "role", "id"),
        columns=[
            Column("姓名", lambda e: e.person.name),
            Column("身份", lambda e: e.get_role_display()),
            Column("评价机构", lambda e: e.institution.name, link=lambda e: _detail_url(e.institution)),
            Column("职业", lambda e: e.occupation.name if e.occupation else ""),
            Column("最高等级", lambda e: e.get_highest_level_display() if e.highest_level else ""),
            Column("资格证书编号", lambda e: e.qualification_number),
            Column("有效期起", lambda e: e.valid_from),
            Column("有效期至", lambda e: e.valid_until),
        ],
        search_fields=["person__name__icontains", "qualification_number__icontains"],
        export_name="考评人员",
        actions=[
            ("登记考评人员", reverse("institutions:examiner_create")),
            ("Excel 批量导入", reverse("core:import_upload") + "?kind=examiners"),
        ]
        if can
        else [],
    )
    return page.render(request)


def _person(actor: Any, id_number: str, field: str) -> Person:
    person = Person.objects.restrict(actor).filter(id_number=id_number.strip().upper()).first()
    if person is None:
        raise DomainError("unknown_person", f"人员库中（本单位范围内）没有身份证号 {id_number} 的人员。", field=field)
    return person


@login_required
def examiner_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_EXAMINERS)
    actor = actor_of(request)
    form = f.ExaminerForm(request.POST or None, actor=actor)

    def call(d: dict[str, Any]) -> Any:
        occupation = None
        if d["occupation"]:
            occupation = Occupation.objects.filter(code=d["occupation"].strip()).first()
            if occupation is None:
                raise DomainError("unknown_occupation", f"没有编码为“{d['occupation']}”的职业。", field="occupation")
        relatives = [_person(actor, n, "relatives") for n in d["relatives"].split() if n.strip()]
        services.examiner_add(
            actor=actor,
            institution=d["institution"],
            person=_person(actor, d["id_number"], "id_number"),
            role=d["role"],
            occupation=occupation,
            highest_level=d["highest_level"],
            qualification_number=d["qualification_number"],
            valid_from=d["valid_from"],
            valid_until=d["valid_until"],
            relatives=relatives,
        )
        return None

    return form_page(request, form, "登记考评人员", reverse("institutions:examiner_list"), call, "已登记。")


@login_required
@require_POST
def examiner_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_EXAMINERS)
    examiner = get_for(request.user, Examiner, pk=pk)
    services.examiner_remove(actor=actor_of(request), examiner=examiner)
    messages.success(request, "已移除。")
    return redirect("institutions:examiner_list")

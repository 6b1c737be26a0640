"""The evaluation spec API (R3): same rules, scope and audit as the pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router, Status

from chizheng.core.api import actor, paginated
from chizheng.core.errors import DomainError, PermissionDenied
from chizheng.core.excel import xlsx_response
from chizheng.core.models import OrgUnit, User
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for

from . import spec_services
from .models import EvaluationSpec, Occupation
from .spec_schemas import (
    ExpertOut,
    FilingIn,
    InvitationIn,
    InvitationOut,
    OpinionIn,
    OpinionOut,
    SpecDetailOut,
    SpecFilter,
    SpecIn,
    SpecOut,
    WithdrawIn,
)
from .spec_views import expert_choices, spec_queryset

router = Router(tags=["评价规范"])


def _spec(request: HttpRequest, spec_id: int) -> EvaluationSpec:
    return get_for(actor(request), EvaluationSpec.objects.select_related("school", "occupation"), pk=spec_id)


def _filtered(request: HttpRequest, filters: SpecFilter) -> QuerySet[EvaluationSpec]:
    qs = spec_queryset(actor(request))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.occupation_code:
        qs = qs.filter(occupation__code=filters.occupation_code)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    return qs


def _occupation(code: str) -> Occupation:
    occupation = Occupation.objects.filter(code=code.strip()).first()
    if occupation is None:
        raise DomainError("occupation_unknown", f"职业目录中没有编码为“{code}”的职业。", field="occupation_code")
    return occupation


def _content(payload: SpecIn) -> dict[str, Any]:
    return {
        "occupation": _occupation(payload.occupation_code),
        "title": payload.title,
        "levels": payload.levels,
        "theory_weight": payload.theory_weight,
        "skill_weight": payload.skill_weight,
        "candidates_per_invigilator": payload.candidates_per_invigilator,
        "candidates_per_examiner": payload.candidates_per_examiner,
        "content": payload.content,
    }


@router.get("/specs", response=list[SpecOut], summary="评价规范列表（专家只见受邀的）")
@paginated
def spec_list(request: HttpRequest, filters: Query[SpecFilter]) -> QuerySet[EvaluationSpec]:
    require(actor(request), Perm.VIEW_SPECS)
    return _filtered(request, filters)


@router.get("/specs/export", response={200: bytes}, summary="导出评价规范列表（.xlsx）")
def spec_export(request: HttpRequest, filters: Query[SpecFilter]) -> HttpResponseBase:
    from chizheng.core import audit
    from chizheng.core.choices import AuditAction

    require(actor(request), Perm.VIEW_SPECS)
    qs = _filtered(request, filters)
    headers = ["规范名称", "职业编码", "职业名称", "起草院校", "等级", "同意专家数", "状态", "备案编号", "备案日期"]
    rows = [
        [
            s.title,
            s.occupation.code,
            s.occupation.name,
            s.school.name,
            "、".join(s.level_labels()),
            getattr(s, "approval_count", 0),
            s.get_status_display(),
            s.filing_number,
            s.filed_on.isoformat() if s.filed_on else "",
        ]
        for s in qs
    ]
    audit.record(
        actor(request),
        AuditAction.EXPORT,
        object_type="评价规范",
        object_id="",
        object_repr=f"评价规范（{len(rows)} 行）",
        after={"rows": len(rows), "channel": "api"},
    )
    return xlsx_response("评价规范.xlsx", headers, iter(rows))


@router.post("/specs", response={201: SpecDetailOut}, summary="起草评价规范（院校）")
def spec_create(request: HttpRequest, payload: SpecIn) -> Status[EvaluationSpec]:
    user = actor(request)
    require(user, Perm.DRAFT_SPEC)
    school = get_for(user, OrgUnit, pk=payload.school_id) if payload.school_id else None
    spec = spec_services.spec_create(actor=user, school=school, **_content(payload))
    return Status(201, spec)


@router.get("/specs/{spec_id}", response=SpecDetailOut, summary="评价规范详情（含邀请与专家意见）")
def spec_detail(request: HttpRequest, spec_id: int) -> EvaluationSpec:
    require(actor(request), Perm.VIEW_SPECS)
    return _spec(request, spec_id)


@router.put("/specs/{spec_id}", response=SpecDetailOut, summary="修改评价规范（专家提交意见前）")
def spec_update(request: HttpRequest, spec_id: int, payload: SpecIn) -> EvaluationSpec:
    require(actor(request), Perm.DRAFT_SPEC)
    spec = _spec(request, spec_id)
    return spec_services.spec_update(actor=actor(request), spec=spec, **_content(payload))


@router.get("/experts", response=list[ExpertOut], summary="可邀请的评审专家账号")
@paginated
def expert_list(request: HttpRequest) -> QuerySet[User]:
    require(actor(request), Perm.DRAFT_SPEC)
    return expert_choices()


@router.post("/specs/{spec_id}/invitations", response={201: InvitationOut}, summary="邀请评审专家")
def spec_invite(request: HttpRequest, spec_id: int, payload: InvitationIn) -> Status[Any]:
    require(actor(request), Perm.DRAFT_SPEC)
    spec = _spec(request, spec_id)
    expert = User.objects.filter(pk=payload.expert_id).first()
    if expert is None:
        raise DomainError("expert_unknown", f"没有编号为 {payload.expert_id} 的专家账号。", field="expert_id")
    invitation = spec_services.spec_invite(
        actor=actor(request), spec=spec, expert=expert, affiliation=payload.affiliation
    )
    return Status(201, invitation)


@router.post("/specs/{spec_id}/opinions", response={201: OpinionOut}, summary="提交评审意见（受邀专家，每人一次）")
def spec_opinion(request: HttpRequest, spec_id: int, payload: OpinionIn) -> Status[Any]:
    require(actor(request), Perm.REVIEW_SPEC)
    spec = _spec(request, spec_id)
    opinion = spec_services.spec_opinion_give(
        actor=actor(request), spec=spec, verdict=payload.verdict, comments=payload.comments, given_on=payload.given_on
    )
    return Status(201, opinion)


@router.post("/specs/{spec_id}/submit", response=SpecDetailOut, summary="报送省人社厅（≥5 位不同专家同意）")
def spec_submit(request: HttpRequest, spec_id: int) -> EvaluationSpec:
    require(actor(request), Perm.DRAFT_SPEC)
    return spec_services.spec_submit(actor=actor(request), spec=_spec(request, spec_id))


@router.post("/specs/{spec_id}/filing", response=SpecDetailOut, summary="登记省人社厅备案编号（生效）")
def spec_file(request: HttpRequest, spec_id: int, payload: FilingIn) -> EvaluationSpec:
    require(actor(request), Perm.FILE_SPEC)
    spec = _spec(request, spec_id)
    return spec_services.spec_file(
        actor=actor(request), spec=spec, filing_number=payload.filing_number, filed_on=payload.filed_on
    )


@router.post("/specs/{spec_id}/withdraw", response=SpecDetailOut, summary="撤回评价规范")
def spec_withdraw(request: HttpRequest, spec_id: int, payload: WithdrawIn) -> EvaluationSpec:
    user = actor(request)
    if not (has_perm(user, Perm.DRAFT_SPEC) or has_perm(user, Perm.FILE_SPEC)):
        raise PermissionDenied()
    spec = _spec(request, spec_id)
    return spec_services.spec_withdraw(actor=user, spec=spec, reason=payload.reason, on_date=payload.on_date)

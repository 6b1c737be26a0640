"""The institutions API: filings, the HRSS's decisions, the R2+R3 gate, examiners, the subsidy list,
and the public catalog (no authentication)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from chizheng.core.api import actor, paginated
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, require
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person

from . import selectors, services
from .models import EvaluationInstitution, Examiner, InstitutionScope, SubsidyListEntry
from .schemas import (
    ApproveIn,
    CatalogOut,
    DatedReasonIn,
    ExaminerIn,
    ExaminerOut,
    InstitutionDetailOut,
    InstitutionIn,
    InstitutionOut,
    MayAssessOut,
    ReasonIn,
    ScopeIn,
    ScopeOut,
    SubsidyEntryIn,
    SubsidyEntryOut,
    SuspendIn,
)

router = Router(tags=["评价机构"])


def _get(request: HttpRequest, institution_id: int) -> EvaluationInstitution:
    require(actor(request), Perm.VIEW_INSTITUTIONS)
    return selectors.get_institution_for(actor(request), institution_id)


@router.get("/catalog", response=list[CatalogOut], auth=None, summary="公开目录：已备案的评价机构（无需登录）")
@paginated
def catalog(request: HttpRequest, q: str | None = None) -> QuerySet[EvaluationInstitution]:
    qs = selectors.public_catalog()
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(school__name__icontains=term)
            | Q(filing_number__icontains=term)
            | Q(scopes__occupation__name__icontains=term)
        ).distinct()
    return qs


@router.get("/institutions", response=list[InstitutionOut], summary="评价机构列表")
@paginated
def institution_list(request: HttpRequest, status: str | None = None) -> QuerySet[EvaluationInstitution]:
    require(actor(request), Perm.VIEW_INSTITUTIONS)
    qs = selectors.institutions_for(actor(request)).order_by("code")
    return qs.filter(status=status) if status else qs


@router.post("/institutions", response={201: InstitutionDetailOut}, summary="新建备案（草稿）")
def institution_create(request: HttpRequest, payload: InstitutionIn) -> Status[EvaluationInstitution]:
    user = actor(request)
    require(user, Perm.FILE_INSTITUTION)
    school_id = payload.school_id or user.org_unit_id
    school = OrgUnit.objects.filter(pk=school_id).first() if school_id else None
    if school is None:
        raise NotFound()
    data = payload.dict(exclude={"school_id"})
    return Status(201, services.institution_file(actor=user, school=school, **data))


@router.get("/institutions/{institution_id}", response=InstitutionDetailOut, summary="评价机构详情（含范围与历史）")
def institution_detail(request: HttpRequest, institution_id: int) -> EvaluationInstitution:
    return _get(request, institution_id)


@router.post("/institutions/{institution_id}/scopes", response={201: ScopeOut}, summary="增加评价范围")
def scope_add(request: HttpRequest, institution_id: int, payload: ScopeIn) -> Status[InstitutionScope]:
    inst = _get(request, institution_id)
    scope = services.institution_scope_add(
        actor=actor(request),
        institution=inst,
        occupation=payload.occupation_code,
        highest_level=payload.highest_level,
        added_on=payload.added_on,
    )
    return Status(201, scope)


@router.post("/institutions/{institution_id}/submit", response=InstitutionOut, summary="提交（或重新提交）备案")
def institution_submit(request: HttpRequest, institution_id: int) -> EvaluationInstitution:
    require(actor(request), Perm.FILE_INSTITUTION)
    return services.institution_submit(actor=actor(request), institution=_get(request, institution_id))


def _hrss(request: HttpRequest, institution_id: int) -> EvaluationInstitution:
    require(actor(request), Perm.REVIEW_INSTITUTION)
    return _get(request, institution_id)


@router.post("/institutions/{institution_id}/approve", response=InstitutionOut, summary="备案通过（人社）")
def institution_approve(request: HttpRequest, institution_id: int, payload: ApproveIn) -> EvaluationInstitution:
    inst = _hrss(request, institution_id)
    return services.institution_approve(actor=actor(request), institution=inst, **payload.dict())


@router.post("/institutions/{institution_id}/return", response=InstitutionOut, summary="退回（人社）")
def institution_return(request: HttpRequest, institution_id: int, payload: ReasonIn) -> EvaluationInstitution:
    inst = _hrss(request, institution_id)
    return services.institution_return(actor=actor(request), institution=inst, reason=payload.reason)


@router.post("/institutions/{institution_id}/suspend", response=InstitutionOut, summary="暂停（人社）")
def institution_suspend(request: HttpRequest, institution_id: int, payload: SuspendIn) -> EvaluationInstitution:
    inst = _hrss(request, institution_id)
    return services.institution_suspend(actor=actor(request), institution=inst, **payload.dict())


@router.post("/institutions/{institution_id}/restore", response=InstitutionOut, summary="恢复（人社）")
def institution_restore(request: HttpRequest, institution_id: int, payload: DatedReasonIn) -> EvaluationInstitution:
    inst = _hrss(request, institution_id)
    return services.institution_restore(actor=actor(request), institution=inst, **payload.dict())


@router.post("/institutions/{institution_id}/revoke", response=InstitutionOut, summary="撤销备案（人社）")
def institution_revoke(request: HttpRequest, institution_id: int, payload: DatedReasonIn) -> EvaluationInstitution:
    inst = _hrss(request, institution_id)
    return services.institution_revoke(actor=actor(request), institution=inst, **payload.dict())


@router.post("/institutions/{institution_id}/annual-review", response=InstitutionOut, summary="记录年度审核（人社）")
def institution_annual_review(
    request: HttpRequest, institution_id: int, payload: DatedReasonIn
) -> EvaluationInstitution:
    inst = _hrss(request, institution_id)
    return services.institution_annual_review(
        actor=actor(request), institution=inst, reviewed_on=payload.on_date, note=payload.reason
    )


@router.get(
    "/institutions/{institution_id}/may-assess/{code}/{level}",
    response=MayAssessOut,
    summary="R2+R3 闸门：该机构某日能否评价某职业某等级",
)
def may_assess(
    request: HttpRequest, institution_id: int, code: str, level: int, on: dt.date | None = None
) -> dict[str, Any]:
    """`on` defaults to today; the answer names the precise reason when the gate refuses."""
    inst = _get(request, institution_id)
    occ = Occupation.objects.filter(code=code).first()
    if occ is None:
        raise NotFound(f"没有编码为“{code}”的职业。")
    try:
        selectors.check_institution_may_assess(inst, occ, level, on)
    except DomainError as err:
        return {"allowed": False, "code": err.code, "message": err.message}
    return {"allowed": True, "code": "ok", "message": "可以评价。"}


@router.get("/examiners", response=list[ExaminerOut], summary="考评人员名册")
@paginated
def examiner_list(request: HttpRequest, institution_id: int | None = None) -> QuerySet[Examiner]:
    require(actor(request), Perm.VIEW_INSTITUTIONS)
    qs = selectors.examiners_for(actor(request)).order_by("institution__code", "role", "id")
    return qs.filter(institution_id=institution_id) if institution_id else qs


@router.post(
    "/institutions/{institution_id}/examiners", response={201: ExaminerOut}, summary="登记考评员、监考员或督导员"
)
def examiner_create(request: HttpRequest, institution_id: int, payload: ExaminerIn) -> Status[Examiner]:
    user = actor(request)
    require(user, Perm.MANAGE_EXAMINERS)
    inst = _get(request, institution_id)
    occupation = None
    if payload.occupation_code:
        occupation = Occupation.objects.filter(code=payload.occupation_code).first()
        if occupation is None:
            raise DomainError(
                "unknown_occupation", f"没有编码为“{payload.occupation_code}”的职业。", field="occupation_code"
            )
    examiner = services.examiner_add(
        actor=user,
        institution=inst,
        person=_person(user, payload.id_number, "id_number"),
        role=payload.role,
        occupation=occupation,
        highest_level=payload.highest_level,
        qualification_number=payload.qualification_number,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        relatives=[_person(user, n, "relative_id_numbers") for n in payload.relative_id_numbers],
    )
    return Status(201, examiner)


def _person(user: Any, id_number: str, field: str) -> Person:
    person = Person.objects.restrict(user).filter(id_number=id_number.strip().upper()).first()
    if person is None:
        raise DomainError("unknown_person", f"人员库中（您的管理范围内）没有身份证号 {id_number} 的人员。", field=field)
    return person


@router.get("/subsidy-list", response=list[SubsidyEntryOut], summary="评价补贴机构名单")
@paginated
def subsidy_list(request: HttpRequest, year: int | None = None) -> QuerySet[SubsidyListEntry]:
    require(actor(request), Perm.VIEW_INSTITUTIONS)
    qs = SubsidyListEntry.objects.restrict(actor(request)).select_related("institution")
    return qs.filter(year=year) if year else qs


@router.post(
    "/institutions/{institution_id}/subsidy-list", response={201: SubsidyEntryOut}, summary="列入评价补贴名单（人社）"
)
def subsidy_add(request: HttpRequest, institution_id: int, payload: SubsidyEntryIn) -> Status[SubsidyListEntry]:
    user = actor(request)
    inst = _hrss(request, institution_id)
    entry = services.subsidy_list_add(actor=user, year=payload.year, institution=inst, note=payload.note)
    return Status(201, entry)

"""The pathways API (R5–R7): recognition batches (create, preview, confirm, issue), 1+X records and the city's
mapping. Imports go through the one import endpoint: POST /imports/x_certificates, /imports/x_mappings."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from chizheng.core.api import actor, paginated
from chizheng.core.errors import NotFound
from chizheng.core.permissions import require
from chizheng.institutions.selectors import institution_for
from chizheng.occupations.selectors import occupation_by_code, trade_by_name

from . import batches, selectors, services
from .models import Competition, CourseCertMapping, RecognitionBatch, XCertificate, XCertMapping
from .schemas import BatchDetailOut, BatchIn, BatchOut, DateIn, IssuedOut, XCertificateOut, XMappingIn, XMappingOut

router = Router(tags=["认定取证"])


def _detail(batch: RecognitionBatch) -> RecognitionBatch:
    return batch  # BatchDetailOut resolves the candidates


@router.get(
    "/recognition-batches", response=list[BatchOut], summary="认定批次列表（?pathway=direct/process/competition）"
)
@paginated
def batch_list(
    request: HttpRequest, pathway: str | None = None, status: str | None = None
) -> QuerySet[RecognitionBatch]:
    require(actor(request), services.VIEW_PERM)
    qs = selectors.batches_for(actor(request), pathway)
    return qs.filter(status=status) if status else qs


@router.post("/recognition-batches", response={201: BatchDetailOut}, summary="新建认定批次（草稿）")
def batch_create(request: HttpRequest, payload: BatchIn) -> Status[RecognitionBatch]:
    user = actor(request)
    require(user, services.RUN_PERM)
    institution = institution_for(user, payload.institution_id)
    mapping = competition = None
    if payload.course_mapping_id is not None:
        mapping = CourseCertMapping.objects.restrict(user).filter(pk=payload.course_mapping_id).first()
        if mapping is None:
            raise NotFound()
    if payload.competition_id is not None:
        competition = Competition.objects.restrict(user).filter(pk=payload.competition_id).first()
        if competition is None:
            raise NotFound()
    batch = batches.batch_create(
        actor=user,
        pathway=payload.pathway,
        institution=institution,
        title=payload.title,
        occupation=occupation_by_code(payload.occupation_code) if payload.occupation_code else None,
        level=payload.level,
        course_mapping=mapping,
        competition=competition,
        publicity_days=payload.publicity_days,
    )
    return Status(201, _detail(batch))


@router.get(
    "/recognition-batches/{recognition_batch_id}", response=BatchDetailOut, summary="认定批次详情（逐人结果与原因）"
)
def batch_detail(request: HttpRequest, recognition_batch_id: int) -> RecognitionBatch:
    require(actor(request), services.VIEW_PERM)
    return _detail(selectors.get_batch_for(actor(request), recognition_batch_id))


def _to_run(request: HttpRequest, recognition_batch_id: int) -> RecognitionBatch:
    require(actor(request), services.RUN_PERM)
    return selectors.get_batch_for(actor(request), recognition_batch_id)


@router.post(
    "/recognition-batches/{recognition_batch_id}/preview",
    response=BatchDetailOut,
    summary="预览：逐人计算是否符合及原因",
)
def batch_preview(request: HttpRequest, recognition_batch_id: int, payload: DateIn | None = None) -> RecognitionBatch:
    batch = _to_run(request, recognition_batch_id)
    on_date = payload.on_date if payload else None
    return _detail(batches.batch_preview(actor=actor(request), batch=batch, on_date=on_date))


@router.post(
    "/recognition-batches/{recognition_batch_id}/confirm", response=BatchDetailOut, summary="确认并公示符合条件者的证书"
)
def batch_confirm(request: HttpRequest, recognition_batch_id: int, payload: DateIn) -> RecognitionBatch:
    batch = _to_run(request, recognition_batch_id)
    batches.batch_confirm(actor=actor(request), batch=batch, on_date=payload.on_date or timezone.localdate())
    return _detail(selectors.get_batch_for(actor(request), recognition_batch_id))


@router.post("/recognition-batches/{recognition_batch_id}/issue", response=IssuedOut, summary="公示期满发证")
def batch_issue(request: HttpRequest, recognition_batch_id: int, payload: DateIn) -> dict[str, object]:
    batch = _to_run(request, recognition_batch_id)
    issued = batches.batch_issue(actor=actor(request), batch=batch, on_date=payload.on_date or timezone.localdate())
    return {"batch": selectors.get_batch_for(actor(request), recognition_batch_id), "issued": len(issued)}


@router.get("/x-certificates", response=list[XCertificateOut], summary="1+X 证书列表（?q=姓名/证书编号）")
@paginated
def x_list(request: HttpRequest, q: str | None = None) -> QuerySet[XCertificate]:
    require(actor(request), services.VIEW_PERM)
    qs = selectors.x_certificates_for(actor(request))
    return qs.filter(number=q) | qs.filter(person__name=q) if q else qs


@router.get("/x-mappings", response=list[XMappingOut], summary="1+X 证书职业对应表")
@paginated
def mapping_list(request: HttpRequest) -> QuerySet[XCertMapping]:
    require(actor(request), services.VIEW_PERM)
    return selectors.x_mappings()


def _mapping_args(payload: XMappingIn) -> dict[str, object]:
    occupation = occupation_by_code(payload.occupation_code)
    trade = trade_by_name(occupation, payload.trade_name)
    return {
        "certificate_name": payload.certificate_name,
        "organisation": payload.organisation,
        "occupation": occupation,
        "trade": trade,
        "note": payload.note,
    }


@router.post("/x-mappings", response={201: XMappingOut}, summary="新增 1+X 证书职业对应（市级）")
def mapping_create(request: HttpRequest, payload: XMappingIn) -> Status[XCertMapping]:
    require(actor(request), services.MAP_PERM)
    return Status(201, services.xmapping_create(actor=actor(request), **_mapping_args(payload)))  # type: ignore[arg-type]


def _mapping(mapping_id: int) -> XCertMapping:
    mapping = XCertMapping.objects.filter(pk=mapping_id).first()
    if mapping is None:
        raise NotFound()
    return mapping


@router.put("/x-mappings/{x_mapping_id}", response=XMappingOut, summary="修改 1+X 证书职业对应（市级）")
def mapping_update(request: HttpRequest, x_mapping_id: int, payload: XMappingIn) -> XCertMapping:
    require(actor(request), services.MAP_PERM)
    return services.xmapping_update(actor=actor(request), mapping=_mapping(x_mapping_id), **_mapping_args(payload))  # type: ignore[arg-type]


@router.delete("/x-mappings/{x_mapping_id}", response={204: None}, summary="删除 1+X 证书职业对应（市级）")
def mapping_delete(request: HttpRequest, x_mapping_id: int) -> Status[None]:
    require(actor(request), services.MAP_PERM)
    services.xmapping_delete(actor=actor(request), mapping=_mapping(x_mapping_id))
    return Status(204, None)


# R6 course mappings and course results (course_api.py).
from .course_api import router as course_router  # noqa: E402

router.add_router("", course_router)

from .competition_api import router as competition_router  # noqa: E402

router.add_router("", competition_router)

"""R10 API: export batches (list, create, detail, file), receipt upload per system, and the 未上报 list.

Receipts go through the import framework like every upload (`POST /report-receipts/{system}` is
`POST /imports/report_receipt_{system}` under a clearer name); the answer is the ImportJob.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja import File, Router, Schema, Status, UploadedFile

from chizheng.core.api import actor, paginated
from chizheng.core.choices import ImportStatus
from chizheng.core.excel import attachment
from chizheng.core.imports import import_start
from chizheng.core.models import ImportJob, OrgUnit
from chizheng.core.permissions import Perm, require
from chizheng.core.schemas import ImportJobDetailOut
from chizheng.core.scoping import get_for

from . import reporting
from .models import Certificate
from .report_imports import kind_key
from .report_models import ReportBatch

router = Router(tags=["证书上报（查询系统）"])


class BatchOut(Schema):
    id: int
    code: str
    system: str
    status: str
    school_id: int | None
    county_id: int | None
    count: int
    revocations: int
    accepted: int
    rejected: int
    pending: int
    created_at: str
    receipt_at: str | None

    @staticmethod
    def resolve_created_at(obj: ReportBatch) -> str:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_receipt_at(obj: ReportBatch) -> str | None:
        return obj.receipt_at.isoformat() if obj.receipt_at else None


class BatchIn(Schema):
    system: str
    school_id: int | None = None


class UnreportedOut(Schema):
    id: int
    number: str | None
    holder_name: str
    school_id: int | None
    county_id: int | None
    occupation_code: str
    level: int
    institution_code: str
    issued_on: str | None
    age_days: int
    national_report_status: str
    henan_report_status: str
    national_receipt: str
    henan_receipt: str

    @staticmethod
    def resolve_occupation_code(obj: Certificate) -> str:
        return obj.occupation.code

    @staticmethod
    def resolve_institution_code(obj: Certificate) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_issued_on(obj: Certificate) -> str | None:
        return obj.issued_on.isoformat() if obj.issued_on else None

    @staticmethod
    def resolve_age_days(obj: Certificate) -> int:
        return reporting.age_days(obj, timezone.localdate())


@router.get("/report-batches", response=list[BatchOut], summary="上报批次列表（按管理范围）")
@paginated
def batch_list(request: HttpRequest, system: str | None = None, status: str | None = None) -> QuerySet[ReportBatch]:
    require(actor(request), Perm.VIEW_CERTIFICATES)
    qs = reporting.batches_for(actor(request)).order_by("-created_at", "-id")
    if system:
        qs = qs.filter(system=system)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post(
    "/report-batches",
    response={201: BatchOut},
    summary="导出上报批次：管理范围（或其中一所院校）内应上报该系统的证书（新发、被退回、待撤销）",
)
def batch_create(request: HttpRequest, payload: BatchIn) -> Status[ReportBatch]:
    user = actor(request)
    require(user, Perm.REPORT_CERTIFICATES)
    school = get_for(user, OrgUnit, pk=payload.school_id) if payload.school_id else None
    return Status(201, reporting.report_batch_create(actor=user, system=payload.system, school=school))


@router.get("/report-batches/{batch_id}", response=BatchOut, summary="上报批次详情")
def batch_detail(request: HttpRequest, batch_id: int) -> ReportBatch:
    return reporting.get_batch_for(actor(request), batch_id)


@router.get(
    "/report-batches/{batch_id}/file",
    response={200: bytes},
    summary="下载上报文件（.xlsx，含完整身份证号，记审计日志）；pending_only=true 只含待回执的行",
)
def batch_file(request: HttpRequest, batch_id: int, pending_only: bool = False) -> HttpResponseBase:
    user = actor(request)
    require(user, Perm.REPORT_CERTIFICATES)
    batch = reporting.get_batch_for(user, batch_id)
    stream = reporting.report_batch_download(actor=user, batch=batch, pending_only=pending_only)
    return attachment(stream, reporting.file_name(batch, pending_only=pending_only))


@router.post(
    "/report-receipts/{system}",
    response={201: ImportJobDetailOut, 202: ImportJobDetailOut},
    summary="上传查询系统回执（证书编号、上报结果、回执编号或失败原因）；有错误行则不写入，见导入任务",
)
def receipt_upload(request: HttpRequest, system: str, file: File[UploadedFile]) -> Status[ImportJob]:
    spec = reporting.system_spec(system)
    job = import_start(actor=actor(request), kind=kind_key(spec.key), uploaded_file=file)
    return Status(202 if job.status == ImportStatus.PENDING else 201, job)


@router.get(
    "/unreported-certificates",
    response=list[UnreportedOut],
    summary="未上报证书：已发证但某一（或指定）查询系统尚未收录的证书，按发证日期从早到晚",
)
@paginated
def unreported_list(
    request: HttpRequest, system: str = "", school_id: int | None = None, county_id: int | None = None
) -> QuerySet[Certificate]:
    user = actor(request)
    require(user, Perm.VIEW_CERTIFICATES)
    qs = reporting.unreported_for(user, system).order_by("issued_on", "id")
    filters: dict[str, Any] = {}
    if school_id:
        filters["school_id"] = school_id
    if county_id:
        filters["county_id"] = county_id
    return qs.filter(**filters)

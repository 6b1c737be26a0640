"""The certificates API: public verification (no authentication, rate-limited per IP) and the scoped list."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from chizheng.core.api import actor, paginated
from chizheng.core.errors import DomainError
from chizheng.core.permissions import Perm, require

from . import ratelimit, selectors
from .models import Certificate

router = Router(tags=["证书"])


class RateLimited(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__("rate_limited", "查询过于频繁，请一分钟后再试。", retry_after=60)


class VerifyOut(Schema):
    result: str
    label: str
    number: str
    name: str
    masked_id_number: str
    occupation: str
    trade: str
    level: str
    kind: str
    institution: str
    institution_code: str
    issued_on: str
    revoked_on: str
    note: str


class CertificateOut(Schema):
    id: int
    number: str | None
    holder_name: str
    masked_id_number: str
    occupation_code: str
    occupation: str
    level: int
    kind: str
    pathway: str
    status: str
    institution_code: str
    issued_on: str | None

    @staticmethod
    def resolve_occupation_code(obj: Certificate) -> str:
        return obj.occupation.code

    @staticmethod
    def resolve_occupation(obj: Certificate) -> str:
        return obj.occupation.name

    @staticmethod
    def resolve_institution_code(obj: Certificate) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_issued_on(obj: Certificate) -> str | None:
        return obj.issued_on.isoformat() if obj.issued_on else None


@router.get(
    "/verify",
    response=VerifyOut,
    auth=None,
    summary="公开核验证书（无需登录）：证书编号 + 姓名，或二维码核验码 token",
)
def verify(request: HttpRequest, number: str = "", name: str = "", token: str = "") -> dict[str, str]:
    if not ratelimit.allow(request):
        raise RateLimited()
    answer = selectors.verify_by_token(token) if token else selectors.verify_by_number(number, name)
    return {**answer.__dict__, "label": answer.label}


@router.get("/certificates", response=list[CertificateOut], summary="证书列表（按管理范围）")
@paginated
def certificate_list(
    request: HttpRequest, status: str | None = None, level: int | None = None
) -> QuerySet[Certificate]:
    require(actor(request), Perm.VIEW_CERTIFICATES)
    qs = selectors.certificates_for(actor(request)).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    return qs

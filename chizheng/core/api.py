"""The JSON API's shared parts (auth, the error shape, pagination) and the core endpoints.

Every endpoint starts from `Model.objects.restrict(actor)` or `get_for(actor, …)` and
checks the role with `permissions.require`, exactly like the pages: out of scope is 404.
"""

import logging
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Field, File, NinjaAPI, Query, Router, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from . import audit, imports, services
from .choices import ImportStatus
from .errors import DomainError, NotFound, PermissionDenied
from .excel import attachment
from .models import AccessToken, AuditEvent, ImportJob, OrgUnit, User
from .permissions import Perm, has_perm, require
from .schemas import (
    AuditEventFilter,
    AuditEventOut,
    ImportJobDetailOut,
    ImportJobOut,
    MeOut,
    OrgUnitDetailOut,
    OrgUnitFilter,
    OrgUnitOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
)
from .scoping import get_for

logger = logging.getLogger("chizheng.api")

# --- authentication ------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer czp_…`: a personal access token. A wrong one is 401, never a fallback."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = services.token_authenticate(token.strip())
        if user is None:
            raise AuthenticationError(401, "invalid_token")
        return user


class SessionCookieAuth(SessionAuth):
    """The browser's Django session, with Django's CSRF check on unsafe methods.

    Without a session cookie there is nothing to check, so a script without credentials
    gets 401 (not a CSRF 403).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return cast(User, user) if user.is_authenticated and user.is_active else None


API_AUTH = [TokenAuth(), SessionCookieAuth()]


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request (token or session)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese text as is, not \\u escapes (easier to read with curl)."""

    json_dumps_params = {"ensure_ascii": False}


# --- errors: always {"code", "message", "extra"} -------------------------------------------------

_HTTP_ERRORS = {
    401: ("unauthorized", "请先登录，或在 Authorization 头中提供有效的访问令牌（Bearer czp_…）。"),
    403: ("permission_denied", "您的角色无权执行此操作。"),
    404: ("not_found", NotFound().message),
    405: ("method_not_allowed", "该地址不支持此请求方法。"),
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "extra": extra}


Rendered = tuple[int, dict[str, Any]]


def _domain_error(request: HttpRequest, exc: DomainError) -> Rendered:
    return exc.status, exc.as_dict()


def _http_error(request: HttpRequest, exc: HttpError) -> Rendered:
    status = exc.status_code
    if status == 401 and exc.message == "invalid_token":
        return status, error_body("invalid_token", "访问令牌无效、已过期或已吊销。")
    if status == 403 and "CSRF" in exc.message:
        return status, error_body("csrf_failed", "CSRF 校验失败：浏览器会话调用 API 时须带 X-CSRFToken 头。")
    if status == 400:
        return status, error_body("bad_request", "请求体无法解析，请发送合法的 JSON。", detail=exc.message)
    code, message = _HTTP_ERRORS.get(status, (f"http_{status}", exc.message))
    return status, error_body(code, message)


def _validation_error(request: HttpRequest, exc: ValidationError) -> Rendered:
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ())]
        if len(loc) > 2 and loc[0] in ("body", "form"):
            del loc[1]  # the handler's parameter name ("payload") means nothing to a client
        errors.append(
            {
                "location": loc[0] if loc else "",
                "field": ".".join(loc[1:]),
                "message": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    fields = "、".join(sorted({e["field"] for e in errors if e["field"]}))
    message = f"请求参数有误：{fields}。" if fields else "请求参数有误。"
    return 422, error_body("validation_error", message, errors=errors)


def _not_found(request: HttpRequest, exc: Http404) -> Rendered:
    return 404, NotFound().as_dict()


def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> Rendered:
    return 403, error_body(*_HTTP_ERRORS[403])


def _unexpected(request: HttpRequest, exc: Exception) -> Rendered:
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    request_id = audit.current_context().request_id
    return 500, error_body("server_error", "服务器内部错误，已记录日志，请稍后重试。", request_id=request_id)


_RENDERERS: list[tuple[type[Exception], Callable[[HttpRequest, Any], Rendered]]] = [
    (DomainError, _domain_error),
    (ValidationError, _validation_error),
    (HttpError, _http_error),
    (Http404, _not_found),
    (DjangoPermissionDenied, _forbidden),
    (Exception, _unexpected),
]


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of `api` answer {"code", "message", "extra"}; no traceback ever leaks."""

    def handler(render: Callable[[HttpRequest, Any], Rendered]) -> Callable[[HttpRequest, Any], HttpResponse]:
        def handle(request: HttpRequest, exc: Any) -> HttpResponse:
            status, body = render(request, exc)
            response = api.create_response(request, body, status=status)
            retry_after = exc.extra.get("retry_after") if isinstance(exc, DomainError) else None
            if retry_after is not None:  # a 429 says when to come back, in the header as well as the body
                response["Retry-After"] = str(retry_after)
            return response

        return handle

    for exc_class, render in _RENDERERS:
        api.add_exception_handler(exc_class, handler(render))


# --- pagination ---------------------------------------------------------------------------------

MAX_LIMIT = 500


class Paginated(PaginationBase):
    """limit/offset pagination answering {"count", "limit", "offset", "items"}."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, description="跳过的条数")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: list[Any]

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        start, stop = pagination.offset, pagination.offset + pagination.limit
        return {
            "count": queryset.count(),
            "limit": pagination.limit,
            "offset": pagination.offset,
            "items": list(queryset[start:stop]),
        }


paginated = paginate(Paginated)

# --- core endpoints -----------------------------------------------------------------------------

router = Router(tags=["账号与组织"])


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> User:
    return User.objects.select_related("org_unit").get(pk=actor(request).pk)


@router.get("/org-units", response=list[OrgUnitOut], summary="组织机构列表")
@paginated
def org_unit_list(request: HttpRequest, filters: Query[OrgUnitFilter]) -> QuerySet[OrgUnit]:
    require(actor(request), Perm.VIEW_ORG)
    return filters.filter(OrgUnit.objects.restrict(actor(request)).order_by("kind", "code"))


@router.get("/org-units/{unit_id}", response=OrgUnitDetailOut, summary="组织机构详情")
def org_unit_detail(request: HttpRequest, unit_id: int) -> OrgUnit:
    require(actor(request), Perm.VIEW_ORG)
    return get_for(actor(request), OrgUnit.objects.select_related("parent"), pk=unit_id)


@router.get("/audit-events", response=list[AuditEventOut], summary="审计日志（市级管理员）", tags=["审计"])
@paginated
def audit_event_list(request: HttpRequest, filters: Query[AuditEventFilter]) -> QuerySet[AuditEvent]:
    require(actor(request), Perm.VIEW_AUDIT)
    return filters.filter(AuditEvent.objects.all())


@router.get("/tokens", response=list[TokenOut], summary="我的访问令牌", tags=["访问令牌"])
@paginated
def token_list(request: HttpRequest) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=actor(request))


@router.post(
    "/tokens", response={201: TokenCreatedOut}, summary="创建访问令牌（完整令牌只返回一次）", tags=["访问令牌"]
)
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    user = actor(request)
    token, raw = services.token_create(actor=user, user=user, name=payload.name, expires_days=payload.expires_days)
    return Status(201, {"token": token, "raw_token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="吊销访问令牌", tags=["访问令牌"])
def token_revoke(request: HttpRequest, token_id: int) -> AccessToken:
    token = AccessToken.objects.filter(user=actor(request), pk=token_id).first()
    if token is None:
        raise NotFound()
    return services.token_revoke(actor=actor(request), token=token)


def _require_some_import(user: User) -> None:
    """Import jobs are for users who may run some kind of import (as on the pages); 403 otherwise."""
    if not any(has_perm(user, kind.perm) for kind in imports.kinds().values()):
        raise PermissionDenied()


def _allowed_kinds(user: User) -> list[str]:
    return [key for key, kind in imports.kinds().items() if has_perm(user, kind.perm)]


def _import_job_for(user: User, job_id: int) -> ImportJob:
    _require_some_import(user)
    jobs = ImportJob.objects.filter(kind__in=_allowed_kinds(user)).select_related("created_by")
    return get_for(user, jobs, pk=job_id)


@router.get("/imports", response=list[ImportJobOut], summary="导入任务列表", tags=["批量导入"])
@paginated
def import_list(request: HttpRequest, kind: str | None = None) -> QuerySet[ImportJob]:
    _require_some_import(actor(request))
    jobs = (
        ImportJob.objects.restrict(actor(request))
        .filter(kind__in=_allowed_kinds(actor(request)))
        .order_by("-created_at", "-id")
    )
    return jobs.filter(kind=kind) if kind else jobs


@router.get(
    "/imports/{int:job_id}", response=ImportJobDetailOut, summary="导入任务状态、进度、计数与错误", tags=["批量导入"]
)
def import_detail(request: HttpRequest, job_id: int) -> ImportJob:
    return _import_job_for(actor(request), job_id)


@router.get(
    "/imports/{int:job_id}/errors",
    response={200: bytes},
    summary="下载错误清单（.xlsx：行号、列、错误原因、填写的值）",
    tags=["批量导入"],
)
def import_errors(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = _import_job_for(actor(request), job_id)
    if not job.error_file:
        raise NotFound("该导入任务没有错误清单。")
    return attachment(job.error_file.open("rb"), f"{job.original_name.rsplit('.', 1)[0]}-错误清单.xlsx")


# Registered after /imports/{int:job_id} so that a numeric path reaches that one.
@router.post(
    "/imports/{kind}",
    response={201: ImportJobDetailOut, 202: ImportJobDetailOut},
    summary="上传文件并导入（201：已处理完，看 status；202：大文件转入后台，轮询 GET /imports/{id}）",
    tags=["批量导入"],
)
def import_upload(request: HttpRequest, kind: str, file: File[UploadedFile]) -> Status[ImportJob]:
    job = imports.import_start(actor=actor(request), kind=kind, uploaded_file=file)
    return Status(202 if job.status == ImportStatus.PENDING else 201, job)

"""Request and response shapes of the core API: users, org units, audit events, tokens, imports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from .choices import AuditAction, ImportStatus, OrgKind, Ownership, Role, SchoolKind
from .models import AccessToken, ImportJob, OrgUnit, User
from .permissions import ROLE_PERMS
from .scoping import scope_of


class ErrorOut(Schema):
    """Every API error: a machine-readable code, a message for people, details."""

    code: str
    message: str
    extra: dict[str, Any]


class UnitRef(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    org_unit: UnitRef | None
    person_id: int | None
    scope: str = Field(description="all（全市）、county（本县区）、school（本校）、self（本人）或 none")
    permissions: list[str]

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_scope(obj: User) -> str:
        return scope_of(obj).kind

    @staticmethod
    def resolve_permissions(obj: User) -> list[str]:
        return sorted(perm.value for perm in ROLE_PERMS.get(obj.role, frozenset()))


class OrgUnitOut(Schema):
    id: int
    kind: OrgKind
    code: str
    name: str
    short_name: str
    parent_id: int | None
    county_id: int | None
    school_kind: str
    ownership: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    is_open: bool


class OrgUnitDetailOut(OrgUnitOut):
    parent: UnitRef | None
    address: str
    contact: str
    phone: str
    children: list[UnitRef]

    @staticmethod
    def resolve_children(obj: OrgUnit) -> list[OrgUnit]:
        return list(obj.children.order_by("code"))


class OrgUnitFilter(FilterSchema):
    kind: OrgKind | None = None
    county: int | None = Field(None, description="县区 ID")
    school_kind: SchoolKind | None = None
    ownership: Ownership | None = None
    q: str | None = Field(None, description="名称或代码（包含）")

    def filter_q(self, value: str | None) -> Q:
        value = (value or "").strip()
        return Q(name__icontains=value) | Q(code__icontains=value) if value else Q()


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    ip: str | None
    channel: str
    request_id: str
    action: AuditAction
    object_type: str
    object_id: str
    object_repr: str
    org_unit_id: int | None
    before: Any
    after: Any
    note: str


class AuditEventFilter(FilterSchema):
    action: AuditAction | None = None
    object_type: str | None = Field(None, description="如 people.Person")
    object_id: str | None = None
    actor: str | None = Field(None, description="操作人用户名")
    channel: str | None = Field(None, description="web、api、cli 或 task")
    since: dt.datetime | None = Field(None, description="不早于（ISO 8601）")
    until: dt.datetime | None = Field(None, description="早于（ISO 8601）")

    def filter_actor(self, value: str | None) -> Q:
        return Q(actor_name=value) if value else Q()

    def filter_since(self, value: dt.datetime | None) -> Q:
        return Q(at__gte=value) if value else Q()

    def filter_until(self, value: dt.datetime | None) -> Q:
        return Q(at__lt=value) if value else Q()


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool

    @staticmethod
    def resolve_is_active(obj: AccessToken) -> bool:
        return obj.is_active


class TokenCreateIn(Schema):
    name: str = Field("API", max_length=60)
    expires_days: int | None = Field(365, ge=1, le=3650, description="有效天数；null 表示永不过期")


class TokenCreatedOut(Schema):
    token: TokenOut
    raw_token: str = Field(description="完整令牌，只显示这一次")


class ImportJobOut(Schema):
    id: int
    kind: str
    status: ImportStatus
    status_label: str
    original_name: str
    org_unit_id: int | None
    created_by_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    percent: int
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    message: str
    has_error_file: bool

    @staticmethod
    def resolve_status_label(obj: ImportJob) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_has_error_file(obj: ImportJob) -> bool:
        return bool(obj.error_file)


class ImportRowErrorOut(Schema):
    row: int | None = Field(description="电子表格中的行号")
    column: str
    message: str
    value: str


class ImportJobDetailOut(ImportJobOut):
    errors: list[ImportRowErrorOut] = Field(
        description="前 50 条错误（行、列、原因、填写的值）；完整清单在错误工作簿中"
    )

    @staticmethod
    def resolve_errors(obj: ImportJob) -> list[dict[str, Any]]:
        from .imports import first_errors

        if obj.status in (ImportStatus.PENDING, ImportStatus.RUNNING):
            return []
        keys = ("row", "column", "message", "value")
        errors = [dict(zip(keys, [*cells, "", "", "", ""][:4], strict=True)) for cells in first_errors(obj)]
        for error in errors:
            error["row"] = int(error["row"]) if str(error["row"]).isdigit() else None
        return errors

"""The audit log: every write and every sensitive read records who, when, from where.

Services call `record(...)` inside their transaction, so an audit row exists exactly
when the change does. The request context (IP, request id, channel) comes from
`AuditContextMiddleware`, the API's auth, or `audit_context(...)` in CLI and tasks.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from .choices import AuditAction


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    request_id: str = ""
    channel: str = "web"


_CLI = AuditContext(channel="cli")
_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("audit_context", default=None)


@contextlib.contextmanager
def audit_context(*, ip: str | None = None, channel: str = "cli", request_id: str = "") -> Iterator[None]:
    token = _context.set(AuditContext(ip=ip, request_id=request_id or str(uuid.uuid4()), channel=channel))
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    return _context.get() or _CLI


def set_context(ctx: AuditContext) -> contextvars.Token[AuditContext | None]:
    return _context.set(ctx)


def reset_context(token: contextvars.Token[AuditContext | None]) -> None:
    _context.reset(token)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values as JSON-safe data (FKs by id)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _org_unit_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    for attr in ("school_id", "org_unit_id", "county_id"):
        value = getattr(obj, attr, None)
        if value:
            return int(value)
    if obj._meta.label == "core.OrgUnit":
        return int(obj.pk)
    return None


def record(
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    org_unit_id: int | None = None,
) -> Any:
    """Write one audit row. Call it inside the service's transaction."""
    from .models import AuditEvent

    ctx = current_context()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.username if is_user else "",
        ip=ctx.ip,
        channel=ctx.channel,
        request_id=ctx.request_id,
        action=str(action),
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(object_id if object_id is not None else (obj.pk if obj is not None else "")),
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[:200],
        org_unit_id=org_unit_id if org_unit_id is not None else _org_unit_id_of(obj),
        before=before,
        after=after,
        note=note[:300],
    )

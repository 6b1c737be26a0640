"""Writes to the org tree, users and tokens. One transaction and one audit row each."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import audit
from .choices import AuditAction, OrgKind, Role
from .errors import DomainError
from .models import AccessToken, OrgUnit, User, hash_token
from .permissions import Perm, require
from .rules import check_org_placement, check_school_fields
from .scoping import get_for, scope_of

ORG_FIELDS = (
    "kind",
    "code",
    "name",
    "short_name",
    "parent_id",
    "school_kind",
    "ownership",
    "opened_on",
    "closed_on",
    "address",
    "contact",
    "phone",
)


def _validate_org(unit: OrgUnit) -> None:
    parent_kind = unit.parent.kind if unit.parent_id and unit.parent else None
    check_org_placement(kind=unit.kind, parent_kind=parent_kind, code=unit.code)
    if unit.kind == OrgKind.SCHOOL:
        check_school_fields(
            school_kind=unit.school_kind,
            ownership=unit.ownership,
            opened_on=unit.opened_on,
            closed_on=unit.closed_on,
        )
    else:
        unit.school_kind = unit.ownership = ""
    clash = OrgUnit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists()
    if clash:
        raise DomainError("org_code_taken", f"代码“{unit.code}”已被其他单位使用。", field="code")
    unit.county_id = {OrgKind.CITY: None, OrgKind.COUNTY: unit.pk, OrgKind.SCHOOL: unit.parent_id}[OrgKind(unit.kind)]


@transaction.atomic
def org_unit_create(*, actor: User, **fields: Any) -> OrgUnit:
    """Create a county or school (the city exists once)."""
    require(actor, Perm.MANAGE_ORG)
    unit = OrgUnit(**{k: v for k, v in fields.items() if k in ORG_FIELDS})
    _validate_org(unit)
    unit.save()
    if unit.kind == OrgKind.COUNTY:
        unit.county_id = unit.pk
        unit.save(update_fields=["county"])
    audit.record(actor, AuditAction.CREATE, unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def org_unit_update(*, actor: User, unit: OrgUnit, **fields: Any) -> OrgUnit:
    require(actor, Perm.MANAGE_ORG)
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit)
    changed = {k: v for k, v in fields.items() if k in ORG_FIELDS and k != "kind"}
    for key, value in changed.items():
        setattr(unit, key, value)
    _validate_org(unit)
    unit.save()
    old, new = audit.diff(before, audit.snapshot(unit))
    if new:
        audit.record(actor, AuditAction.UPDATE, unit, before=old, after=new)
    return unit


_MANAGEABLE_ROLES = {
    Role.CITY_ADMIN: set(Role),
    Role.COUNTY_ADMIN: {Role.COUNTY_ADMIN, Role.SCHOOL_ADMIN, Role.EXAMINER, Role.SUPERVISOR},
    Role.SCHOOL_ADMIN: {Role.SCHOOL_ADMIN, Role.EXAMINER, Role.SUPERVISOR, Role.LEARNER},
}


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    org_unit: OrgUnit | None = None,
    person_id: int | None = None,
    display_name: str = "",
) -> User:
    """Create a login. Admins create roles at or below their own level, inside their scope."""
    require(actor, Perm.MANAGE_USERS)
    if role not in _MANAGEABLE_ROLES.get(Role(actor.role), set()):
        raise DomainError("user_role_not_allowed", f"您不能创建“{Role(role).label}”账号。", field="role")
    if org_unit is not None:
        get_for(actor, OrgUnit, pk=org_unit.pk)
    elif scope_of(actor).kind != "all" and role != Role.LEARNER:
        raise DomainError("user_org_required", "请为账号选择所属单位。", field="org_unit")
    if User.objects.filter(username=username).exists():
        raise DomainError("username_taken", f"用户名“{username}”已存在。", field="username")
    user = User(username=username, role=role, org_unit=org_unit, person_id=person_id, display_name=display_name)
    user.set_password(password)
    user.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        user,
        after={"username": username, "role": role, "org_unit": user.org_unit_id},
    )
    return user


TOKEN_PREFIX = "czp_"


def _check_token_actor(actor: User | None, owner_id: int, message: str) -> None:
    """Users manage only their own tokens; actor=None (the server operator) only on the CLI channel."""
    if actor is None:
        if audit.current_context().channel != "cli":
            raise DomainError("token_not_yours", message)
    elif actor.pk != owner_id:
        raise DomainError("token_not_yours", message)


@transaction.atomic
def token_create(
    *, actor: User | None, user: User, name: str, expires_days: int | None = 365
) -> tuple[AccessToken, str]:
    """A new personal access token; the raw value is returned once and never stored.

    `actor=None` is the operator at the server (`chizheng token create`), allowed only
    inside `audit_context(channel="cli")`.
    """
    _check_token_actor(actor, user.pk, "只能为自己创建访问令牌。")
    name = (name or "").strip() or "API"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    token = AccessToken.objects.create(
        user=user,
        name=name[:60],
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        digest=hash_token(raw),
        expires_at=expires,
    )
    audit.record(
        actor,
        AuditAction.TOKEN,
        token,
        after={"name": token.name, "prefix": token.prefix, "user": user.username},
        note="创建令牌",
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User | None, token: AccessToken) -> AccessToken:
    """Revoke a token at once (idempotent). `actor=None`: the operator, as for token_create."""
    _check_token_actor(actor, token.user_id, "只能吊销自己的访问令牌。")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            AuditAction.TOKEN,
            token,
            after={"revoked_at": token.revoked_at.isoformat()},
            note="吊销令牌",
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None. Touches last_used_at at most once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = AccessToken.objects.select_related("user").filter(digest=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def manageable_users(actor: User) -> Any:
    """The logins an admin may manage: accounts of units in their scope, and learners studying there."""
    from django.db.models import Q

    require(actor, Perm.MANAGE_USERS)
    users = User.objects.select_related("org_unit", "person__school")
    if scope_of(actor).kind == "all":
        return users
    units = OrgUnit.objects.restrict(actor).values("pk")
    return users.filter(Q(org_unit__in=units) | Q(org_unit__isnull=True, person__school__in=units))


def get_user_for(actor: User, pk: int) -> User:
    """A login the actor may manage; NotFound (404) when missing or outside their scope."""
    from .errors import NotFound

    user = manageable_users(actor).filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user


def _check_role_allowed(actor: User, role: str) -> None:
    if role not in _MANAGEABLE_ROLES.get(Role(actor.role), set()):
        raise DomainError("user_role_not_allowed", f"您不能管理“{Role(role).label}”账号。", field="role")


@transaction.atomic
def user_update(*, actor: User, user: User, role: str, org_unit: OrgUnit | None, display_name: str = "") -> User:
    """Change a login's role, unit or display name, within the actor's scope and level."""
    target = get_user_for(actor, user.pk)
    _check_role_allowed(actor, target.role)
    _check_role_allowed(actor, role)
    if org_unit is not None:
        get_for(actor, OrgUnit, pk=org_unit.pk)
    elif role != Role.LEARNER and role != Role.EXPERT and scope_of(actor).kind != "all":
        raise DomainError("user_org_required", "请为账号选择所属单位。", field="org_unit")
    if role == Role.LEARNER and target.person_id is None:
        raise DomainError("user_learner_person", "学生/学员账号须关联人员信息。", field="role")
    if target.pk == actor.pk and role != actor.role:
        raise DomainError("user_own_role", "不能修改自己的角色。", field="role")
    fields = ("role", "org_unit_id", "display_name")
    before = audit.snapshot(target, fields)
    target.role = role
    target.org_unit = org_unit
    target.display_name = display_name.strip()
    target.save(update_fields=["role", "org_unit", "display_name"])
    old, new = audit.diff(before, audit.snapshot(target, fields))
    if new:
        audit.record(actor, AuditAction.UPDATE, target, before=old, after=new, org_unit_id=target.org_unit_id)
    return target


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (no login, no API) or reactivate a login. Nobody deactivates themselves."""
    target = get_user_for(actor, user.pk)
    _check_role_allowed(actor, target.role)
    if target.pk == actor.pk:
        raise DomainError("user_self_deactivate", "不能停用自己的账号。")
    if target.is_active != active:
        target.is_active = active
        target.save(update_fields=["is_active"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            target,
            before={"is_active": not active},
            after={"is_active": active},
            note="启用账号" if active else "停用账号",
            org_unit_id=target.org_unit_id,
        )
    return target


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """An admin sets a new password for a login in their scope (the password itself is never logged)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    target = get_user_for(actor, user.pk)
    _check_role_allowed(actor, target.role)
    try:
        validate_password(password, target)
    except ValidationError as err:
        raise DomainError("password_weak", "；".join(err.messages), field="password") from None
    target.set_password(password)
    target.save(update_fields=["password"])
    audit.record(actor, AuditAction.UPDATE, target, note="重置密码", org_unit_id=target.org_unit_id)
    return target

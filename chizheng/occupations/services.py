"""Writes to the occupation catalog: standard info, key fields and trades. One audit row each."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from chizheng.core import audit
from chizheng.core.choices import AuditAction, KeyField
from chizheng.core.errors import DomainError
from chizheng.core.permissions import Perm, require

from .models import Occupation, Trade
from .rules import check_standard, parse_levels

_STANDARD_FIELDS = ("has_national_standard", "standard_number", "standard_levels", "key_field")


@transaction.atomic
def occupation_update(
    *,
    actor: Any,
    occupation: Occupation,
    has_national_standard: bool,
    standard_number: str = "",
    levels: str | list[int] = "",
    key_field: str = KeyField.OTHER,
) -> Occupation:
    """Set whether a national skill standard exists (its number and levels) and the R18 key field."""
    require(actor, Perm.MANAGE_OCCUPATIONS)
    parsed = parse_levels(levels) if isinstance(levels, str) else sorted(set(levels), reverse=True)
    number = (standard_number or "").strip()
    check_standard(has_standard=has_national_standard, number=number, levels=parsed)
    if key_field not in KeyField.values:
        raise DomainError("key_field_unknown", f"重点领域“{key_field}”不在 R18 的十个领域之列。", field="key_field")
    occupation = Occupation.objects.select_for_update().get(pk=occupation.pk)
    before = audit.snapshot(occupation, _STANDARD_FIELDS)
    occupation.has_national_standard = has_national_standard
    occupation.standard_number = number
    occupation.standard_levels = parsed
    occupation.key_field = key_field
    occupation.save(update_fields=list(_STANDARD_FIELDS))
    old, new = audit.diff(before, audit.snapshot(occupation, _STANDARD_FIELDS))
    if new:
        audit.record(actor, AuditAction.UPDATE, occupation, before=old, after=new)
    return occupation


@transaction.atomic
def trade_create(*, actor: Any, occupation: Occupation, name: str, code: str = "") -> Trade:
    """Add a trade (工种) under an occupation; names are unique within the occupation."""
    require(actor, Perm.MANAGE_OCCUPATIONS)
    name = (name or "").strip()
    if not name:
        raise DomainError("trade_name_missing", "请填写工种名称。", field="name")
    if len(name) > 100:
        raise DomainError("trade_name_long", "工种名称不能超过 100 个字。", field="name")
    if Trade.objects.filter(occupation=occupation, name=name).exists():
        raise DomainError("trade_exists", f"职业 {occupation.code} 下已有工种“{name}”。", field="name")
    try:
        with transaction.atomic():
            trade = Trade.objects.create(occupation=occupation, name=name, code=(code or "").strip()[:20])
    except IntegrityError:  # a concurrent insert of the same name
        raise DomainError("trade_exists", f"职业 {occupation.code} 下已有工种“{name}”。", field="name") from None
    audit.record(
        actor, AuditAction.CREATE, trade, after={"occupation": occupation.code, "name": name, "code": trade.code}
    )
    return trade


@transaction.atomic
def trade_delete(*, actor: Any, trade: Trade) -> None:
    """Remove a trade. Later capabilities that reference trades protect them in the database."""
    require(actor, Perm.MANAGE_OCCUPATIONS)
    before = {"occupation": trade.occupation.code, "name": trade.name, "code": trade.code}
    pk, label = trade.pk, str(trade)
    try:
        with transaction.atomic():
            trade.delete()
    except IntegrityError:
        raise DomainError("trade_in_use", f"工种“{trade.name}”已被使用，不能删除。") from None
    audit.record(
        actor, AuditAction.DELETE, object_type="occupations.Trade", object_id=pk, object_repr=label, before=before
    )

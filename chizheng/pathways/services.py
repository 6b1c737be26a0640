"""Writers of the pathways' source data (R5 here; R6/R7 sources in their own modules). Batches: `batches.py`.

xmapping_create / xmapping_update / xmapping_delete   the city's 1+X certificate → occupation table
xcertificate_create                                   one 1+X record (the Excel import does many)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError
from chizheng.core.permissions import Perm, require
from chizheng.core.scoping import get_for
from chizheng.occupations.models import Occupation, Trade
from chizheng.people.models import Person

from .choices import XLevel
from .models import XCertificate, XCertMapping

#: The city maintains the mapping table, like the occupation catalogue.
MAP_PERM = Perm.MANAGE_OCCUPATIONS
#: Schools record their students' 1+X certificates and run batches, like certificate issuance.
RUN_PERM = Perm.ISSUE_CERTIFICATES
VIEW_PERM = Perm.VIEW_CERTIFICATES


def _clean_mapping(
    certificate_name: str, organisation: str, occupation: Occupation, trade: Trade | None
) -> tuple[str, str]:
    name = " ".join((certificate_name or "").split())
    org = " ".join((organisation or "").split())
    if not name:
        raise DomainError("name_required", "请填写 1+X 证书名称。", field="certificate_name")
    if trade is not None and trade.occupation_id != occupation.pk:
        raise DomainError("bad_trade", f"工种“{trade.name}”不属于职业“{occupation.name}”。", field="trade")
    return name[:100], org[:100]


def _mapping_taken(name: str, org: str, exclude: int | None = None) -> None:
    qs = XCertMapping.objects.filter(certificate_name=name, organisation=org)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        who = f"（{org}）" if org else "（不限组织）"
        raise DomainError(
            "mapping_exists", f"1+X 证书“{name}”{who}已有职业对应，请修改原记录。", field="certificate_name"
        )


@transaction.atomic
def xmapping_create(
    *,
    actor: Any,
    certificate_name: str,
    occupation: Occupation,
    organisation: str = "",
    trade: Trade | None = None,
    note: str = "",
) -> XCertMapping:
    """Map a 1+X certificate (of one organisation, or of any when `organisation` is empty) to an occupation (R5)."""
    if actor is not None:
        require(actor, MAP_PERM)
    name, org = _clean_mapping(certificate_name, organisation, occupation, trade)
    _mapping_taken(name, org)
    mapping = XCertMapping.objects.create(
        certificate_name=name,
        organisation=org,
        occupation=occupation,
        trade=trade,
        note=(note or "")[:200],
        created_by=actor,
    )
    audit.record(actor, AuditAction.CREATE, mapping, after=audit.snapshot(mapping, _MAPPING_FIELDS))
    return mapping


_MAPPING_FIELDS = ["certificate_name", "organisation", "occupation_id", "trade_id", "note"]


@transaction.atomic
def xmapping_update(
    *,
    actor: Any,
    mapping: XCertMapping,
    certificate_name: str,
    occupation: Occupation,
    organisation: str = "",
    trade: Trade | None = None,
    note: str = "",
) -> XCertMapping:
    """Change a mapping. Batches already confirmed keep their certificates; later previews use the new one."""
    if actor is not None:
        require(actor, MAP_PERM)
    mapping = XCertMapping.objects.select_for_update().get(pk=mapping.pk)
    name, org = _clean_mapping(certificate_name, organisation, occupation, trade)
    _mapping_taken(name, org, exclude=mapping.pk)
    before = audit.snapshot(mapping, _MAPPING_FIELDS)
    mapping.certificate_name, mapping.organisation = name, org
    mapping.occupation, mapping.trade, mapping.note = occupation, trade, (note or "")[:200]
    mapping.updated_at = timezone.now()
    mapping.save(update_fields=[*_MAPPING_FIELDS, "updated_at"])
    b, a = audit.diff(before, audit.snapshot(mapping, _MAPPING_FIELDS))
    if a:
        audit.record(actor, AuditAction.UPDATE, mapping, before=b, after=a)
    return mapping


@transaction.atomic
def xmapping_delete(*, actor: Any, mapping: XCertMapping) -> None:
    """Remove a mapping; certificates already recognised keep their evidence."""
    if actor is not None:
        require(actor, MAP_PERM)
    before = audit.snapshot(mapping, _MAPPING_FIELDS)
    audit.record(actor, AuditAction.DELETE, mapping, before=before)
    mapping.delete()


@transaction.atomic
def xcertificate_create(
    *,
    actor: Any,
    person: Person,
    organisation: str,
    name: str,
    level: str,
    number: str,
    issued_on: dt.date,
) -> XCertificate:
    """Record one 1+X certificate of a person in the actor's scope; the school is the person's."""
    if actor is not None:
        require(actor, RUN_PERM)
        person = get_for(actor, Person, pk=person.pk)
    if person.school_id is None or person.county_id is None:
        raise DomainError("no_school", f"{person.name}没有所在院校，不能登记 1+X 证书。", field="person")
    organisation, name, number = (" ".join((v or "").split()) for v in (organisation, name, number))
    for value, field, label in (
        (organisation, "organisation", "培训评价组织"),
        (name, "name", "证书名称"),
        (number, "number", "证书编号"),
    ):
        if not value:
            raise DomainError("required", f"请填写{label}。", field=field)
    if level not in XLevel.values:
        raise DomainError("bad_level", f"证书等级“{level}”无效，应为初级、中级或高级。", field="level")
    if XCertificate.objects.filter(organisation=organisation, number=number).exists():
        raise DomainError("duplicate_number", f"{organisation}的 1+X 证书编号 {number} 已登记。", field="number")
    try:
        with transaction.atomic():
            x = XCertificate.objects.create(
                person=person,
                school_id=person.school_id,
                county_id=person.county_id,
                organisation=organisation[:100],
                name=name[:100],
                level=level,
                number=number[:60],
                issued_on=issued_on,
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(
            "duplicate_number", f"{organisation}的 1+X 证书编号 {number} 已登记。", field="number"
        ) from None
    audit.record(
        actor,
        AuditAction.CREATE,
        x,
        after=audit.snapshot(x, ["person_id", "organisation", "name", "level", "number", "issued_on"]),
    )
    return x

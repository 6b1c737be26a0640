"""Certificate issuance (R8): ONE service every pathway calls with its evidence.

    certificate_publicise  → publicised certificates (公示), after the R2/R3 gate and the R8 check
    certificate_issue_due  → numbers every publicised certificate whose publicity has ended
                             without an open objection (gap-free serials per station, year, level)
    certificate_revoke / certificate_reissue / objection_raise / objection_resolve

`actor=None` means the system itself (demo builder, benchmarks, CLI under `audit_context`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.permissions import Perm, require
from chizheng.institutions.models import EvaluationInstitution
from chizheng.institutions.selectors import check_institution_may_assess
from chizheng.occupations.models import Occupation, Trade
from chizheng.people.models import Person

from . import numbering
from .choices import CertificateKind, CertificateStatus, Pathway
from .models import VALID_STATUSES, Certificate, NumberSequence, Objection

BATCH = 1000


@dataclass(frozen=True)
class IssueItem:
    """One person to certify, with the pathway's evidence (session and scores, 1+X record, …)."""

    person_id: int
    evidence: dict[str, Any]
    evidence_type: str
    evidence_id: str


def _check_actor(actor: Any, institution: EvaluationInstitution, perm: Perm) -> None:
    if actor is None:
        return
    require(actor, perm)
    if not EvaluationInstitution.objects.restrict(actor).filter(pk=institution.pk).exists():
        raise NotFound()


def _freeze_holder(cert: Certificate, person: Person) -> None:
    cert.holder_name = person.name
    cert.holder_id_number = person.id_number
    cert.holder_sex = person.sex
    cert.holder_birth_date = person.birth_date
    cert.holder_photo = person.photo.name or ""


def station_code_of(institution: EvaluationInstitution) -> str:
    """The institution's 6-digit station code (its county's code when not set)."""
    return institution.station_code or institution.county.code[:6]


@transaction.atomic
def certificate_publicise(
    *,
    actor: Any,
    institution: EvaluationInstitution,
    occupation: Occupation,
    level: int,
    kind: str,
    pathway: str,
    items: Sequence[IssueItem],
    on_date: dt.date,
    publicity_days: int = 7,
    trade: Trade | None = None,
    skip_existing: bool = False,
) -> list[Certificate]:
    """Create publicised certificates for `items` (one per person), publicity from `on_date` for `publicity_days`.

    Checks the R2/R3 gate (the institution may assess the occupation at the level on `on_date`) and R8
    (no valid certificate already for person × occupation × level): refuses naming the row and person,
    or, with `skip_existing=True`, skips those persons so a re-run batch creates nothing twice.
    """
    _check_actor(actor, institution, Perm.ISSUE_CERTIFICATES)
    if kind not in CertificateKind.values:
        raise DomainError("bad_kind", f"证书类型“{kind}”无效。", field="kind")
    if pathway not in Pathway.values:
        raise DomainError("bad_pathway", f"取证途径“{pathway}”无效。", field="pathway")
    if not 1 <= publicity_days <= 60:
        raise DomainError("bad_publicity_days", "公示天数应在 1–60 天之间。", field="publicity_days")
    if trade is not None and trade.occupation_id != occupation.pk:
        raise DomainError("bad_trade", f"工种“{trade}”不属于职业“{occupation.name}”。", field="trade")
    check_institution_may_assess(institution, occupation, level, on_date)

    seen: dict[int, int] = {}
    for row, item in enumerate(items, start=1):
        if item.person_id in seen:
            raise DomainError("duplicate_person", f"第 {row} 条与第 {seen[item.person_id]} 条是同一人。", row=row)
        seen[item.person_id] = row
    persons: dict[int, Person] = {}
    ids = list(seen)
    for start in range(0, len(ids), BATCH):
        persons.update(Person.objects.in_bulk(ids[start : start + BATCH]))
    for item in items:
        if item.person_id not in persons:
            raise DomainError("person_missing", f"第 {seen[item.person_id]} 条：人员（ID {item.person_id}）不存在。")

    existing: set[int] = set()
    for start in range(0, len(ids), BATCH):
        existing.update(
            Certificate.objects.filter(
                person_id__in=ids[start : start + BATCH], occupation=occupation, level=level, status__in=VALID_STATUSES
            ).values_list("person_id", flat=True)
        )
    if existing and not skip_existing:
        first = min(existing, key=lambda pid: seen[pid])
        person = persons[first]
        raise DomainError(
            "already_certified",
            f"第 {seen[first]} 条：{person.name}（{person.masked_id_number}）已持有"
            f"{occupation.name} {level} 级的有效证书（共 {len(existing)} 人）；"
            "同一人同一职业同一等级只能有一本有效证书。",
            row=seen[first],
            count=len(existing),
        )

    ends = on_date + dt.timedelta(days=publicity_days)
    now = timezone.now()
    certs: list[Certificate] = []
    for item in items:
        if item.person_id in existing:
            continue
        person = persons[item.person_id]
        cert = Certificate(
            person=person,
            school_id=person.school_id,
            county_id=person.county_id,
            institution=institution,
            occupation=occupation,
            trade=trade,
            level=level,
            kind=kind,
            pathway=pathway,
            status=CertificateStatus.PUBLICISED,
            publicity_starts=on_date,
            publicity_ends=ends,
            evidence=item.evidence,
            evidence_type=item.evidence_type,
            evidence_id=item.evidence_id,
            created_by=actor if actor is not None else None,
            created_at=now,
            updated_at=now,
        )
        _freeze_holder(cert, person)
        certs.append(cert)
    try:
        with transaction.atomic():
            Certificate.objects.bulk_create(certs, batch_size=BATCH)
    except IntegrityError:
        raise DomainError(
            "already_certified_concurrently", "同一批人员的证书正在由他人同时办理，请刷新后重试（未写入任何证书）。"
        ) from None
    if certs:
        audit.record(
            actor,
            AuditAction.CREATE,
            object_type="certification.Certificate",
            object_id=f"{certs[0].pk}..{certs[-1].pk}",
            object_repr=f"{institution.name} {occupation.name} {level} 级 公示 {len(certs)} 人",
            after={"count": len(certs), "skipped": len(existing), "publicity_ends": ends.isoformat()},
            org_unit_id=institution.school_id,
        )
    return certs


def _take_serials(station: str, year: int, level: int, count: int) -> list[int]:
    """Reserve `count` consecutive serials, locking the sequence row until the transaction ends."""
    NumberSequence.objects.get_or_create(station_code=station, year=year, level=level)
    seq = NumberSequence.objects.select_for_update().get(station_code=station, year=year, level=level)
    first = seq.last_serial + 1
    seq.last_serial += count
    if seq.last_serial > numbering.MAX_SERIAL:
        raise DomainError("serial_exhausted", f"站点 {station} {year} 年 {level} 级的证书序号已用完。")
    seq.save(update_fields=["last_serial"])
    return list(range(first, first + count))


def _number(cert: Certificate, institution: EvaluationInstitution, serial: int, year: int) -> str:
    return numbering.format_number(
        cert.kind,
        numbering.NumberParts(
            institution_kind=institution.kind,
            institution_code=institution.code,
            station_code=station_code_of(institution),
            year=year,
            level=cert.level,
            serial=serial,
        ),
    )


_HOLDER_FIELDS = ["holder_name", "holder_id_number", "holder_sex", "holder_birth_date", "holder_photo"]


def _holder(cert: Certificate) -> tuple[Any, ...]:
    return tuple(getattr(cert, name) for name in _HOLDER_FIELDS)


@transaction.atomic
def certificate_issue_due(*, actor: Any, institution: EvaluationInstitution, on_date: dt.date) -> list[Certificate]:
    """Number and issue every publicised certificate of `institution` whose publicity ended before `on_date`
    and that has no open objection. Serials are gap-free per station, year and level: the sequence row is
    locked for the whole transaction, so concurrent issuers wait and a re-run issues nothing twice.
    Holder data is frozen from the Person now."""
    _check_actor(actor, institution, Perm.ISSUE_CERTIFICATES)
    due = list(
        Certificate.objects.select_for_update()
        .filter(institution=institution, status=CertificateStatus.PUBLICISED, publicity_ends__lt=on_date)
        .exclude(pk__in=Objection.objects.filter(resolved_on__isnull=True).values("certificate_id"))
        .order_by("level", "id")
    )
    if not due:
        return []
    groups = {(c.occupation_id, c.level) for c in due}
    occupations = Occupation.objects.in_bulk({g[0] for g in groups})
    for occupation_id, level in sorted(groups):
        check_institution_may_assess(institution, occupations[occupation_id], level, on_date)
    persons: dict[int, Person] = {}
    pids = list({c.person_id for c in due})
    for start in range(0, len(pids), BATCH):
        persons.update(Person.objects.in_bulk(pids[start : start + BATCH]))

    by_level: dict[int, list[Certificate]] = defaultdict(list)
    for cert in due:
        by_level[cert.level].append(cert)
    station = station_code_of(institution)
    now = timezone.now()
    changed: list[Certificate] = []
    for level in sorted(by_level):
        certs = by_level[level]
        serials = _take_serials(station, on_date.year, level, len(certs))
        for cert, serial in zip(certs, serials, strict=True):
            cert.number = _number(cert, institution, serial, on_date.year)
            cert.status = CertificateStatus.ISSUED
            cert.issued_on = on_date
            cert.updated_at = now
            before = _holder(cert)
            _freeze_holder(cert, persons[cert.person_id])
            if _holder(cert) != before:  # the person was edited during publicity
                changed.append(cert)
    # Numbers first (row by row), then the values every row shares in one UPDATE per chunk; the holder
    # snapshot (taken at publicity) is rewritten only where the person changed since.
    Certificate.objects.bulk_update(due, ["number"], batch_size=BATCH)
    ids = [c.pk for c in due]
    for start in range(0, len(ids), BATCH):
        Certificate.objects.filter(pk__in=ids[start : start + BATCH]).update(
            status=CertificateStatus.ISSUED, issued_on=on_date, updated_at=now
        )
    if changed:
        Certificate.objects.bulk_update(changed, _HOLDER_FIELDS, batch_size=BATCH)
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="certification.Certificate",
        object_id=f"{due[0].pk}..{due[-1].pk}",
        object_repr=f"{institution.name} 发证 {len(due)} 本",
        after={"count": len(due), "issued_on": on_date.isoformat(), "numbers": [c.number for c in due[:5]]},
        org_unit_id=institution.school_id,
    )
    return due


def _lock_cert(actor: Any, certificate: Certificate, perm: Perm) -> Certificate:
    if actor is not None:
        require(actor, perm)
        if not Certificate.objects.restrict(actor).filter(pk=certificate.pk).exists():
            raise NotFound()
    return Certificate.objects.select_for_update().select_related("institution__county").get(pk=certificate.pk)


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str, on_date: dt.date) -> Certificate:
    """Revoke a publicised or issued certificate with a reason; the record is kept and verifies as revoked."""
    cert = _lock_cert(actor, certificate, Perm.REVOKE_CERTIFICATE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写撤销原因。", field="reason")
    if cert.status not in VALID_STATUSES:
        raise DomainError("not_revocable", f"证书状态为“{cert.get_status_display()}”，不能撤销。")
    if cert.issued_on and on_date < cert.issued_on:
        raise DomainError("bad_date", "撤销日期不能早于发证日期。", field="on_date")
    before = audit.snapshot(cert, ["status", "revoked_on", "revoke_reason"])
    cert.status = CertificateStatus.REVOKED
    cert.revoked_on = on_date
    cert.revoke_reason = reason[:300]
    cert.updated_at = timezone.now()
    cert.save(update_fields=["status", "revoked_on", "revoke_reason", "updated_at"])
    audit.record(actor, AuditAction.UPDATE, cert, before=before, after=audit.snapshot(cert, before), note=reason)
    return cert


@transaction.atomic
def certificate_reissue(
    *, actor: Any, certificate: Certificate, reason: str, on_date: dt.date | None = None
) -> Certificate:
    """Reissue an issued certificate (lost, damaged, holder data corrected): a new certificate with a new
    number, linked to the old one, which becomes `replaced`. Holder data is frozen anew from the Person."""
    old = _lock_cert(actor, certificate, Perm.ISSUE_CERTIFICATES)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写换发原因。", field="reason")
    if old.status != CertificateStatus.ISSUED:
        raise DomainError("not_reissuable", f"证书状态为“{old.get_status_display()}”，只有已发证的证书可以换发。")
    day = on_date or timezone.localdate()
    old.status = CertificateStatus.REPLACED
    old.updated_at = timezone.now()
    old.save(update_fields=["status", "updated_at"])
    institution = old.institution
    new = Certificate(
        person_id=old.person_id,
        school_id=old.school_id,
        county_id=old.county_id,
        institution=institution,
        occupation_id=old.occupation_id,
        trade_id=old.trade_id,
        level=old.level,
        kind=old.kind,
        pathway=old.pathway,
        status=CertificateStatus.ISSUED,
        issued_on=day,
        publicity_starts=old.publicity_starts,
        publicity_ends=old.publicity_ends,
        evidence=old.evidence,
        evidence_type=old.evidence_type,
        evidence_id=old.evidence_id,
        reissue_of=old,
        created_by=actor,
    )
    _freeze_holder(new, Person.objects.get(pk=old.person_id))
    (serial,) = _take_serials(station_code_of(institution), day.year, old.level, 1)
    new.number = _number(new, institution, serial, day.year)
    new.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        new,
        after={"number": new.number, "reissue_of": old.number},
        note=f"换发：{reason}"[:300],
    )
    return new


@transaction.atomic
def objection_raise(*, actor: Any, certificate: Certificate, text: str, on_date: dt.date) -> Objection:
    """Record an objection (异议) received on `on_date` against a certificate in publicity (公示); it holds the
    certificate back from `certificate_issue_due` until resolved. Only during publicity: from the first to the
    last day inclusive (issue numbers certificates whose publicity ended *before* the issue date), never
    dated in the future, and only while the certificate is still publicised."""
    cert = _lock_cert(actor, certificate, Perm.ISSUE_CERTIFICATES)
    text = (text or "").strip()
    if not text:
        raise DomainError("text_required", "请填写异议内容。", field="text")
    if cert.status != CertificateStatus.PUBLICISED:
        raise DomainError("not_in_publicity", f"证书状态为“{cert.get_status_display()}”，只能对公示中的证书提出异议。")
    if on_date > timezone.localdate():
        raise DomainError("future_date", "提出日期不能晚于今天。", field="on_date")
    if not cert.publicity_starts <= on_date <= cert.publicity_ends:
        raise DomainError(
            "outside_publicity",
            f"公示期为 {cert.publicity_starts:%Y-%m-%d} 至 {cert.publicity_ends:%Y-%m-%d}，"
            f"{on_date:%Y-%m-%d} 不在公示期内，不能登记异议。",
            field="on_date",
        )
    obj = Objection.objects.create(certificate=cert, raised_on=on_date, text=text, raised_by=actor)
    audit.record(
        actor,
        AuditAction.CREATE,
        obj,
        object_repr=f"公示异议：{cert.holder_name}（证书 {cert.pk}）",
        after={"certificate": cert.pk, "raised_on": on_date.isoformat(), "text": text[:200]},
        org_unit_id=cert.school_id,
    )
    return obj


@transaction.atomic
def objection_resolve(
    *, actor: Any, objection: Objection, upheld: bool, resolution: str, on_date: dt.date
) -> Objection:
    """Resolve an objection, once. Upheld: the certificate is revoked before issue (no number is used);
    dismissed: it is issued with the next due batch once no other objection is open. Out of the actor's
    scope answers 404 before anything about the objection is told."""
    cert = _lock_cert(actor, objection.certificate, Perm.ISSUE_CERTIFICATES)
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    if obj.resolved_on is not None:
        raise DomainError("already_resolved", f"该异议已于 {obj.resolved_on:%Y-%m-%d} 处理，不能再次处理。")
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError("resolution_required", "请填写处理结果。", field="resolution")
    if on_date < obj.raised_on:
        raise DomainError("bad_date", f"处理日期不能早于异议提出日期（{obj.raised_on:%Y-%m-%d}）。", field="on_date")
    if on_date > timezone.localdate():
        raise DomainError("future_date", "处理日期不能晚于今天。", field="on_date")
    before = audit.snapshot(obj, ["resolved_on", "upheld", "resolution"])
    obj.resolved_on = on_date
    obj.upheld = upheld
    obj.resolution = resolution
    obj.save(update_fields=["resolved_on", "upheld", "resolution"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        obj,
        object_repr=f"公示异议：{cert.holder_name}（证书 {cert.pk}）",
        before=before,
        after=audit.snapshot(obj, before),
        org_unit_id=cert.school_id,
    )
    if upheld and cert.status == CertificateStatus.PUBLICISED:
        cert_before = audit.snapshot(cert, ["status", "revoked_on", "revoke_reason"])
        cert.status = CertificateStatus.REVOKED
        cert.revoked_on = on_date
        cert.revoke_reason = f"公示异议成立：{resolution}"[:300]
        cert.updated_at = timezone.now()
        cert.save(update_fields=["status", "revoked_on", "revoke_reason", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            cert,
            before=cert_before,
            after=audit.snapshot(cert, cert_before),
            note=f"公示异议成立（异议 {obj.pk}）",
        )
    return obj

"""Reads of certificates: scoped lists, one certificate's history, and the public verification answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from chizheng.core.models import AuditEvent
from chizheng.people.rules import mask_id_number

from .choices import CertificateStatus
from .models import Certificate

ISSUED_STATES = (CertificateStatus.ISSUED, CertificateStatus.REVOKED, CertificateStatus.REPLACED)


def certificates_for(user: Any) -> QuerySet[Certificate]:
    """The certificates the user may see (school / county / city / the learner's own)."""
    return Certificate.objects.restrict(user).select_related("institution", "occupation", "trade", "school", "county")


def history_of(cert: Certificate) -> list[dict[str, Any]]:
    """The certificate's lifecycle as dated lines: publicity, objections, issue, revocation, reissue links."""
    lines: list[dict[str, Any]] = [
        {"on": cert.publicity_starts, "what": "公示", "note": f"至 {cert.publicity_ends:%Y-%m-%d}"}
    ]
    for obj in cert.objections.all():
        lines.append({"on": obj.raised_on, "what": "公示异议", "note": obj.text})
        if obj.resolved_on:
            outcome = "成立" if obj.upheld else "不成立"
            lines.append({"on": obj.resolved_on, "what": f"异议处理（{outcome}）", "note": obj.resolution})
    if cert.reissue_of_id and cert.reissue_of:
        lines.append({"on": cert.issued_on, "what": "换发", "note": f"原证书 {cert.reissue_of.number}"})
    elif cert.issued_on:
        lines.append({"on": cert.issued_on, "what": "发证", "note": cert.number or ""})
    if cert.revoked_on:
        lines.append({"on": cert.revoked_on, "what": "撤销", "note": cert.revoke_reason})
    newer = Certificate.objects.filter(reissue_of=cert).first()
    if newer:
        lines.append({"on": newer.issued_on, "what": "已换发", "note": f"新证书 {newer.number}"})
    return sorted(lines, key=lambda line: (line["on"] is None, line["on"]))


def audit_of(cert: Certificate) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type="certification.Certificate", object_id=str(cert.pk)).order_by("at")


@dataclass(frozen=True)
class Verification:
    """The public answer: `valid`, `revoked` (also a certificate replaced by a reissue) or `not_found`."""

    result: str
    number: str = ""
    name: str = ""
    masked_id_number: str = ""
    occupation: str = ""
    trade: str = ""
    level: str = ""
    kind: str = ""
    institution: str = ""
    institution_code: str = ""
    issued_on: str = ""
    revoked_on: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return {"valid": "有效", "revoked": "已撤销 / 已作废", "not_found": "未查到"}[self.result]


NOT_FOUND = Verification(result="not_found", note="未查到与所填信息一致的证书，请核对证书编号和姓名。")


def _answer(cert: Certificate | None) -> Verification:
    if cert is None or cert.status not in ISSUED_STATES or not cert.number:
        return NOT_FOUND
    note = ""
    if cert.status == CertificateStatus.REVOKED:
        note = f"该证书已于 {cert.revoked_on:%Y-%m-%d} 撤销。"
    elif cert.status == CertificateStatus.REPLACED:
        newer = Certificate.objects.filter(reissue_of=cert).only("number").first()
        note = f"该证书已换发，原证书作废{f'；新证书编号 {newer.number}' if newer else ''}。"
    return Verification(
        result="valid" if cert.status == CertificateStatus.ISSUED else "revoked",
        number=cert.number,
        name=cert.holder_name,
        masked_id_number=mask_id_number(cert.holder_id_number),
        occupation=cert.occupation.name,
        trade=cert.trade.name if cert.trade else "--",
        level=cert.get_level_display(),
        kind=cert.get_kind_display(),
        institution=cert.institution.name,
        institution_code=cert.institution.code,
        issued_on=f"{cert.issued_on:%Y-%m-%d}" if cert.issued_on else "",
        revoked_on=f"{cert.revoked_on:%Y-%m-%d}" if cert.revoked_on else "",
        note=note,
    )


def _public() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("institution", "occupation", "trade")


def verify_by_number(number: str, name: str) -> Verification:
    """Number AND holder name must both match; a wrong name answers exactly like a missing number."""
    number, name = (number or "").strip().upper(), (name or "").strip()
    if not number or not name:
        return NOT_FOUND
    return _answer(_public().filter(number=number, holder_name=name).first())


def verify_by_token(token: str) -> Verification:
    token = (token or "").strip()
    if not token:
        return NOT_FOUND
    return _answer(_public().filter(verify_token=token).first())

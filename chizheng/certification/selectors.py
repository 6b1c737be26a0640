"""Reads of certificates: scoped lists, one certificate's history, and the public verification answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, QuerySet, Value, When

from chizheng.core.errors import NotFound
from chizheng.core.models import AuditEvent
from chizheng.occupations.choices import SkillLevel
from chizheng.people.rules import mask_id_number

from .choices import EVIDENCE_LABELS, CertificateKind, CertificateStatus
from .models import Certificate, Objection

ISSUED_STATES = (CertificateStatus.ISSUED, CertificateStatus.REVOKED, CertificateStatus.REPLACED)


def certificates_for(user: Any) -> QuerySet[Certificate]:
    """The certificates the user may see (school / county / city / the learner's own)."""
    return Certificate.objects.restrict(user).select_related("institution", "occupation", "trade", "school", "county")


def objections_for(user: Any) -> QuerySet[Objection]:
    """Objections to the certificates the user may see, with `state` = open / resolved for the list filter."""
    return (
        Objection.objects.filter(certificate__in=Certificate.objects.restrict(user).values("pk"))
        .select_related("certificate__occupation", "certificate__school", "certificate__county", "raised_by")
        .annotate(state=Case(When(resolved_on__isnull=True, then=Value("open")), default=Value("resolved")))
    )


def get_objection_for(user: Any, pk: int) -> Objection:
    """One objection within the user's scope; NotFound (404) when missing or outside it."""
    try:
        return objections_for(user).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


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

# The columns of the public answer, read in one query over the certificate's unique index (number or
# verify_token) joined to its occupation, trade and institution.
_PUBLIC_COLUMNS = (
    "pk",
    "number",
    "status",
    "holder_name",
    "holder_id_number",
    "level",
    "kind",
    "issued_on",
    "revoked_on",
    "occupation__name",
    "trade__name",
    "institution__name",
    "institution__code",
)


class _PublicLookup:
    """One row of `_PUBLIC_COLUMNS` by a unique lookup, as SQL the ORM compiles ONCE per database vendor.

    Public verification is the busiest read of the platform (every QR scan, every employer's check). The
    ORM spent ≈ 1.5 ms per request compiling this query and building four model instances, twenty times
    the query itself (bench/verify_load.py, docs/performance.md). The SQL is still the ORM's own (same
    joins, quoting and placeholders on SQLite and PostgreSQL); only the parameter values change.
    """

    def __init__(self, *fields: str) -> None:
        self.fields = fields
        self.compiled: dict[str, tuple[str, list[str]]] = {}

    def _compile(self) -> tuple[str, list[str]]:
        sentinels = {f"\x00{name}\x00": name for name in self.fields}
        query = Certificate.objects.filter(**{name: token for token, name in sentinels.items()})
        sql, params = query.order_by().values(*_PUBLIC_COLUMNS)[:1].query.sql_with_params()
        return sql, [sentinels[p] for p in params]  # KeyError: the ORM added a parameter of its own

    def fetch(self, **values: str) -> dict[str, Any] | None:
        vendor = connection.vendor
        if vendor not in self.compiled:
            self.compiled[vendor] = self._compile()
        sql, order = self.compiled[vendor]
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[name] for name in order])
            row = cursor.fetchone()
        return dict(zip(_PUBLIC_COLUMNS, row, strict=True)) if row else None


_BY_NUMBER = _PublicLookup("number", "holder_name")
_BY_TOKEN = _PublicLookup("verify_token")


def _day(value: Any) -> str:
    """A date column as YYYY-MM-DD (a date object, or the ISO text a raw cursor may hand back)."""
    return str(value)[:10] if value else ""


def _answer(row: dict[str, Any] | None) -> Verification:
    if row is None or row["status"] not in ISSUED_STATES or not row["number"]:
        return NOT_FOUND
    status, revoked_on = row["status"], _day(row["revoked_on"])
    note = ""
    if status == CertificateStatus.REVOKED:
        note = f"该证书已于 {revoked_on} 撤销。"
    elif status == CertificateStatus.REPLACED:
        newer = Certificate.objects.filter(reissue_of=row["pk"]).values_list("number", flat=True).first()
        note = f"该证书已换发，原证书作废{f'；新证书编号 {newer}' if newer else ''}。"
    return Verification(
        result="valid" if status == CertificateStatus.ISSUED else "revoked",
        number=row["number"],
        name=row["holder_name"],
        masked_id_number=mask_id_number(row["holder_id_number"]),
        occupation=row["occupation__name"],
        trade=row["trade__name"] or "--",
        level=str(SkillLevel(row["level"]).label),
        kind=str(CertificateKind(row["kind"]).label),
        institution=row["institution__name"],
        institution_code=row["institution__code"],
        issued_on=_day(row["issued_on"]),
        revoked_on=revoked_on,
        note=note,
    )


def verify_by_number(number: str, name: str) -> Verification:
    """Number AND holder name must both match; a wrong name answers exactly like a missing number."""
    number, name = (number or "").strip().upper(), (name or "").strip()
    if not number or not name:
        return NOT_FOUND
    return _answer(_BY_NUMBER.fetch(number=number, holder_name=name))


def verify_by_token(token: str) -> Verification:
    token = (token or "").strip()
    if not token:
        return NOT_FOUND
    return _answer(_BY_TOKEN.fetch(verify_token=token))


def evidence_rows(cert: Certificate) -> list[tuple[str, Any]]:
    """The certificate's evidence as (Chinese label, value) rows; the course table is shown separately."""

    def shown(value: Any) -> Any:
        return ("是" if value else "否") if isinstance(value, bool) else value

    return [(EVIDENCE_LABELS.get(key, key), shown(value)) for key, value in cert.evidence.items() if key != "courses"]

"""R10 query systems: what goes into an export file, the export and receipt services, and their reads.

Every issued certificate is reported to the national query system (职业技能等级证书全国联网查询,
jndj.osta.org.cn) and to the Henan certificate query system. The platform cannot call those systems; it
produces their upload files and takes their receipts back:

    issued, 未上报 (pending) ──export──▶ 已导出待回执 (exported, in one batch) ──receipt 成功──▶ 已上报 (accepted)
                   ▲                                                    └──receipt 失败──▶ 被退回 (rejected)
                   └────────────── a rejected certificate is exported again by the next batch ──┘

A certificate the system holds (accepted) that is later revoked or replaced by a reissue goes out once
more as a 撤销 row (operation `revoke`) in the next batch of that system; its status stays `accepted`
(the system still holds the record), the row's result says whether the revocation went through, and a
failed revocation is exported again. The two systems are independent: each has its own status columns,
batches and receipts.

Layouts are data: `SYSTEMS` maps each system to its column table (header → field of `FIELDS`), so a new
province is one entry here (plus its status columns on Certificate), not new code.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError
from chizheng.core.excel import write_rows
from chizheng.core.imports import audit_updates
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, require
from chizheng.core.scoping import get_for, scope_of
from chizheng.occupations.choices import SkillLevel

from .choices import CertificateKind, CertificateStatus, Pathway, ReportStatus
from .models import Certificate
from .report_models import BatchStatus, ItemResult, QuerySystem, ReportBatch, ReportItem, ReportOperation
from .services import station_code_of

# ---------------------------------------------------------------------------
# Layouts (data)

ID_TYPE = "居民身份证"
_LEVEL_SHORT = {5: "五级", 4: "四级", 3: "三级", 2: "二级", 1: "一级"}


@functools.cache
def _labels(choices: Any) -> dict[Any, str]:
    return {value: str(label) for value, label in choices.choices}


def _label(choices: Any, value: Any) -> str:
    """A choice's label, translated once per export instead of once per cell."""
    return _labels(choices).get(value, str(value))


def _c(item: ReportItem) -> Certificate:
    return item.certificate


#: Every value a layout may put in a column, by key. A layout picks and orders them under its own headers.
FIELDS: dict[str, Callable[[ReportItem], Any]] = {
    "seq": lambda i: i.row,
    "operation": lambda i: _label(ReportOperation, i.operation),
    "name": lambda i: _c(i).holder_name,
    "id_type": lambda i: ID_TYPE,
    "id_number": lambda i: _c(i).holder_id_number,
    "sex": lambda i: "男" if _c(i).holder_sex == "M" else "女",
    "birth_date": lambda i: f"{_c(i).holder_birth_date:%Y-%m-%d}",
    "occupation_code": lambda i: _c(i).occupation.code,
    "occupation_name": lambda i: _c(i).occupation.name,
    "trade": lambda i: _name(_c(i).trade, "--"),
    "level": lambda i: _label(SkillLevel, _c(i).level),  # 四级/中级工
    "level_short": lambda i: _LEVEL_SHORT[_c(i).level],  # 四级
    "level_digit": lambda i: _c(i).level,
    "kind": lambda i: _label(CertificateKind, _c(i).kind),
    "number": lambda i: _c(i).number,
    "issued_on": lambda i: f"{_c(i).issued_on:%Y-%m-%d}" if _c(i).issued_on else "",
    "issued_on_compact": lambda i: f"{_c(i).issued_on:%Y%m%d}" if _c(i).issued_on else "",
    "institution_name": lambda i: _c(i).institution.name,
    "institution_code": lambda i: _c(i).institution.code,
    "station_code": lambda i: station_code_of(_c(i).institution),
    "pathway": lambda i: _label(Pathway, _c(i).pathway),
    "school": lambda i: _name(_c(i).school, ""),
    "revoked_on": lambda i: _revoked_on(_c(i)),
    "revoke_reason": lambda i: _revoke_reason(_c(i)) if i.operation == ReportOperation.REVOKE else "",
    "batch": lambda i: i.batch.code,
}


def _name(obj: Any, default: str) -> str:
    return str(obj.name) if obj is not None else default


def _revoked_on(cert: Certificate) -> str:
    if cert.status == CertificateStatus.REVOKED and cert.revoked_on:
        return f"{cert.revoked_on:%Y-%m-%d}"
    if cert.status == CertificateStatus.REPLACED:
        newer = getattr(cert, "reissued_as", None)
        return f"{newer.issued_on:%Y-%m-%d}" if newer and newer.issued_on else ""
    return ""


def _revoke_reason(cert: Certificate) -> str:
    if cert.status == CertificateStatus.REPLACED:
        newer = getattr(cert, "reissued_as", None)
        return f"换发，新证书编号 {newer.number}" if newer else "换发"
    return cert.revoke_reason or "撤销"


@dataclass(frozen=True)
class SystemSpec:
    """One query system: names, the batch-number prefix, the Certificate status columns and the file layout."""

    key: str
    label: str
    short: str
    code: str  # batch number prefix
    url: str
    prefix: str  # Certificate.<prefix>_report_status / _reported_on / _receipt
    sheet: str
    layout: tuple[tuple[str, str], ...]  # (column header, FIELDS key)
    max_rows: int = 5000  # rows per file: a larger backlog goes out in several batches

    @property
    def status_field(self) -> str:
        return f"{self.prefix}_report_status"

    @property
    def date_field(self) -> str:
        return f"{self.prefix}_reported_on"

    @property
    def receipt_field(self) -> str:
        return f"{self.prefix}_receipt"

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.layout]


SYSTEMS: dict[str, SystemSpec] = {
    QuerySystem.NATIONAL: SystemSpec(
        key=QuerySystem.NATIONAL,
        label="职业技能等级证书全国联网查询系统",
        short="全国系统",
        code="QG",
        url="jndj.osta.org.cn",
        prefix="national",
        sheet="证书信息",
        layout=(
            ("序号", "seq"),
            ("操作类型", "operation"),
            ("姓名", "name"),
            ("证件类型", "id_type"),
            ("证件号码", "id_number"),
            ("性别", "sex"),
            ("职业编码", "occupation_code"),
            ("职业名称", "occupation_name"),
            ("工种", "trade"),
            ("等级", "level"),
            ("证书编号", "number"),
            ("发证日期", "issued_on"),
            ("评价机构名称", "institution_name"),
            ("评价机构代码", "institution_code"),
            ("站点代码", "station_code"),
            ("取证途径", "pathway"),
            ("撤销日期", "revoked_on"),
            ("撤销原因", "revoke_reason"),
        ),
    ),
    QuerySystem.HENAN: SystemSpec(
        key=QuerySystem.HENAN,
        label="河南省职业技能等级证书查询系统",
        short="河南系统",
        code="HN",
        url="河南省人社厅证书查询",
        prefix="henan",
        sheet="上报数据",
        layout=(
            ("序号", "seq"),
            ("证书编号", "number"),
            ("姓名", "name"),
            ("性别", "sex"),
            ("身份证件类型", "id_type"),
            ("身份证件号码", "id_number"),
            ("职业（工种）代码", "occupation_code"),
            ("职业（工种）名称", "occupation_name"),
            ("工种", "trade"),
            ("技能等级", "level_short"),
            ("等级代码", "level_digit"),
            ("证书类型", "kind"),
            ("发证日期", "issued_on_compact"),
            ("发证机构代码", "institution_code"),
            ("发证机构名称", "institution_name"),
            ("站点代码", "station_code"),
            ("取证方式", "pathway"),
            ("所属院校", "school"),
            ("操作类型", "operation"),
            ("撤销原因", "revoke_reason"),
        ),
    ),
}


def system_spec(key: str) -> SystemSpec:
    try:
        return SYSTEMS[key]
    except KeyError:
        raise DomainError("unknown_system", f"未知的查询系统“{key}”。", field="system") from None


def layout_row(spec: SystemSpec, item: ReportItem) -> list[Any]:
    """One file row of an item in the system's layout."""
    return [FIELDS[key](item) for _, key in spec.layout]


# ---------------------------------------------------------------------------
# Rules (pure)

RESULT_WORDS = {"成功": True, "通过": True, "已上报": True, "失败": False, "退回": False, "不通过": False}


def check_receipt_result(text: str) -> bool:
    """R10: a receipt row's 上报结果 is 成功 or 失败 (True for success)."""
    try:
        return RESULT_WORDS[text]
    except KeyError:
        raise DomainError("receipt_result", f"上报结果“{text}”应为“成功”或“失败”。", field="result") from None


def check_receipt_answer(*, success: bool, receipt: str, reason: str) -> None:
    """R10: a success carries the system's receipt number, a failure the reason it gives."""
    if success and not receipt:
        raise DomainError("receipt_missing", "上报结果为“成功”时须填写回执编号。", field="receipt")
    if not success and not reason:
        raise DomainError("reason_missing", "上报结果为“失败”时须填写失败原因。", field="reason")


def check_receipt_date(on: dt.date, *, exported_on: dt.date, today: dt.date) -> None:
    """R10: a receipt is dated between its export and today."""
    if on < exported_on:
        raise DomainError("receipt_date", f"回执日期 {on:%Y-%m-%d} 早于导出日期 {exported_on:%Y-%m-%d}。", field="on")
    if on > today:
        raise DomainError("receipt_date", f"回执日期 {on:%Y-%m-%d} 晚于今天。", field="on")


# ---------------------------------------------------------------------------
# Reads


def batches_for(user: Any) -> QuerySet[ReportBatch]:
    """The export batches of the user's scope (a school sees its own; county and city also theirs)."""
    return ReportBatch.objects.restrict(user).select_related("school", "county", "created_by")


def get_batch_for(user: Any, pk: int) -> ReportBatch:
    require(user, Perm.VIEW_CERTIFICATES)
    return get_for(user, batches_for(user), pk=pk)


def _revoke_open(spec: SystemSpec) -> Exists:
    """A revocation row of this system that is pending or went through (so none is due)."""
    return Exists(
        ReportItem.objects.filter(
            certificate=OuterRef("pk"),
            system=spec.key,
            operation=ReportOperation.REVOKE,
            result__in=[ItemResult.PENDING, ItemResult.ACCEPTED],
        )
    )


def additions_due(qs: QuerySet[Certificate], spec: SystemSpec) -> QuerySet[Certificate]:
    """R10: issued certificates the system does not hold and that are not awaiting a receipt (new or failed)."""
    return qs.filter(
        status=CertificateStatus.ISSUED,
        number__isnull=False,
        **{f"{spec.status_field}__in": [ReportStatus.PENDING, ReportStatus.REJECTED]},
    )


def revocations_due(qs: QuerySet[Certificate], spec: SystemSpec) -> QuerySet[Certificate]:
    """R10: revoked or replaced certificates the system holds whose revocation is not reported or awaiting one."""
    return (
        qs.filter(
            status__in=[CertificateStatus.REVOKED, CertificateStatus.REPLACED],
            number__isnull=False,
            **{spec.status_field: ReportStatus.ACCEPTED},
        )
        .annotate(revoke_open=_revoke_open(spec))
        .filter(revoke_open=False)
    )


def unreported_for(user: Any, system: str = "") -> QuerySet[Certificate]:
    """未上报证书: issued certificates in scope that one (or the given) system does not hold yet."""
    qs = Certificate.objects.restrict(user).filter(status=CertificateStatus.ISSUED)
    if system:
        spec = system_spec(system)
        qs = qs.exclude(**{spec.status_field: ReportStatus.ACCEPTED})
    else:
        not_held = Q()
        for spec in SYSTEMS.values():
            not_held |= ~Q(**{spec.status_field: ReportStatus.ACCEPTED})
        qs = qs.filter(not_held)
    return qs.select_related("institution", "occupation", "school", "county")


def due_counts(user: Any) -> dict[str, dict[str, int]]:
    """Per system: certificates due for export (new, failed) and revocations due, in the user's scope."""
    base = Certificate.objects.restrict(user)
    counts = {}
    for spec in SYSTEMS.values():
        counts[spec.key] = {
            "new": additions_due(base, spec).filter(**{spec.status_field: ReportStatus.PENDING}).count(),
            "failed": additions_due(base, spec).filter(**{spec.status_field: ReportStatus.REJECTED}).count(),
            "awaiting": base.filter(**{spec.status_field: ReportStatus.EXPORTED}).count(),
            "revocations": revocations_due(base, spec).count(),
        }
    return counts


def items_of(certificate: Certificate) -> QuerySet[ReportItem]:
    """A certificate's reporting history (every export row and its answer), newest first."""
    return ReportItem.objects.filter(certificate=certificate).select_related("batch").order_by("-batch_id")


def age_days(cert: Certificate, today: dt.date | None = None) -> int:
    """Days since issue (the 未上报 list's 已发证天数)."""
    return ((today or timezone.localdate()) - cert.issued_on).days if cert.issued_on else 0


# ---------------------------------------------------------------------------
# Services


def _scope_keys(actor: Any, school: OrgUnit | None) -> tuple[OrgUnit | None, OrgUnit | None]:
    """The (school, county) a new batch covers: the actor's school, a school they chose, their county, or none."""
    if school is not None:
        return school, school.county
    scope = scope_of(actor)
    if scope.kind == "school":
        unit = OrgUnit.objects.select_related("county").get(pk=int(scope.unit_id or 0))
        return unit, unit.county
    if scope.kind == "county":
        return None, OrgUnit.objects.get(pk=int(scope.unit_id or 0))
    return None, None


def _items_query(batch: ReportBatch) -> QuerySet[ReportItem]:
    return (
        ReportItem.objects.filter(batch=batch)
        .select_related(
            "batch",
            "certificate__institution",
            "certificate__occupation",
            "certificate__trade",
            "certificate__school",
            "certificate__reissued_as",
        )
        .order_by("row")
    )


def write_batch_file(target: Any, batch: ReportBatch, *, pending_only: bool = False) -> int:
    """Write the batch's rows in its system's layout; `pending_only` leaves out rows already answered."""
    spec = system_spec(batch.system)
    items = _items_query(batch)
    if pending_only:
        items = items.filter(result=ItemResult.PENDING)
    return write_rows(target, spec.headers, (layout_row(spec, item) for item in items.iterator(2000)), spec.sheet)


def file_name(batch: ReportBatch, *, pending_only: bool = False) -> str:
    spec = system_spec(batch.system)
    stamp = timezone.localtime(batch.created_at).strftime("%Y%m%d")
    return f"{spec.short}上报-{batch.code}-{stamp}{'-待回执' if pending_only else ''}.xlsx"


@transaction.atomic
def report_batch_create(
    *, actor: Any, system: str, school: OrgUnit | None = None, include_revocations: bool = True
) -> ReportBatch:
    """R10: export the certificates due in the actor's scope (or one school of it) to one system.

    The batch takes the issued certificates the system does not hold (new and failed ones, oldest issue
    first, at most the system's `max_rows`) and the revocations due; it marks the added certificates
    `exported` and writes the file. Nothing due → a clear error, no empty batch.
    """
    require(actor, Perm.REPORT_CERTIFICATES)
    spec = system_spec(system)
    scope_qs = Certificate.objects.restrict(actor)
    if school is not None:
        school = get_for(actor, OrgUnit.objects.select_related("county"), pk=school.pk, kind="school")
        scope_qs = scope_qs.filter(school=school)
    due = additions_due(scope_qs, spec).order_by("issued_on", "pk")
    adds = list(due.values_list("pk", "school_id", "county_id", spec.status_field)[: spec.max_rows])
    revokes: list[tuple[int, int | None, int | None]] = []
    if include_revocations and len(adds) < spec.max_rows:
        revokes = list(
            revocations_due(scope_qs, spec)
            .order_by("pk")
            .values_list("pk", "school_id", "county_id")[: spec.max_rows - len(adds)]
        )
    if not adds and not revokes:
        raise DomainError("nothing_to_report", f"没有需要上报到{spec.short}的证书（均已上报或待回执）。")
    batch_school, batch_county = _scope_keys(actor, school)
    batch = ReportBatch.objects.create(
        system=spec.key,
        school=batch_school,
        county=batch_county,
        count=len(adds) + len(revokes),
        revocations=len(revokes),
        created_by=actor,
    )
    add_ids = [pk for pk, _, _, _ in adds]
    # Conditional update: a concurrent export that took some of these first makes the counts differ.
    marked = Certificate.objects.filter(
        pk__in=add_ids, **{f"{spec.status_field}__in": [ReportStatus.PENDING, ReportStatus.REJECTED]}
    ).update(**{spec.status_field: ReportStatus.EXPORTED, "updated_at": timezone.now()})
    if marked != len(add_ids):
        raise DomainError("report_conflict", "有证书正被另一个导出批次占用，请刷新后重试。")
    rows = [(pk, s, c, ReportOperation.ADD) for pk, s, c, _ in adds] + [
        (pk, s, c, ReportOperation.REVOKE) for pk, s, c in revokes
    ]
    try:
        with transaction.atomic():
            ReportItem.objects.bulk_create(
                ReportItem(
                    batch=batch,
                    certificate_id=pk,
                    system=spec.key,
                    operation=op,
                    row=n,
                    school_id=s,
                    county_id=c,
                )
                for n, (pk, s, c, op) in enumerate(rows, start=1)
            )
    except IntegrityError:
        raise DomainError("report_conflict", "有证书正被另一个导出批次占用，请刷新后重试。") from None
    with tempfile.TemporaryFile() as tmp:
        write_batch_file(tmp, batch)
        tmp.seek(0)
        batch.file.save(file_name(batch), File(tmp), save=False)
    batch.save(update_fields=["file"])
    audit_updates(
        actor,
        (
            (
                "certification.Certificate",
                pk,
                f"证书 {pk}",
                s or c,
                {spec.status_field: old},
                {spec.status_field: str(ReportStatus.EXPORTED), "batch": batch.code},
            )
            for pk, s, c, old in adds
        ),
    )
    audit.record(
        actor,
        AuditAction.EXPORT,
        batch,
        object_repr=f"{spec.short}上报批次 {batch.code}（{batch.count} 行）",
        after={"system": spec.key, "count": batch.count, "revocations": batch.revocations, "full_id": True},
        note=f"导出{spec.short}上报文件（含完整身份证号）",
        org_unit_id=batch.school_id or batch.county_id,
    )
    return batch


def report_batch_download(*, actor: Any, batch: ReportBatch, pending_only: bool = False) -> Any:
    """R10: the batch's file again (the same batch, audited: it holds full ID numbers).

    `pending_only` rebuilds it with the rows still awaiting a receipt, for re-uploading what the system
    did not answer yet."""
    require(actor, Perm.REPORT_CERTIFICATES)
    audit.record(
        actor,
        AuditAction.EXPORT,
        batch,
        object_repr=f"{system_spec(batch.system).short}上报批次 {batch.code}",
        after={"pending_only": pending_only, "full_id": True},
        note="重新下载上报文件（含完整身份证号）",
    )
    if pending_only or not batch.file:
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
        write_batch_file(tmp, batch, pending_only=pending_only)
        tmp.seek(0)
        return tmp
    return batch.file.open("rb")


@dataclass(frozen=True)
class Answer:
    """One validated receipt row."""

    item: ReportItem
    success: bool
    receipt: str
    reason: str
    on: dt.date


def receipt_apply(*, actor: Any, system: str, answers: Sequence[Answer]) -> dict[str, int]:
    """R10: write validated receipt rows (inside the import's transaction): items, certificates, batches.

    Success on an added certificate → `accepted` with date and receipt number; failure → `rejected` with
    the reason (shown on the certificate and the 未上报 list; the next batch exports it again). A revocation
    row keeps the certificate `accepted` and records the answer on the row (a failed one is exported again).
    """
    spec = system_spec(system)
    items, certs, audits = [], [], []
    for a in answers:
        item = a.item
        item.result = ItemResult.ACCEPTED if a.success else ItemResult.REJECTED
        item.receipt, item.reason, item.answered_on = a.receipt[:100], a.reason[:300], a.on
        items.append(item)
        if item.operation != ReportOperation.ADD:
            continue
        cert = item.certificate
        before = audit.snapshot(cert, [spec.status_field, spec.date_field, spec.receipt_field])
        if a.success:
            setattr(cert, spec.status_field, ReportStatus.ACCEPTED)
            setattr(cert, spec.date_field, a.on)
            setattr(cert, spec.receipt_field, a.receipt[:100])
        else:
            setattr(cert, spec.status_field, ReportStatus.REJECTED)
            setattr(cert, spec.receipt_field, a.reason[:100])  # the reason, next to the status 被退回
        cert.updated_at = timezone.now()
        certs.append(cert)
        after = audit.snapshot(cert, [spec.status_field, spec.date_field, spec.receipt_field])
        audits.append(
            ("certification.Certificate", cert.pk, str(cert), cert.school_id or cert.county_id, before, after)
        )
    _update_rows(ReportItem, ["result", "receipt", "reason", "answered_on"], items)
    _update_rows(Certificate, [spec.status_field, spec.date_field, spec.receipt_field, "updated_at"], certs)
    audit_updates(actor, audits)
    _refresh_batches({item.batch_id for item in items})
    return {
        "accepted": sum(1 for a in answers if a.success),
        "rejected": sum(1 for a in answers if not a.success),
    }


def _update_rows(model: Any, fields: list[str], objects: Sequence[Any]) -> None:
    """UPDATE each object's `fields` by primary key, one executemany per chunk.

    bulk_update builds one CASE WHEN per field and row, which cost seconds for a few thousand receipt rows;
    a prepared UPDATE run many times is plain SQL on both SQLite and PostgreSQL."""
    if not objects:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), 2000):
            chunk = objects[start : start + 2000]
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(_plain(getattr(obj, f.attname)), connection) for f in columns] + [obj.pk]
                    for obj in chunk
                ],
            )


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _refresh_batches(ids: Iterable[int]) -> None:
    now = timezone.now()
    for batch in ReportBatch.objects.select_for_update().filter(pk__in=sorted(ids)):
        results = dict.fromkeys(ItemResult.values, 0)
        for row in ReportItem.objects.filter(batch=batch).values("result").annotate(n=Count("pk")):
            results[row["result"]] = row["n"]
        batch.accepted, batch.rejected = results[ItemResult.ACCEPTED], results[ItemResult.REJECTED]
        batch.status = BatchStatus.DONE if not results[ItemResult.PENDING] else BatchStatus.PARTIAL
        batch.receipt_at = now
        batch.save(update_fields=["accepted", "rejected", "status", "receipt_at"])

"""Demo query-system reporting (R10): the demo certificates as the schools would have reported them.

Per system and school, one export batch per month of issue: months long past are answered (most rows
成功 with a receipt number, a few 失败 with the system's reason: failures older than two months were
corrected and re-reported in a later batch, recent ones still show as 被退回); the month just
past awaits its receipt; the last weeks are not exported yet, so 未上报证书 shows a realistic backlog.
The national system is reported a little faster than the Henan one. Certificates revoked long ago get an
answered 撤销 row; recent revocations and reissues stay due (上报管理 counts them).

Written in bulk (no per-row services, no audit rows: the demo command records the load as one event);
batch files are generated on first download. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from chizheng.certification.choices import CertificateStatus, ReportStatus
from chizheng.certification.models import Certificate
from chizheng.certification.report_models import BatchStatus, ItemResult, ReportBatch, ReportItem, ReportOperation
from chizheng.certification.reporting import SYSTEMS, SystemSpec
from chizheng.core.choices import Role
from chizheng.core.models import User

#: Days after the end of a month of issue before its batch is exported / answered, per system.
LAG = {"national": (20, 50), "henan": (35, 70)}
FAIL_RATE = 0.03
#: Days after a failure's receipt by which the school has corrected and re-reported it.
RETRY_AFTER = 60
REASONS = ("身份证号与姓名不一致", "职业编码不在目录中", "证书编号重复上报", "发证机构代码未备案")


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@transaction.atomic
def build_reporting(seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Report the demo certificates to both systems, month by month (see the module docstring)."""
    rng = random.Random(f"reporting-{seed}")
    today = today or timezone.localdate()
    certs = [
        Cert(pk, school, county, issued or today, _ended(status, revoked, reissued))
        for pk, school, county, issued, status, revoked, reissued in Certificate.objects.filter(
            number__isnull=False, issued_on__isnull=False
        )
        .order_by("school_id", "issued_on", "pk")
        .values_list("pk", "school_id", "county_id", "issued_on", "status", "revoked_on", "reissued_as__issued_on")
    ]
    admins = {u.org_unit_id: u for u in User.objects.filter(role=Role.SCHOOL_ADMIN, is_active=True).order_by("-pk")}
    counts = {"report_batches": 0, "reported_national": 0, "reported_henan": 0}
    for spec in SYSTEMS.values():
        counts["report_batches"] += _system(spec, certs, admins, rng, today, counts)
    return counts


class Cert(NamedTuple):
    """What the builder needs of a numbered certificate."""

    pk: int
    school_id: int | None
    county_id: int | None
    issued_on: dt.date
    ended: dt.date | None  # the day it stopped being valid (revoked, or replaced by a reissue)


def _ended(status: str, revoked_on: dt.date | None, reissued_on: dt.date | None) -> dt.date | None:
    if status == CertificateStatus.REVOKED:
        return revoked_on
    if status == CertificateStatus.REPLACED:
        return reissued_on
    return None


_ADD, _REVOKE, _OK = ReportOperation.ADD.value, ReportOperation.REVOKE.value, ItemResult.ACCEPTED.value
_ITEM_COLUMNS = (
    "batch_id",
    "certificate_id",
    "operation",
    "row",
    "result",
    "receipt",
    "reason",
    "answered_on",
    "school_id",
    "county_id",
)


def _insert_items(system: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert ReportItem rows with one executemany per chunk (bulk_create's per-field work dominated here)."""
    table = ReportItem._meta.db_table
    columns = ("system", *_ITEM_COLUMNS)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [(system, *row) for row in rows[start : start + 5000]])


def _system(
    spec: SystemSpec,
    certs: list[Cert],
    admins: dict[int | None, User],
    rng: random.Random,
    today: dt.date,
    counts: dict[str, int],
) -> int:
    export_lag, answer_lag = LAG[spec.key]
    groups: dict[tuple[Any, dt.date], list[Cert]] = defaultdict(list)
    for cert in certs:
        groups[(cert.school_id, _month_end(cert.issued_on))].append(cert)
    batches: list[tuple[ReportBatch, list[Cert]]] = []
    revocable: list[Cert] = []
    for (school_id, month_end), members in groups.items():
        exported_on = month_end + dt.timedelta(days=export_lag + rng.randrange(0, 6))
        if exported_on > today:
            continue  # not exported yet: the 未上报 backlog
        answered = month_end + dt.timedelta(days=answer_lag) <= today
        rows: list[Cert] = []
        for cert in members:
            ended = cert.ended
            if ended is not None and ended <= exported_on:
                continue  # no longer valid when the school exported: never reported
            rows.append(cert)
            if ended is not None:
                revocable.append(cert)
        if not rows:
            continue
        batch = ReportBatch(
            system=spec.key,
            school_id=school_id,
            county_id=members[0].county_id,
            count=len(rows),
            status=BatchStatus.DONE if answered else BatchStatus.EXPORTED,
            created_by=admins.get(school_id),
            created_at=_at(exported_on),
            receipt_at=_at(exported_on + dt.timedelta(days=answer_lag - export_lag - 5)) if answered else None,
        )
        batches.append((batch, rows))
    ReportBatch.objects.bulk_create([b for b, _ in batches], batch_size=500)
    items: list[tuple[Any, ...]] = []
    # certificate updates grouped by what they set, so each group is one UPDATE (no per-row CASE)
    updates: dict[tuple[str, dt.date | None, str], list[int]] = defaultdict(list)
    accepted_certs: set[int] = set()
    retries: dict[Any, list[tuple[Cert, dt.date]]] = defaultdict(list)
    for batch, rows in batches:
        answered = batch.status == BatchStatus.DONE
        answered_on = batch.receipt_at.date() if batch.receipt_at else None
        for n, cert in enumerate(rows, start=1):
            result, receipt, reason, on = ItemResult.PENDING.value, "", "", None
            if not answered:
                updates[(ReportStatus.EXPORTED, None, "")].append(cert.pk)
            elif rng.random() < FAIL_RATE:
                result, reason, on = ItemResult.REJECTED.value, rng.choice(REASONS), answered_on
                batch.rejected += 1
                if answered_on and answered_on + dt.timedelta(days=RETRY_AFTER) <= today:
                    retries[cert.school_id].append((cert, answered_on))  # long since corrected and re-reported
                else:
                    updates[(ReportStatus.REJECTED, None, reason)].append(cert.pk)
            else:
                result, receipt, on = ItemResult.ACCEPTED.value, _receipt(spec, cert.pk), answered_on
                batch.accepted += 1
                updates[(ReportStatus.ACCEPTED, answered_on, "")].append(cert.pk)
                accepted_certs.add(cert.pk)
            items.append((batch.pk, cert.pk, _ADD, n, result, receipt, reason, on, cert.school_id, cert.county_id))
    retried = _retries(spec, retries, admins, updates, accepted_certs)
    revocations = _revocations(spec, [c for c in revocable if c.pk in accepted_certs], admins, today)
    _insert_items(str(spec.key), items + retried[1] + revocations[1])
    ReportBatch.objects.bulk_update([b for b, _ in batches], ["accepted", "rejected"], batch_size=500)
    receipt_sql = Concat(Value(spec.code), LPad(Cast("id", CharField()), 9, Value("0")))
    for (status, on, receipt), ids in updates.items():
        for start in range(0, len(ids), 2000):
            Certificate.objects.filter(pk__in=ids[start : start + 2000]).update(
                **{
                    spec.status_field: status,
                    spec.date_field: on,
                    spec.receipt_field: receipt_sql if status == ReportStatus.ACCEPTED else Value(receipt),
                }
            )
    counts[f"reported_{spec.key}"] = len(accepted_certs)
    return len(batches) + retried[0] + revocations[0]


def _receipt(spec: SystemSpec, pk: int) -> str:
    """The demo receipt number of an accepted certificate (the same text the UPDATE writes in SQL)."""
    return f"{spec.code}{pk:09d}"


def _retries(
    spec: SystemSpec,
    retries: dict[Any, list[tuple[Cert, dt.date]]],
    admins: dict[int | None, User],
    updates: dict[tuple[str, dt.date | None, str], list[int]],
    accepted: set[int],
) -> tuple[int, list[tuple[Any, ...]]]:
    """Per school, one later batch that re-reported its old failures (answered 成功)."""
    items: list[tuple[Any, ...]] = []
    made = 0
    for school_id, failed in sorted(retries.items(), key=lambda kv: kv[0] or 0):
        exported_on = max(on for _, on in failed) + dt.timedelta(days=20)
        answered_on = exported_on + dt.timedelta(days=10)
        batch = ReportBatch.objects.create(
            system=spec.key,
            school_id=school_id,
            county_id=failed[0][0].county_id,
            count=len(failed),
            accepted=len(failed),
            status=BatchStatus.DONE,
            created_by=admins.get(school_id),
            created_at=_at(exported_on),
            receipt_at=_at(answered_on),
        )
        made += 1
        for n, (cert, _) in enumerate(failed, start=1):
            receipt = _receipt(spec, cert.pk)
            items.append((batch.pk, cert.pk, _ADD, n, _OK, receipt, "", answered_on, cert.school_id, cert.county_id))
            updates[(ReportStatus.ACCEPTED, answered_on, "")].append(cert.pk)
            accepted.add(cert.pk)
    return made, items


def _revocations(
    spec: SystemSpec, certs: list[Cert], admins: dict[int | None, User], today: dt.date
) -> tuple[int, list[tuple[Any, ...]]]:
    """One answered 撤销 batch per school for certificates that stopped being valid long ago."""
    _, answer_lag = LAG[spec.key]
    by_school: dict[Any, list[Cert]] = defaultdict(list)
    for cert in certs:
        ended = cert.ended
        if ended is not None and ended + dt.timedelta(days=answer_lag) <= today:
            by_school[cert.school_id].append(cert)
    items: list[tuple[Any, ...]] = []
    made = 0
    for school_id, members in sorted(by_school.items(), key=lambda kv: kv[0] or 0):
        last = max(c.ended or today for c in members)
        exported_on = last + dt.timedelta(days=10)
        answered_on = last + dt.timedelta(days=answer_lag - 5)
        batch = ReportBatch.objects.create(
            system=spec.key,
            school_id=school_id,
            county_id=members[0].county_id,
            count=len(members),
            revocations=len(members),
            accepted=len(members),
            status=BatchStatus.DONE,
            created_by=admins.get(school_id),
            created_at=_at(exported_on),
            receipt_at=_at(answered_on),
        )
        made += 1
        for n, cert in enumerate(members, start=1):
            receipt = f"{spec.code}CX{batch.pk:05d}{n:04d}"
            items.append((batch.pk, cert.pk, _REVOKE, n, _OK, receipt, "", answered_on, cert.school_id, cert.county_id))
    return made, items

"""Receipt import (R10): the query system's answer to an export batch, one kind per system.

Columns: 证书编号, 上报结果 (成功/失败), 回执编号 (for a success), 失败原因 (for a failure), and optionally
批次号, 操作类型 and 回执日期. Every row is checked first — the number is a certificate in scope awaiting a
receipt from THIS system, the batch (if given) is that row's batch, the answer is complete, the date is
sane, the number is not twice in the file — and any bad row means nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from chizheng.core.errors import DomainError, ImportRejected
from chizheng.core.excel import TemplateColumn
from chizheng.core.imports import (
    Column,
    ImportKind,
    ImportResult,
    Progress,
    RowErrors,
    audit_import,
    cell_date,
    cell_text,
    open_sheet,
    register,
    run_import,
)
from chizheng.core.models import ImportJob
from chizheng.core.permissions import Perm

from . import reporting
from .models import Certificate
from .report_models import ItemResult, ReportItem, ReportOperation

COLUMNS: list[Column] = [
    Column("number", "证书编号", required=True, text=True, width=26, aliases=("证书号", "证书编码")),
    Column("result", "上报结果", required=True, choices=("成功", "失败"), width=10, aliases=("结果", "处理结果")),
    Column("receipt", "回执编号", text=True, width=22, help="上报结果为“成功”时必填", aliases=("受理编号", "回执号")),
    Column("reason", "失败原因", width=30, help="上报结果为“失败”时必填", aliases=("退回原因", "失败说明")),
    Column("batch", "批次号", text=True, width=12, help="导出文件名中的批次号，如 QG000012；可不填"),
    Column("operation", "操作类型", choices=("新增", "撤销"), width=10, help="可不填；填写时须与导出时一致"),
    Column("on", "回执日期", width=14, help="可不填，默认为导入当天；如 2026-03-15"),
]

_OPERATIONS: dict[str, str] = {str(label): str(value) for value, label in ReportOperation.choices}


def kind_key(system: str) -> str:
    return f"report_receipt_{system}"


def import_receipt(
    *, actor: Any, system: str, path: Path, progress: Progress | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Import one system's receipt file. Row errors are returned (nothing written); a bad file raises."""
    return run_import(kind=kind_key(system), actor=actor, path=Path(path), job=job, progress=progress)


def template_columns(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in COLUMNS]


def _runner(system: str) -> Any:
    def run(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
        return _run(system=system, actor=actor, path=path, job=job, progress=progress)

    return run


def _pending_items(actor: Any, numbers: list[str]) -> dict[tuple[str, str], ReportItem]:
    """Pending export rows of certificates in the actor's scope, by (number, system)."""
    found: dict[tuple[str, str], ReportItem] = {}
    for start in range(0, len(numbers), 2000):
        chunk = numbers[start : start + 2000]
        items = ReportItem.objects.filter(
            result=ItemResult.PENDING,
            certificate__in=Certificate.objects.restrict(actor).filter(number__in=chunk),
        ).select_related("batch", "certificate")
        for item in items:
            found[(item.certificate.number or "", item.system)] = item
    return found


def _run(*, system: str, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    spec = reporting.system_spec(system)
    sheet = open_sheet(path, COLUMNS)
    errors = RowErrors(COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in COLUMNS}
    rows = [(number, values) for number, values in sheet.rows()]
    if not rows:
        raise ImportRejected("文件中没有数据行（只有表头或为空）。", code="empty_file")
    numbers = sorted({cell_text(get["number"](v)).upper() for _, v in rows} - {""})
    pending = _pending_items(actor, numbers)
    known = {
        n: (status, receipt)
        for n, status, receipt in Certificate.objects.restrict(actor)
        .filter(number__in=[n for n in numbers if (n, spec.key) not in pending])
        .values_list("number", spec.status_field, spec.date_field)
    }
    today = timezone.localdate()
    seen: dict[str, int] = {}
    answers: list[reporting.Answer] = []
    for row, values in rows:
        number = cell_text(get["number"](values)).upper()
        if not number:
            errors.add(row, "number", "证书编号不能为空。")
            continue
        if number in seen:
            errors.add(row, "number", f"与第 {seen[number]} 行重复（同一证书编号）。", number)
            continue
        seen[number] = row
        item = pending.get((number, spec.key))
        if item is None:
            errors.add(row, "number", _why_not_pending(number, spec, pending, known), number)
            continue
        ok = True
        batch_code = cell_text(get["batch"](values)).upper()
        if batch_code and batch_code != item.batch.code:
            if not batch_code.startswith(spec.code):
                message = f"批次号 {batch_code} 不是{spec.short}的批次（回执与系统不符）。"
            else:
                message = f"该证书在批次 {item.batch.code} 中待回执，不在批次 {batch_code} 中。"
            errors.add(row, "batch", message, batch_code)
            ok = False
        operation = cell_text(get["operation"](values))
        if operation and _OPERATIONS.get(operation) != item.operation:
            errors.add(row, "operation", f"操作类型应为“{item.get_operation_display()}”（与导出时一致）。", operation)
            ok = False
        try:
            success = reporting.check_receipt_result(cell_text(get["result"](values)))
            receipt, reason = cell_text(get["receipt"](values)), cell_text(get["reason"](values))
            reporting.check_receipt_answer(success=success, receipt=receipt, reason=reason)
            on = cell_date(get["on"](values), field="on", label="回执日期") or today
            reporting.check_receipt_date(on, exported_on=timezone.localtime(item.batch.created_at).date(), today=today)
        except DomainError as err:
            errors.domain(row, err, "result", get[err.field if err.field in get else "result"](values))
            continue
        if ok:
            answers.append(reporting.Answer(item=item, success=success, receipt=receipt, reason=reason, on=on))
    progress(len(rows), len(rows))
    result = ImportResult(total=len(rows), job=job)
    if errors:
        result.errors = errors.errors
        return result
    _write(actor, job, spec.key, answers, result)
    return result


def _why_not_pending(
    number: str,
    spec: reporting.SystemSpec,
    pending: dict[tuple[str, str], ReportItem],
    known: dict[str, tuple[str, Any]],
) -> str:
    for other in reporting.SYSTEMS.values():
        if other.key != spec.key and (number, other.key) in pending:
            batch = pending[(number, other.key)].batch.code
            return f"该证书在{other.short}的批次 {batch} 中待回执，不是{spec.short}的（回执与系统不符）。"
    if number not in known:
        return f"您的管理范围内没有证书编号为 {number} 的证书。"
    status, reported_on = known[number]
    if status == "accepted":
        when = f"于 {reported_on:%Y-%m-%d} " if reported_on else ""
        return f"该证书已{when}上报{spec.short}成功，不在待回执的导出批次中。"
    return f"该证书不在{spec.short}待回执的导出批次中（请先导出）。"


@transaction.atomic
def _write(
    actor: Any, job: ImportJob | None, system: str, answers: list[reporting.Answer], result: ImportResult
) -> None:
    ids = [a.item.pk for a in answers]
    # Another receipt may have answered some rows since validation: lock and re-check they still wait.
    still = set(
        ReportItem.objects.select_for_update()
        .filter(pk__in=ids, result=ItemResult.PENDING)
        .values_list("pk", flat=True)
    )
    if len(still) != len(ids):
        raise ImportRejected("部分证书的回执刚被另一次导入处理，请重新上传。", code="receipt_conflict")
    counts = reporting.receipt_apply(actor=actor, system=system, answers=answers)
    result.updated = len(answers)
    short = reporting.system_spec(system).short
    audit_import(actor, job, result, f"{short}回执（成功 {counts['accepted']}，失败 {counts['rejected']}）")


for _spec in reporting.SYSTEMS.values():
    register(
        ImportKind(
            key=kind_key(_spec.key),
            label=f"{_spec.short}上报回执",
            perm=Perm.REPORT_CERTIFICATES,
            run=_runner(_spec.key),
            template=template_columns,
        )
    )

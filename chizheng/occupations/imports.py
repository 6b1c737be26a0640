"""Occupation list import (city admins): trades, national standards and key fields per occupation.

One row names an occupation of the catalog by its code and optionally a trade (工种)
under it, whether a national skill standard exists (its number and levels) and the
key field of R18. Blank cells leave what the catalog holds. Several rows may name
the same occupation (one per trade); what they say about it must agree.

Idempotent: a trade is identified by (occupation, name); rows that change nothing
count as unchanged. Updated occupations and trades get per-row audit events; new
trades are covered by the import's one IMPORT event (see chizheng.core.imports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from chizheng.core.choices import KeyField
from chizheng.core.errors import DomainError
from chizheng.core.excel import TemplateColumn
from chizheng.core.imports import (
    Column,
    ImportKind,
    ImportResult,
    Progress,
    RowErrors,
    audit_import,
    audit_updates,
    cell_bool,
    cell_choice,
    cell_text,
    choice_map,
    open_sheet,
    register,
    run_import,
    validated,
)
from chizheng.core.models import ImportJob
from chizheng.core.permissions import Perm

from . import rules
from .models import Occupation, Trade
from .selectors import trade_by_name

KIND = "occupations"

COLUMNS: list[Column] = [
    Column(
        "occupation_code",
        "职业编码",
        required=True,
        text=True,
        width=14,
        help="如 6-18-01-01，须是职业目录中已有的职业。",
    ),
    Column("trade_name", "工种名称", width=20, help="可不填；填写时在该职业下新增（或更新）工种。"),
    Column("trade_code", "工种编码", text=True, width=14),
    Column("has_standard", "有国家标准", choices=("是", "否"), width=12, help="不填则不修改。"),
    Column("standard_number", "标准编号", text=True, width=18, help="有国家标准时必填。"),
    Column("levels", "标准等级", text=True, width=14, help="如“5,4,3”或“五级,四级”。有国家标准时必填。"),
    Column(
        "key_field", "重点领域", choices=tuple(str(label) for label in KeyField.labels), width=14, help="不填则不修改。"
    ),
]
_KEY_FIELDS = choice_map(KeyField.choices)
_OCC_FIELDS = ("has_national_standard", "standard_number", "standard_levels", "key_field")


def occupation_cells(
    errors: RowErrors, row: int, occupations: dict[str, Occupation], code: str, trade_name: str
) -> tuple[Occupation | None, Trade | None, bool]:
    """A row's occupation code (looked up in `occupations`, the catalog by code) and optional trade name:
    (occupation, trade, ok), each problem added to `errors` on its column ("occupation", "trade")."""
    occupation = occupations.get(code)
    if occupation is None:
        errors.add(row, "occupation", f"职业编码“{code}”不在职业目录中。" if code else "请填写职业编码。", code)
        return None, None, False
    try:
        return occupation, trade_by_name(occupation, trade_name), True
    except DomainError as err:
        errors.add(row, "trade", err.message, trade_name)
        return occupation, None, False


def import_occupations(
    *, actor: Any, path: Path, progress: Progress | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Import an occupation list. Row errors are returned (nothing written); a bad file raises ImportRejected."""
    return run_import(kind=KIND, actor=actor, path=Path(path), job=job, progress=progress)


def template_columns(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in COLUMNS]


def _run(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, COLUMNS)
    errors = RowErrors(COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in COLUMNS}
    catalog = {o.code: o for o in Occupation.objects.all()}
    trades = {(t.occupation_id, t.name): t for t in Trade.objects.all()}
    # occupation code → (row that first set it, the values it set)
    occupation_rows: dict[str, tuple[int, dict[str, Any]]] = {}
    trade_rows: dict[tuple[str, str], int] = {}
    rows: list[tuple[int, str, str, str]] = []  # (row, occupation code, trade name, trade code)
    count = 0
    for number, values in sheet.rows():
        count += 1
        before = len(errors)
        raw_code = get["occupation_code"](values)
        code = ""
        try:
            code = rules.check_occupation_code(cell_text(raw_code))
        except DomainError as err:
            errors.add(number, "occupation_code", err.message, raw_code)
        if code and code not in catalog:
            errors.add(number, "occupation_code", f"职业目录中没有编码为“{code}”的职业。", code)
        trade_name = cell_text(get["trade_name"](values))
        trade_code = cell_text(get["trade_code"](values))
        if len(trade_name) > 100:
            errors.add(number, "trade_name", "工种名称超过 100 个字。", trade_name)
        if len(trade_code) > 20:
            errors.add(number, "trade_code", "工种编码超过 20 个字符。", trade_code)
        if trade_code and not trade_name:
            errors.add(number, "trade_name", "填写了工种编码，但没有填写工种名称。", trade_code)
        settings_: dict[str, Any] = {}
        try:
            has_standard = cell_bool(get["has_standard"](values), field="has_standard", label="有国家标准")
            number_text = cell_text(get["standard_number"](values))
            levels_text = cell_text(get["levels"](values))
            if has_standard is None and (number_text or levels_text):
                raise DomainError(
                    "standard_without_flag", "填写了标准编号或等级，请同时填写“有国家标准”。", field="has_standard"
                )
            if has_standard is not None:
                levels = rules.parse_levels(levels_text)
                rules.check_standard(has_standard=has_standard, number=number_text, levels=levels)
                if len(number_text) > 40:
                    raise DomainError("standard_number_long", "标准编号超过 40 个字符。", field="standard_number")
                settings_.update(
                    has_national_standard=has_standard, standard_number=number_text, standard_levels=levels
                )
        except DomainError as err:
            key = err.field if err.field in ("has_standard", "standard_number", "levels") else "has_standard"
            errors.add(number, key, err.message, get[key](values))
        try:
            key_field = cell_choice(get["key_field"](values), _KEY_FIELDS, field="key_field", label="重点领域")
            if key_field is not None:
                settings_["key_field"] = key_field
        except DomainError as err:
            errors.add(number, "key_field", err.message, get["key_field"](values))
        if len(errors) > before or not code:
            continue
        if settings_:
            first = occupation_rows.get(code)
            if first is None:
                occupation_rows[code] = (number, settings_)
            else:
                conflict = [k for k in settings_ if k in first[1] and first[1][k] != settings_[k]]
                if conflict:
                    errors.add(
                        number,
                        "occupation_code",
                        f"与第 {first[0]} 行对同一职业“{code}”的标准或重点领域填写不一致。",
                        code,
                    )
                    continue
                first[1].update(settings_)
        if trade_name:
            first_row = trade_rows.get((code, trade_name))
            if first_row is not None:
                errors.add(number, "trade_name", f"工种“{trade_name}”与第 {first_row} 行重复。", trade_name)
                continue
            trade_rows[(code, trade_name)] = number
        rows.append((number, code, trade_name, trade_code))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write(actor, job, rows, occupation_rows, catalog, trades, result)
    return result


@transaction.atomic
def _write(
    actor: Any,
    job: ImportJob | None,
    rows: list[tuple[int, str, str, str]],
    occupation_rows: dict[str, tuple[int, dict[str, Any]]],
    catalog: dict[str, Occupation],
    trades: dict[tuple[int, str], Trade],
    result: ImportResult,
) -> None:
    updates: list[tuple[str, Any, str, int | None, dict[str, Any], dict[str, Any]]] = []
    changed_occupations: dict[str, Occupation] = {}
    for code, (_row, values) in occupation_rows.items():
        occupation = catalog[code]
        before = {k: getattr(occupation, k) for k in _OCC_FIELDS}
        after = {**before, **values}
        diff = [k for k in _OCC_FIELDS if before[k] != after[k]]
        if diff:
            for k in diff:
                setattr(occupation, k, after[k])
            changed_occupations[code] = occupation
            updates.append(
                (
                    "occupations.Occupation",
                    occupation.pk,
                    str(occupation),
                    None,
                    {k: before[k] for k in diff},
                    {k: after[k] for k in diff},
                )
            )
    Occupation.objects.bulk_update(list(changed_occupations.values()), list(_OCC_FIELDS))
    counted: set[str] = set()
    new_trades: list[Trade] = []
    changed_trades: list[Trade] = []
    for _number, code, trade_name, trade_code in rows:
        occupation = catalog[code]
        status = "unchanged"
        if code in changed_occupations and code not in counted:
            counted.add(code)
            status = "updated"
        if trade_name:
            trade = trades.get((occupation.pk, trade_name))
            if trade is None:
                new_trades.append(Trade(occupation=occupation, name=trade_name, code=trade_code))
                status = "created"
            elif trade_code and trade.code != trade_code:
                updates.append(
                    ("occupations.Trade", trade.pk, trade.name, None, {"code": trade.code}, {"code": trade_code})
                )
                trade.code = trade_code
                changed_trades.append(trade)
                status = "created" if status == "created" else "updated"
        if status == "created":
            result.created += 1
        elif status == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    Trade.objects.bulk_create(new_trades)
    Trade.objects.bulk_update(changed_trades, ["code"])
    audit_updates(actor, updates)
    if result.created or result.updated:
        audit_import(actor, job, result, "导入职业目录")


register(
    ImportKind(
        key=KIND,
        label="职业目录（工种、标准、重点领域）",
        perm=Perm.MANAGE_OCCUPATIONS,
        run=_run,
        template=template_columns,
    )
)

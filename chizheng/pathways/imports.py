"""Excel imports of the pathways (registered with chizheng.core.imports; every row checked first, all or nothing).

- `x_certificates` (schools): one row = one 1+X certificate of a person in the registry and in scope.
- `x_mappings` (city): one row = one 1+X certificate (and organisation) → occupation (and trade);
  an existing row for the same certificate and organisation is updated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from chizheng.core.errors import DomainError
from chizheng.core.excel import TemplateColumn
from chizheng.core.imports import (
    Column,
    ImportKind,
    ImportResult,
    Progress,
    RowErrors,
    audit_import,
    cell_choice,
    cell_date,
    cell_text,
    choice_map,
    open_sheet,
    register,
    validated,
)
from chizheng.core.models import ImportJob
from chizheng.occupations.imports import occupation_cells
from chizheng.occupations.models import Occupation, Trade
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import rules
from .choices import XLevel
from .direct import mapping_facts
from .models import XCertificate, XCertMapping
from .services import MAP_PERM, RUN_PERM

X_KIND = "x_certificates"
MAPPING_KIND = "x_mappings"

X_COLUMNS: list[Column] = [
    Column("id_number", "身份证号", required=True, text=True, width=22, help="须已登记在人员库中，且属于本单位"),
    Column("name", "姓名", width=10, help="核对用，可不填"),
    Column("organisation", "培训评价组织", required=True, width=30),
    Column("certificate", "证书名称", required=True, width=28, help="与市级 1+X 证书职业对应表中的名称一致"),
    Column("level", "证书等级", required=True, choices=[str(label) for label in XLevel.labels], width=10),
    Column("number", "证书编号", required=True, text=True, width=24),
    Column("issued_on", "发证日期", required=True, width=14, help="例如 2024-01-10"),
]

MAPPING_COLUMNS: list[Column] = [
    Column("certificate", "1+X 证书名称", required=True, width=30),
    Column("organisation", "培训评价组织", width=30, help="空表示不限组织"),
    Column("occupation", "职业编码", required=True, text=True, width=14, help="例如 6-18-01-01"),
    Column("trade", "工种", width=16, help="可不填"),
    Column("note", "备注", width=30),
]


# ------------------------------------------------------------------------------------- 1+X records


def _x_template(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in X_COLUMNS]


def _run_x(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, X_COLUMNS)
    errors = RowErrors(X_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in X_COLUMNS}
    levels = choice_map(XLevel.choices)
    mappings = mapping_facts()
    in_scope = Person.objects.restrict(actor)
    seen: dict[tuple[str, str], int] = {}
    rows: list[tuple[Person, str, str, str, str, dt.date]] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        ok = True
        person: Person | None = None
        raw_id = get["id_number"](values)
        try:
            id_number = normalize_id_number(raw_id)
            person = in_scope.filter(id_number=id_number).first()
            if person is None:
                errors.add(
                    number,
                    "id_number",
                    f"人员库中（本单位范围内）没有身份证号 {id_number} 的人员，请先登记。",
                    id_number,
                )
            elif person.school_id is None:
                errors.add(number, "id_number", f"{person.name}没有所在院校，不能登记 1+X 证书。", id_number)
                person = None
        except DomainError as err:
            errors.add(number, "id_number", err.message, raw_id)
        name = cell_text(get["name"](values))
        if person is not None and name and name != person.name:
            errors.add(number, "name", f"姓名“{name}”与人员库中该身份证号的姓名“{person.name}”不一致。", name)
            ok = False
        texts = {
            key: " ".join(cell_text(get[key](values)).split()) for key in ("organisation", "certificate", "number")
        }
        for key, label in (("organisation", "培训评价组织"), ("certificate", "证书名称"), ("number", "证书编号")):
            if not texts[key]:
                errors.add(number, key, f"请填写{label}。")
                ok = False
        level = issued_on = None
        try:
            level = cell_choice(get["level"](values), levels, field="level", label="证书等级")
            if level is None:
                errors.add(number, "level", "请填写证书等级（初级、中级或高级）。")
        except DomainError as err:
            errors.domain(number, err, "level", get["level"](values))
        try:
            issued_on = cell_date(get["issued_on"](values), field="issued_on", label="发证日期")
            if issued_on is None:
                errors.add(number, "issued_on", "请填写发证日期。")
        except DomainError as err:
            errors.domain(number, err, "issued_on", get["issued_on"](values))
        if texts["certificate"] and rules.find_x_mapping(mappings, texts["certificate"], texts["organisation"]) is None:
            errors.add(
                number,
                "certificate",
                f"1+X 证书“{texts['certificate']}”（{texts['organisation']}）没有对应的职业（R5 直接认定须有市级 1+X "
                "证书职业对应），请先由市教育局维护对应关系。",
                texts["certificate"],
            )
            ok = False
        dup = (texts["organisation"], texts["number"])
        if texts["number"] and texts["organisation"]:
            if dup in seen:
                errors.add(number, "number", f"与第 {seen[dup]} 行重复（同一组织、同一证书编号）。", texts["number"])
                ok = False
            else:
                seen[dup] = number
                if XCertificate.objects.filter(organisation=dup[0], number=dup[1]).exists():
                    errors.add(number, "number", f"{dup[0]}的证书编号 {dup[1]} 已登记，不能重复导入。", dup[1])
                    ok = False
        if ok and person is not None and level is not None and issued_on is not None:
            rows.append((person, texts["organisation"], texts["certificate"], level, texts["number"], issued_on))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write_x(actor, job, rows, result)
    return result


@transaction.atomic
def _write_x(
    actor: Any, job: ImportJob | None, rows: list[tuple[Person, str, str, str, str, dt.date]], result: ImportResult
) -> None:
    created = XCertificate.objects.bulk_create(
        XCertificate(
            person=person,
            school_id=person.school_id,  # type: ignore[misc]
            county_id=person.county_id,
            organisation=org[:100],
            name=name[:100],
            level=level,
            number=number[:60],
            issued_on=issued_on,
            source_import=job,
            created_by=actor,
        )
        for person, org, name, level, number, issued_on in rows
    )
    result.created = len(created)
    audit_import(actor, job, result, "导入 1+X 证书")


# ---------------------------------------------------------------------------------------- mappings


def _mapping_template(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in MAPPING_COLUMNS]


def _run_mappings(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, MAPPING_COLUMNS)
    errors = RowErrors(MAPPING_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in MAPPING_COLUMNS}
    occupations = {o.code: o for o in Occupation.objects.only("pk", "code", "name")}
    existing = {(m.certificate_name, m.organisation): m for m in XCertMapping.objects.all()}
    seen: dict[tuple[str, str], int] = {}
    rows: list[tuple[str, str, Occupation, Trade | None, str]] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        name = " ".join(cell_text(get["certificate"](values)).split())
        org = " ".join(cell_text(get["organisation"](values)).split())
        code = cell_text(get["occupation"](values))
        trade_name = cell_text(get["trade"](values))
        note = cell_text(get["note"](values))
        ok = True
        if not name:
            errors.add(number, "certificate", "请填写 1+X 证书名称。")
            ok = False
        occupation, trade, cells_ok = occupation_cells(errors, number, occupations, code, trade_name)
        ok = ok and cells_ok
        key = (name, org)
        if name and key in seen:
            errors.add(number, "certificate", f"与第 {seen[key]} 行重复（同一证书名称、同一培训评价组织）。", name)
            ok = False
        seen.setdefault(key, number)
        if ok and occupation is not None:
            rows.append((name[:100], org[:100], occupation, trade, note[:200]))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write_mappings(actor, job, rows, existing, result)
    return result


@transaction.atomic
def _write_mappings(
    actor: Any,
    job: ImportJob | None,
    rows: list[tuple[str, str, Occupation, Trade | None, str]],
    existing: dict[tuple[str, str], XCertMapping],
    result: ImportResult,
) -> None:
    new: list[XCertMapping] = []
    changed: list[XCertMapping] = []
    for name, org, occupation, trade, note in rows:
        mapping = existing.get((name, org))
        if mapping is None:
            new.append(
                XCertMapping(
                    certificate_name=name,
                    organisation=org,
                    occupation=occupation,
                    trade=trade,
                    note=note,
                    created_by=actor,
                )
            )
        elif (mapping.occupation_id, mapping.trade_id, mapping.note) != (
            occupation.pk,
            trade.pk if trade else None,
            note,
        ):
            mapping.occupation, mapping.trade, mapping.note = occupation, trade, note
            changed.append(mapping)
        else:
            result.unchanged += 1
    XCertMapping.objects.bulk_create(new)
    XCertMapping.objects.bulk_update(changed, ["occupation", "trade", "note"])
    result.created, result.updated = len(new), len(changed)
    audit_import(actor, job, result, "导入 1+X 证书职业对应")


register(ImportKind(key=X_KIND, label="1+X 证书", perm=RUN_PERM, run=_run_x, template=_x_template))
register(
    ImportKind(key=MAPPING_KIND, label="1+X 证书职业对应", perm=MAP_PERM, run=_run_mappings, template=_mapping_template)
)

# R7 competition entries and results, R6 course mappings and results register themselves (autodiscovery
# imports only this module).
from . import competition_imports, course_imports  # noqa: E402, F401

"""Examiner registry import (school admins): examiners, invigilators and supervisors of the school's institutions.

One row is one person in one role at one institution (by its 4-digit code, within the uploader's
scope). Persons must already be in the person registry (by ID number, within scope); relatives are
ID numbers separated by 、 , ; or spaces. Every row is checked first; any bad row and nothing is
written. Rows already registered (same institution, person, role, occupation) are refused as
duplicates rather than silently updated.
"""

from __future__ import annotations

import re
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
    run_import,
    validated,
)
from chizheng.core.models import ImportJob
from chizheng.core.permissions import Perm
from chizheng.occupations.choices import SkillLevel
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import rules
from .choices import ExaminerRole
from .models import EvaluationInstitution, Examiner

KIND = "examiners"

COLUMNS: list[Column] = [
    Column("institution_code", "机构代码", required=True, text=True, width=10, help="本校评价机构的 4 位机构代码"),
    Column("id_number", "身份证号", required=True, text=True, width=22, help="须已登记在人员库中"),
    Column("role", "身份", required=True, choices=tuple(str(label) for label in ExaminerRole.labels), width=10),
    Column("occupation_code", "职业编码", text=True, width=14, help="考评员必填，如 6-18-01-01"),
    Column(
        "level", "可考评最高等级", choices=tuple(str(label) for label in SkillLevel.labels), width=16, help="考评员必填"
    ),
    Column("qualification_number", "资格证书编号", required=True, text=True, width=20),
    Column("valid_from", "有效期起", required=True, width=12, help="如 2023-01-01"),
    Column("valid_until", "有效期至", required=True, width=12),
    Column("relatives", "需回避亲属身份证号", text=True, width=30, help="多个用顿号、逗号或空格分隔"),
]
_ROLES = choice_map(ExaminerRole.choices)
_LEVELS = {**choice_map([(str(v), label) for v, label in SkillLevel.choices]), **{str(v): str(v) for v in range(1, 6)}}
_SPLIT = re.compile(r"[、,，;；\s]+")


def import_examiners(
    *, actor: Any, path: Path, progress: Progress | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Import an examiner roster. Row errors are returned (nothing written); a bad file raises ImportRejected."""
    return run_import(kind=KIND, actor=actor, path=Path(path), job=job, progress=progress)


def template_columns(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in COLUMNS]


def _person(actor: Any, raw: Any, cache: dict[str, Person | None]) -> Person:
    number = normalize_id_number(raw)
    if number not in cache:
        cache[number] = Person.objects.restrict(actor).filter(id_number=number).first()
    person = cache[number]
    if person is None:
        raise DomainError("unknown_person", f"人员库中（您的管理范围内）没有身份证号 {number} 的人员。")
    return person


def _run(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, COLUMNS)
    errors = RowErrors(COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in COLUMNS}
    institutions = {i.code: i for i in EvaluationInstitution.objects.restrict(actor)}
    occupations: dict[str, Occupation | None] = {}
    persons: dict[str, Person | None] = {}
    seen: dict[tuple[int, int, str, int | None], int] = {}
    rows: list[tuple[Examiner, list[Person]]] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        before = len(errors)
        code = cell_text(get["institution_code"](values))
        institution = institutions.get(code)
        if institution is None:
            errors.add(number, "institution_code", f"您的管理范围内没有机构代码为“{code}”的评价机构。", code)
        person = None
        try:
            person = _person(actor, get["id_number"](values), persons)
        except DomainError as err:
            errors.add(number, "id_number", err.message, get["id_number"](values))
        role = level_text = None
        try:
            role = cell_choice(get["role"](values), _ROLES, field="role", label="身份")
            level_text = cell_choice(get["level"](values), _LEVELS, field="level", label="等级")
        except DomainError as err:
            errors.domain(number, err, "role", get[err.field or "role"](values))
        occupation = None
        occ_code = cell_text(get["occupation_code"](values))
        if occ_code:
            if occ_code not in occupations:
                occupations[occ_code] = Occupation.objects.filter(code=occ_code).first()
            occupation = occupations[occ_code]
            if occupation is None:
                errors.add(number, "occupation_code", f"职业目录中没有编码为“{occ_code}”的职业。", occ_code)
        qualification = cell_text(get["qualification_number"](values))
        if len(qualification) > 40:
            errors.add(number, "qualification_number", "资格证书编号超过 40 个字符。", qualification)
        valid_from = valid_until = None
        try:
            valid_from = cell_date(get["valid_from"](values), field="valid_from", label="有效期起")
            valid_until = cell_date(get["valid_until"](values), field="valid_until", label="有效期至")
        except DomainError as err:
            errors.domain(number, err, "valid_from", get[err.field or "valid_from"](values))
        relatives: list[Person] = []
        for raw in _SPLIT.split(cell_text(get["relatives"](values))):
            if raw:
                try:
                    relatives.append(_person(actor, raw, persons))
                except DomainError as err:
                    errors.add(number, "relatives", err.message, raw)
        if len(errors) > before or institution is None or person is None or not role:
            continue
        if valid_from is None or valid_until is None:
            errors.add(number, "valid_from", "请填写有效期起止日期。")
            continue
        level = int(level_text) if level_text else None
        try:
            rules.check_examiner_fields(
                role=role,
                occupation_id=occupation.pk if occupation else None,
                highest_level=level,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        except DomainError as err:
            column = {"occupation": "occupation_code", "highest_level": "level"}.get(err.field or "", "valid_until")
            errors.add(number, column, err.message)
            continue
        key = (institution.pk, person.pk, role, occupation.pk if occupation else None)
        if key in seen:
            errors.add(
                number, "id_number", f"与第 {seen[key]} 行重复（同一机构、人员、身份和职业）。", person.id_number
            )
            continue
        seen[key] = number
        if Examiner.objects.filter(institution=institution, person=person, role=role, occupation=occupation).exists():
            errors.add(number, "id_number", f"{person.name} 已登记为该机构的同一身份。", person.id_number)
            continue
        examiner = Examiner(
            institution=institution,
            school_id=institution.school_id,
            county_id=institution.county_id,
            person=person,
            role=role,
            occupation=occupation,
            highest_level=level,
            qualification_number=qualification,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        rows.append((examiner, relatives))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write(actor, job, rows, result)
    return result


@transaction.atomic
def _write(actor: Any, job: ImportJob | None, rows: list[tuple[Examiner, list[Person]]], result: ImportResult) -> None:
    created = Examiner.objects.bulk_create([examiner for examiner, _ in rows])
    links = [
        Examiner.relatives.through(examiner_id=examiner.pk, person_id=relative.pk)
        for examiner, (_, relatives) in zip(created, rows, strict=True)
        for relative in relatives
    ]
    Examiner.relatives.through.objects.bulk_create(links)
    result.created = len(created)
    audit_import(actor, job, result, "导入考评人员")


register(
    ImportKind(
        key=KIND,
        label="考评人员（考评员、监考员、督导员）",
        perm=Perm.MANAGE_EXAMINERS,
        run=_run,
        template=template_columns,
    )
)

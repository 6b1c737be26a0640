"""R6 Excel imports (registered with chizheng.core.imports; every row checked first, all or nothing).

- `course_mappings` (school admins): one row = one course of a mapping (方案名称, 职业编码, 工种, 适用专业,
  课程代码, 课程名称). Rows with the same 方案名称 make one mapping; they must agree on occupation, trade and
  major. An existing mapping of the school with that name is updated and its courses replaced by the file's.
- `course_results` (school admins): one row = one student's result in one course (身份证号, 姓名, 课程代码,
  课程名称, 理论成绩, 理论合格, 实践成绩, 实践合格, 学期, 学年). The person must be a student of the uploader's
  school, the course code in a mapping of that school; each part needs a score (0–100) or a 是/否 flag and
  both must agree (60 is the pass mark). A student × course twice in the file is an error; a result already
  recorded is updated (a re-sit or a correction), with a per-row audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from chizheng.assessments.rules import parse_score
from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, ImportRejected
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
    cell_int,
    cell_text,
    open_sheet,
    register,
    validated,
)
from chizheng.core.models import ImportJob, OrgUnit
from chizheng.occupations.imports import occupation_cells
from chizheng.occupations.models import Occupation, Trade
from chizheng.people.models import Person, Student
from chizheng.people.rules import normalize_id_number

from . import rules
from .course_services import school_of, set_courses
from .models import CourseCertMapping, CourseResult, MappedCourse
from .services import RUN_PERM

MAPPINGS_KIND = "course_mappings"
RESULTS_KIND = "course_results"

MAPPING_COLUMNS: list[Column] = [
    Column("mapping", "方案名称", required=True, width=28, help="同一方案的各门课程各占一行，方案名称相同"),
    Column("occupation", "职业编码", required=True, text=True, width=14, help="例如 6-18-01-01"),
    Column("trade", "工种", width=16, help="可不填"),
    Column("major", "适用专业", width=20, help="空表示不限专业"),
    Column("course_code", "课程代码", required=True, text=True, width=14),
    Column("course_name", "课程名称", required=True, width=24),
]

RESULT_COLUMNS: list[Column] = [
    Column("id_number", "身份证号", required=True, text=True, width=22, help="须为本校在籍（或已毕业）学生"),
    Column("name", "姓名", width=10, help="核对用，可不填"),
    Column("course_code", "课程代码", required=True, text=True, width=14, help="须为本校课证融通方案中的课程"),
    Column("course_name", "课程名称", width=24, help="核对用，可不填"),
    Column("theory_score", "理论成绩", width=10, help="0–100，可保留一位小数；考查课可不填"),
    Column("theory_passed", "理论合格", choices=["是", "否"], width=10, help="不填时按成绩（60 分及以上合格）"),
    Column("practical_score", "实践成绩", width=10, help="0–100，可保留一位小数；可不填"),
    Column("practical_passed", "实践合格", choices=["是", "否"], width=10, help="不填时按成绩（60 分及以上合格）"),
    Column("term", "学期", width=14, help="例如 2024-2025-2"),
    Column("year", "学年", required=True, width=10, help="学年结束年份，例如 2025"),
]


def _school(actor: Any) -> OrgUnit:
    try:
        return school_of(actor)
    except DomainError as err:
        raise ImportRejected(err.message, code="no_school") from None


# ---------------------------------------------------------------------------------------- mappings


@dataclass
class _MappingRows:
    row: int
    occupation: Occupation
    trade: Trade | None
    major: str
    courses: list[tuple[str, str]]
    course_rows: dict[str, int]


def _mapping_template(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in MAPPING_COLUMNS]


def _run_mappings(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    school = _school(actor)
    sheet = open_sheet(path, MAPPING_COLUMNS)
    errors = RowErrors(MAPPING_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in MAPPING_COLUMNS}
    occupations = {o.code: o for o in Occupation.objects.only("pk", "code", "name")}
    groups: dict[str, _MappingRows] = {}
    names_by_code: dict[str, tuple[str, int]] = {}
    count = 0
    for number, values in sheet.rows():
        count += 1
        name = " ".join(cell_text(get["mapping"](values)).split())[:100]
        code = cell_text(get["occupation"](values))
        trade_name = cell_text(get["trade"](values))
        major = " ".join(cell_text(get["major"](values)).split())[:60]
        course_code = "".join(cell_text(get["course_code"](values)).split())
        course_name = " ".join(cell_text(get["course_name"](values)).split())
        ok = True
        if not name:
            errors.add(number, "mapping", "请填写方案名称。")
            ok = False
        occupation, trade, cells_ok = occupation_cells(errors, number, occupations, code, trade_name)
        ok = ok and cells_ok
        if not course_code:
            errors.add(number, "course_code", "请填写课程代码。")
            ok = False
        elif len(course_code) > 30:
            errors.add(number, "course_code", "课程代码最长 30 个字符。", course_code)
            ok = False
        if not course_name:
            errors.add(number, "course_name", "请填写课程名称。")
            ok = False
        key = rules.course_key(course_code)
        if course_code and course_name:
            first = names_by_code.setdefault(key, (course_name, number))
            if first[0] != course_name:
                errors.add(
                    number,
                    "course_name",
                    f"课程代码 {course_code} 在第 {first[1]} 行名为“{first[0]}”，同一代码应为同一门课程。",
                    course_name,
                )
                ok = False
        if not ok or occupation is None:
            continue
        group = groups.get(name)
        if group is None:
            groups[name] = _MappingRows(
                number, occupation, trade, major, [(course_code, course_name[:100])], {key: number}
            )
            continue
        if (group.occupation.pk, group.trade.pk if group.trade else None, group.major) != (
            occupation.pk,
            trade.pk if trade else None,
            major,
        ):
            errors.add(
                number,
                "occupation",
                f"方案“{name}”在第 {group.row} 行的职业、工种或适用专业与本行不同，同一方案应一致。",
                code,
            )
        elif key in group.course_rows:
            errors.add(
                number,
                "course_code",
                f"与第 {group.course_rows[key]} 行重复（方案“{name}”中同一课程代码）。",
                course_code,
            )
        else:
            group.course_rows[key] = number
            group.courses.append((course_code, course_name[:100]))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write_mappings(actor, job, school, groups, result)
    return result


@transaction.atomic
def _write_mappings(
    actor: Any, job: ImportJob | None, school: OrgUnit, groups: dict[str, _MappingRows], result: ImportResult
) -> None:
    existing = {m.name: m for m in CourseCertMapping.objects.select_for_update().filter(school=school)}
    for name, group in groups.items():
        mapping = existing.get(name)
        if mapping is None:
            mapping = CourseCertMapping.objects.create(
                school=school,
                county_id=school.county_id,  # type: ignore[misc]
                name=name,
                occupation=group.occupation,
                trade=group.trade,
                major=group.major,
                created_by=actor,
            )
            set_courses(mapping, group.courses)
            result.created += 1
            continue
        before = (
            mapping.occupation_id,
            mapping.trade_id,
            mapping.major,
            sorted(mapping.courses.values_list("code", "name")),
        )
        mapping.occupation, mapping.trade, mapping.major = group.occupation, group.trade, group.major
        mapping.updated_at = timezone.now()
        mapping.save(update_fields=["occupation", "trade", "major", "updated_at"])
        set_courses(mapping, group.courses)
        after = (
            mapping.occupation_id,
            mapping.trade_id,
            mapping.major,
            sorted(mapping.courses.values_list("code", "name")),
        )
        if before == after:
            result.unchanged += 1
        else:
            result.updated += 1
            audit.record(
                actor,
                AuditAction.UPDATE,
                mapping,
                before={"occupation_id": before[0], "trade_id": before[1], "major": before[2], "courses": before[3]},
                after={"occupation_id": after[0], "trade_id": after[1], "major": after[2], "courses": after[3]},
                note="批量导入",
            )
    audit_import(actor, job, result, "导入课证融通方案")


# ----------------------------------------------------------------------------------------- results


@dataclass
class _ResultRow:
    person: Person
    code: str
    name: str
    theory_score: Decimal | None
    theory_passed: bool
    practical_score: Decimal | None
    practical_passed: bool
    term: str
    year: int


def _result_template(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in RESULT_COLUMNS]


def _score(raw: Any, label: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_score(raw, column=label)


def _run_results(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    school = _school(actor)
    sheet = open_sheet(path, RESULT_COLUMNS)
    errors = RowErrors(RESULT_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in RESULT_COLUMNS}
    courses: dict[str, MappedCourse] = {}
    for mapped in MappedCourse.objects.filter(mapping__school=school).order_by("mapping__active", "id"):
        courses[rules.course_key(mapped.code)] = mapped  # an active mapping's name wins
    students = set(Student.objects.filter(school=school).values_list("person_id", flat=True))
    seen: dict[tuple[int, str], int] = {}
    rows: list[_ResultRow] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        ok = True
        person: Person | None = None
        raw_id = get["id_number"](values)
        try:
            id_number = normalize_id_number(raw_id)
            person = Person.objects.filter(id_number=id_number).first()
            if person is None or person.pk not in students:
                person = None
                # one message whether or not the person exists elsewhere: nothing leaks across schools
                errors.add(
                    number,
                    "id_number",
                    f"身份证号 {id_number} 不是{school.name}的学生（人员库中没有此人或没有本校学籍）。",
                    id_number,
                )
        except DomainError as err:
            errors.add(number, "id_number", err.message, raw_id)
        name = cell_text(get["name"](values))
        if person is not None and name and name != person.name:
            errors.add(number, "name", f"姓名“{name}”与人员库中该身份证号的姓名“{person.name}”不一致。", name)
            ok = False
        code = "".join(cell_text(get["course_code"](values)).split())
        course = courses.get(rules.course_key(code)) if code else None
        if not code:
            errors.add(number, "course_code", "请填写课程代码。")
            ok = False
        elif course is None:
            errors.add(
                number,
                "course_code",
                f"课程代码 {code} 不在本校任何课证融通方案中（R6 只登记融通课程的成绩），请先维护方案。",
                code,
            )
            ok = False
        course_name = " ".join(cell_text(get["course_name"](values)).split())
        if course is not None and course_name and "".join(course_name.split()) != "".join(course.name.split()):
            errors.add(
                number, "course_name", f"课程代码 {course.code} 在方案中名为“{course.name}”，与“{course_name}”不一致。",
                course_name,
            )  # fmt: skip
            ok = False
        parts: dict[str, Any] = {}
        for key, label in (("theory_score", "理论成绩"), ("practical_score", "实践成绩")):
            try:
                parts[key] = _score(get[key](values), label)
            except DomainError as err:
                errors.add(number, key, err.message, get[key](values))
        for key, label in (("theory_passed", "理论合格"), ("practical_passed", "实践合格")):
            try:
                parts[key] = cell_bool(get[key](values), field=key, label=label)
            except DomainError as err:
                errors.domain(number, err, key, get[key](values))
        passed: tuple[bool, bool] | None = None
        if len(parts) == 4:
            try:
                passed = rules.check_course_result(**parts)
            except DomainError as err:
                shown = get[err.field](values) if err.field in get else ""
                errors.domain(number, err, "theory_passed", shown)
        year = None
        try:
            year = cell_int(get["year"](values), field="year", label="学年")
            if year is None:
                errors.add(number, "year", "请填写学年（结束年份，例如 2025）。")
            elif not 2000 <= year <= 2100:
                errors.add(number, "year", f"学年 {year} 不合理（应为学年结束年份，例如 2025）。", year)
                year = None
        except DomainError as err:
            errors.domain(number, err, "year", get["year"](values))
        term = cell_text(get["term"](values))[:20]
        if person is not None and course is not None:
            dup = (person.pk, rules.course_key(course.code))
            if dup in seen:
                errors.add(number, "course_code", f"与第 {seen[dup]} 行重复（同一学生、同一课程）。", code)
                ok = False
            else:
                seen[dup] = number
        if ok and person is not None and course is not None and passed is not None and year is not None:
            rows.append(
                _ResultRow(
                    person, course.code, course.name, parts["theory_score"], passed[0], parts["practical_score"],
                    passed[1], term, year,
                )
            )  # fmt: skip
    result = validated(count, job, errors, progress)
    if result.ok:
        _write_results(actor, job, school, rows, result)
    return result


_RESULT_FIELDS = [
    "course_name",
    "theory_score",
    "theory_passed",
    "practical_score",
    "practical_passed",
    "term",
    "year",
]


def _values(r: CourseResult | _ResultRow) -> dict[str, Any]:
    data = {}
    for key in _RESULT_FIELDS:
        value = getattr(r, "name" if key == "course_name" and isinstance(r, _ResultRow) else key)
        data[key] = f"{value:f}" if isinstance(value, Decimal) else value
    return data


@transaction.atomic
def _write_results(
    actor: Any, job: ImportJob | None, school: OrgUnit, rows: list[_ResultRow], result: ImportResult
) -> None:
    existing: dict[tuple[int, str], CourseResult] = {}
    persons = sorted({r.person.pk for r in rows})
    for start in range(0, len(persons), 1000):
        for old in CourseResult.objects.select_for_update().filter(
            school=school, person_id__in=persons[start : start + 1000]
        ):
            existing[(old.person_id, rules.course_key(old.course_code))] = old
    new: list[CourseResult] = []
    changed: list[CourseResult] = []
    events = []
    now = timezone.now()
    for r in rows:
        cr = existing.get((r.person.pk, rules.course_key(r.code)))
        if cr is None:
            new.append(
                CourseResult(
                    person=r.person,
                    school=school,
                    county_id=school.county_id,  # type: ignore[misc]
                    course_code=r.code,
                    course_name=r.name,
                    theory_score=r.theory_score,
                    theory_passed=r.theory_passed,
                    practical_score=r.practical_score,
                    practical_passed=r.practical_passed,
                    term=r.term,
                    year=r.year,
                    source_import=job,
                    created_at=now,
                    updated_at=now,
                )
            )
            continue
        before, after = _values(cr), _values(r)
        if before == after:
            result.unchanged += 1
            continue
        cr.course_name, cr.theory_score, cr.theory_passed = r.name, r.theory_score, r.theory_passed
        cr.practical_score, cr.practical_passed, cr.term, cr.year = (
            r.practical_score,
            r.practical_passed,
            r.term,
            r.year,
        )
        cr.source_import, cr.updated_at = job, now
        changed.append(cr)
        b, a = audit.diff(before, after)
        events.append(("pathways.CourseResult", cr.pk, f"{r.person.name} {r.code}", school.pk, b, a))
    CourseResult.objects.bulk_create(new, batch_size=2000)
    CourseResult.objects.bulk_update(changed, [*_RESULT_FIELDS, "source_import", "updated_at"], batch_size=2000)
    audit_updates(actor, events)
    result.created, result.updated = len(new), len(changed)
    audit_import(actor, job, result, "导入课程成绩")


register(
    ImportKind(key=MAPPINGS_KIND, label="课证融通方案", perm=RUN_PERM, run=_run_mappings, template=_mapping_template)
)
register(ImportKind(key=RESULTS_KIND, label="课程成绩", perm=RUN_PERM, run=_run_results, template=_result_template))

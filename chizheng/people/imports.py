"""Student roster import: one row per student, idempotent by resident ID number.

`import_students(actor=, path=, school=, progress=)` is the plain entry point (the
web page, the CLI, the background task and the benchmark all call it).

Three phases keep memory flat and progress visible:
1. validate (no transaction open): stream the sheet, check every cell with
   `people.rules`, resolve the school code within the uploader's scope, find
   duplicate ID numbers; each valid row becomes one small tuple;
2. compare (inside the write transaction): fetch the existing persons and student
   records in chunks (`id_number IN (...)`) and classify each row as created,
   updated or unchanged;
3. write: the changed rows are staged in temporary tables (COPY on PostgreSQL, one
   prepared `executemany` on SQLite) and applied set-wise with
   `INSERT ... SELECT ... ON CONFLICT DO UPDATE` (persons, then students).

Any row error → nothing is written and all errors are returned. See
`chizheng.core.imports` for how the import is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from chizheng.core.choices import OrgKind, Role
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
    cell_choice,
    cell_date,
    cell_int,
    cell_text,
    choice_map,
    memo,
    open_sheet,
    register,
    run_import,
)
from chizheng.core.models import ImportJob, OrgUnit
from chizheng.core.permissions import Perm

from . import rules
from .choices import Sex, Stage, StudentStatus
from .models import Person, Student

KIND = "students"
CHUNK = 5000

COLUMNS: list[Column] = [
    Column("name", "姓名", required=True, width=12),
    Column(
        "id_number", "身份证号", required=True, text=True, width=22, help="18 位，末位可为 X。请保持本列为文本格式。"
    ),
    Column("sex", "性别", choices=("男", "女"), width=8, help="可不填；填写时须与身份证号一致。"),
    Column("birth_date", "出生日期", text=True, width=14, help="可不填；如 2006-03-15，须与身份证号一致。"),
    Column("school", "院校代码", text=True, width=30, help="院校管理员可不填（默认本校）；县区、市管理员必填。"),
    Column("student_number", "学号", text=True, width=16),
    Column("major", "专业", required=True, width=20),
    Column("stage", "学段", required=True, choices=tuple(str(label) for label in Stage.labels), width=10),
    Column("entry_year", "入学年份", required=True, width=10, help="如 2024"),
    Column("graduation_year", "预计毕业年份", required=True, width=12, help="如 2027"),
    Column("outstanding", "优秀学生", choices=("是", "否"), width=10, help="R4：优秀中职毕业生可报考高级工。"),
    Column("status", "学籍状态", choices=tuple(str(label) for label in StudentStatus.labels), width=10),
    Column("phone", "手机号", text=True, width=14),
]
_HEADERS = {c.key: c.header for c in COLUMNS}
_SEX = {"男": Sex.MALE.value, "女": Sex.FEMALE.value, "M": Sex.MALE.value, "F": Sex.FEMALE.value}
_STAGE = choice_map(Stage.choices)
_STATUS = choice_map(StudentStatus.choices)
_PHONE = re.compile(r"^[0-9+\-]{5,20}$")


class Row(NamedTuple):
    """One validated roster row (None = keep the existing value / use the default)."""

    row: int
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    phone: str | None
    school_id: int
    county_id: int
    student_number: str | None
    major: str
    stage: str
    entry_year: int
    graduation_year: int
    outstanding: bool | None
    status: str | None


def import_students(
    *,
    actor: Any,
    path: Path,
    school: OrgUnit | str | None = None,
    progress: Progress | None = None,
    job: ImportJob | None = None,
) -> ImportResult:
    """Import a student roster file. Row errors are returned (nothing written); a bad file raises ImportRejected.

    `school` (an OrgUnit or its code) is the default school for rows without 院校代码;
    a school admin's own school is always the default and the only school allowed.
    """
    return run_import(kind=KIND, actor=actor, path=Path(path), job=job, progress=progress, school=school)


def template_columns(actor: Any) -> list[TemplateColumn]:
    """The roster template; 院校代码 offers the schools within the actor's scope."""
    schools = OrgUnit.objects.restrict(actor).filter(kind=OrgKind.SCHOOL).order_by("code")
    codes = [f"{code} {name}" for code, name in schools.values_list("code", "name")]
    own_school = getattr(actor, "role", "") == Role.SCHOOL_ADMIN
    out = []
    for column in COLUMNS:
        if column.key == "school":
            out.append(
                TemplateColumn(
                    header=column.header,
                    required=not own_school,
                    help=column.help,
                    choices=tuple(codes),
                    width=column.width,
                    text=True,
                )
            )
        else:
            out.append(column.template())
    return out


class _Schools:
    """The schools an actor may import into, looked up by code."""

    def __init__(self, actor: Any, default: OrgUnit | str | None) -> None:
        scope = OrgUnit.objects.restrict(actor).filter(kind=OrgKind.SCHOOL)
        self.in_scope = {code: (pk, county_id) for pk, code, county_id in scope.values_list("pk", "code", "county_id")}
        self.known = set(OrgUnit.objects.filter(kind=OrgKind.SCHOOL).values_list("code", flat=True))
        self.fixed: str | None = None
        if getattr(actor, "role", "") == Role.SCHOOL_ADMIN:
            unit = actor.org_unit
            self.fixed = unit.code if unit is not None else None
        default_code = default.code if isinstance(default, OrgUnit) else (default or "").strip()
        if default_code:
            default_code = default_code.split()[0]
            if default_code not in self.in_scope or (self.fixed and default_code != self.fixed):
                raise ImportRejected(f"院校“{default_code}”不存在或不在您的管理范围内。", code="school_scope")
        self.default = self.fixed or default_code or None

    def resolve(self, raw: Any) -> tuple[int, int]:
        code = cell_text(raw).split()[0] if cell_text(raw) else ""
        if not code:
            if self.default is None:
                raise DomainError("school_missing", "须填写院校代码（县区、市管理员导入时必填）。", field="school")
            return self.in_scope[self.default]
        if self.fixed and code != self.fixed:
            raise DomainError(
                "school_scope",
                f"院校代码“{code}”不是本校（{self.fixed}），院校管理员只能导入本校学生。",
                field="school",
            )
        if code in self.in_scope:
            return self.in_scope[code]
        if code in self.known:
            raise DomainError("school_scope", f"院校“{code}”不在您的管理范围内。", field="school")
        raise DomainError("school_unknown", f"院校代码“{code}”不存在。", field="school")


def _validate(
    actor: Any, path: Path, school: OrgUnit | str | None, progress: Progress
) -> tuple[list[Row], RowErrors, int]:
    """Phase 1: every row checked, no database writes. Returns valid rows, errors and the row count.

    Columns whose values repeat (school, stage, years, flags) go through cached
    converters, so the per-row cost is mostly the ID number check.
    """
    sheet = open_sheet(path, COLUMNS)
    schools = _Schools(actor, school)
    errors = RowErrors(COLUMNS)
    add = errors.add
    i_name, i_id, i_sex, i_birth, i_school, i_number, i_major, i_stage, i_entry, i_grad, i_best, i_status, i_phone = (
        sheet.pos(c.key) for c in COLUMNS
    )
    has_sex, has_birth = sheet.has("sex"), sheet.has("birth_date")
    to_school = memo(schools.resolve)
    to_sex = memo(_sex)
    to_birth = memo(lambda v: cell_date(v, field="birth_date", label="出生日期"))
    to_stage = memo(lambda v: cell_choice(v, _STAGE, field="stage", label="学段"))
    to_entry = memo(lambda v: cell_int(v, field="entry_year", label="入学年份"))
    to_grad = memo(lambda v: cell_int(v, field="graduation_year", label="预计毕业年份"))
    to_best = memo(lambda v: cell_bool(v, field="outstanding", label="优秀学生"))
    to_status = memo(lambda v: cell_choice(v, _STATUS, field="status", label="学籍状态"))
    years = memo(lambda key: rules.check_student_years(stage=key[0], entry_year=key[1], graduation_year=key[2]))
    parse_id = rules.parse_id_number
    today = timezone.localdate()
    seen: dict[str, int] = {}
    rows: list[Row] = []
    append = rows.append
    total = sheet.total
    count = 0
    for number, values in sheet.rows():
        count += 1
        if count % 1000 == 0:
            progress(count, max(total, count))
        before = len(errors.errors)
        raw_id = values[i_id]
        info = None
        try:
            info = parse_id(raw_id, today=today)
        except DomainError as err:
            errors.domain(number, err, "id_number", raw_id)
        if info is not None:
            first = seen.get(info.number)
            if first is not None:
                add(number, "id_number", f"身份证号与第 {first} 行重复（同一文件中每人只能出现一次）。", raw_id)
            else:
                seen[info.number] = number
            if has_sex or has_birth:
                try:
                    sex = to_sex(values[i_sex]) if has_sex else None
                    birth = to_birth(values[i_birth]) if has_birth else None
                    rules.check_consistent(info, birth_date=birth, sex=sex)
                except DomainError as err:
                    key = "birth_date" if err.field == "birth_date" else "sex"
                    add(number, key, err.message, values[i_birth if key == "birth_date" else i_sex])
        name = cell_text(values[i_name])
        if not name:
            add(number, "name", "姓名不能为空。")
        elif len(name) > 50:
            add(number, "name", "姓名超过 50 个字。", name)
        school_ids = None
        try:
            school_ids = to_school(values[i_school])
        except DomainError as err:
            add(number, "school", err.message, values[i_school])
        major = cell_text(values[i_major])
        if not major:
            add(number, "major", "专业不能为空。")
        elif len(major) > 60:
            add(number, "major", "专业超过 60 个字。", major)
        student_number = cell_text(values[i_number]) or None
        if student_number and len(student_number) > 30:
            add(number, "student_number", "学号超过 30 个字符。", student_number)
        stage = entry = grad = outstanding = status = None
        try:
            stage = to_stage(values[i_stage])
            if stage is None:
                add(number, "stage", "学段不能为空（中职/专科/本科）。")
        except DomainError as err:
            add(number, "stage", err.message, values[i_stage])
        try:
            entry = to_entry(values[i_entry])
            if entry is None:
                add(number, "entry_year", "入学年份不能为空。")
        except DomainError as err:
            add(number, "entry_year", err.message, values[i_entry])
        try:
            grad = to_grad(values[i_grad])
            if grad is None:
                add(number, "graduation_year", "预计毕业年份不能为空。")
        except DomainError as err:
            add(number, "graduation_year", err.message, values[i_grad])
        if stage and entry is not None and grad is not None:
            try:
                years((stage, entry, grad))
            except DomainError as err:
                key = "entry_year" if err.field == "entry_year" else "graduation_year"
                add(number, key, err.message, values[i_entry if key == "entry_year" else i_grad])
        try:
            outstanding = to_best(values[i_best])
        except DomainError as err:
            add(number, "outstanding", err.message, values[i_best])
        try:
            status = to_status(values[i_status])
        except DomainError as err:
            add(number, "status", err.message, values[i_status])
        phone = cell_text(values[i_phone]) or None
        if phone and not _PHONE.match(phone):
            add(number, "phone", "手机号格式不对（应为数字，最长 20 位）。", phone)
        if len(errors.errors) == before and info is not None and school_ids is not None:
            append(
                Row(
                    number,
                    info.number,
                    name,
                    info.sex,
                    info.birth_date,
                    phone,
                    school_ids[0],
                    school_ids[1],
                    student_number,
                    major,
                    stage,  # type: ignore[arg-type]
                    entry,  # type: ignore[arg-type]
                    grad,  # type: ignore[arg-type]
                    outstanding,
                    status,
                )
            )
    if count == 0:
        raise ImportRejected("文件中没有数据行（只有表头或为空）。", code="empty_file")
    progress(count, count)
    return rows, errors, count


def _sex(value: Any) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        return _SEX[text.upper() if len(text) == 1 and text.isascii() else text]
    except KeyError:
        raise DomainError("sex_choice", f"性别应填“男”或“女”，而不是“{text}”。", field="sex") from None


_P_FIELDS = ("name", "sex", "birth_date", "phone", "school_id", "county_id")
_S_FIELDS = (
    "county_id",
    "student_number",
    "major",
    "entry_year",
    "expected_graduation_year",
    "outstanding",
    "status",
)


class _Plan:
    """Phase 2's verdict: what to write for each row, and the audit of the updates."""

    def __init__(self) -> None:
        self.person_rows: list[tuple[Any, ...]] = []  # final values of new/changed persons
        self.student_rows: list[tuple[Any, ...]] = []  # final values of new/changed students
        self.person_updates: list[tuple[int, str, int, dict[str, Any], dict[str, Any]]] = []
        self.student_updates: list[tuple[int, str, int, dict[str, Any], dict[str, Any]]] = []
        self.created = self.updated = self.unchanged = 0


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_FETCH = (
    "SELECT p.id, p.id_number, p.name, p.sex, p.birth_date, p.phone, p.school_id, p.county_id,"
    " s.id, s.person_id, s.school_id, s.stage, s.county_id, s.student_number, s.major, s.entry_year,"
    " s.expected_graduation_year, s.outstanding, s.status"
    " FROM {person} p LEFT JOIN {student} s ON s.person_id = p.id WHERE p.id_number {match}"
)


def _fetch_existing(
    numbers: list[str],
) -> tuple[dict[str, tuple[Any, ...]], dict[tuple[int, int, str], tuple[Any, ...]]]:
    """Existing persons (by ID number) and their student records (by person, school, stage), one query."""
    postgres = connection.vendor == "postgresql"
    sql = _FETCH.format(
        person=connection.ops.quote_name(Person._meta.db_table),
        student=connection.ops.quote_name(Student._meta.db_table),
        match="= ANY(%s)" if postgres else f"IN ({', '.join(['%s'] * len(numbers))})",
    )
    persons: dict[str, tuple[Any, ...]] = {}
    students: dict[tuple[int, int, str], tuple[Any, ...]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [numbers] if postgres else numbers)
        for record in cursor.fetchall():
            person = record[:8]
            if isinstance(person[4], str):  # a raw SQLite cursor may return dates as text
                person = (*person[:4], dt.date.fromisoformat(person[4]), *person[5:])
            persons[person[1]] = person
            if record[8] is not None:
                student = (*record[8:17], bool(record[17]), record[18])  # SQLite booleans are 0/1
                students[(student[1], student[2], student[3])] = student
    return persons, students


def _plan(actor: Any, rows: list[Row], errors: RowErrors) -> _Plan:
    """Phase 2: compare with what the database holds (inside the write transaction)."""
    plan = _Plan()
    scope_schools = set(OrgUnit.objects.restrict(actor).filter(kind=OrgKind.SCHOOL).values_list("pk", flat=True))
    city_wide = getattr(actor, "role", "") == Role.CITY_ADMIN
    for chunk in _chunks(rows):
        persons, students = _fetch_existing([r.id_number for r in chunk])
        for r in chunk:
            old = persons.get(r.id_number)
            if old is None:
                plan.person_rows.append(
                    (r.id_number, r.name, r.sex, r.birth_date, r.phone or "", r.school_id, r.county_id)
                )
                plan.student_rows.append(_student_values(r, None))
                plan.created += 1
                continue
            pk, _, name, sex, birth, phone, school_id, county_id = old
            if not city_wide and school_id is not None and school_id not in scope_schools and name != r.name:
                errors.add(
                    r.row,
                    "name",
                    "该身份证号已登记为其他院校的人员，姓名与登记的不一致（请核对姓名和身份证号）。",
                    r.name,
                )
                continue
            before = {
                "name": name,
                "sex": sex,
                "birth_date": birth,
                "phone": phone,
                "school_id": school_id,
                "county_id": county_id,
            }
            after = {
                "name": r.name,
                "sex": r.sex,
                "birth_date": r.birth_date,
                "phone": phone if r.phone is None else r.phone,
                "school_id": r.school_id,
                "county_id": r.county_id,
            }
            changed = [k for k in _P_FIELDS if before[k] != after[k]]
            row_changed = False
            if changed:
                row_changed = True
                plan.person_rows.append(
                    (
                        r.id_number,
                        after["name"],
                        after["sex"],
                        after["birth_date"],
                        after["phone"],
                        r.school_id,
                        r.county_id,
                    )
                )
                plan.person_updates.append(
                    (
                        pk,
                        r.name,
                        r.school_id,
                        {k: _json(before[k]) for k in changed},
                        {k: _json(after[k]) for k in changed},
                    )
                )
            old_student = students.get((pk, r.school_id, r.stage))
            if old_student is None:
                plan.student_rows.append(_student_values(r, None))
                plan.created += 1
                continue
            s_before = dict(zip(("pk", "person_id", "school_id", "stage", *_S_FIELDS), old_student, strict=True))
            values = _student_values(r, s_before)
            s_after = dict(zip(_S_FIELDS, values[4:], strict=True))
            s_changed = [k for k in _S_FIELDS if s_before[k] != s_after[k]]
            if s_changed:
                row_changed = True
                plan.student_rows.append(values)
                plan.student_updates.append(
                    (
                        s_before["pk"],
                        f"{r.name} · {r.major} {r.entry_year}级",
                        r.school_id,
                        {k: _json(s_before[k]) for k in s_changed},
                        {k: _json(s_after[k]) for k in s_changed},
                    )
                )
            if row_changed:
                plan.updated += 1
            else:
                plan.unchanged += 1
    return plan


def _student_values(r: Row, old: dict[str, Any] | None) -> tuple[Any, ...]:
    """(id_number, school_id, stage, —, county_id, student_number, major, entry, grad, outstanding, status)."""

    def keep(value: Any, key: str, default: Any) -> Any:
        if value is not None:
            return value
        return old[key] if old is not None else default

    return (
        r.id_number,
        r.school_id,
        r.stage,
        None,
        r.county_id,
        keep(r.student_number, "student_number", ""),
        r.major,
        r.entry_year,
        r.graduation_year,
        keep(r.outstanding, "outstanding", False),
        keep(r.status, "status", StudentStatus.ENROLLED.value),
    )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


_STAGE_PERSON = ("id_number", "name", "sex", "birth_date", "phone", "school_id", "county_id")
_STAGE_STUDENT = (
    "id_number",
    "school_id",
    "stage",
    "county_id",
    "student_number",
    "major",
    "entry_year",
    "expected_graduation_year",
    "outstanding",
    "status",
)
_DDL_PERSON = (
    "CREATE TEMP TABLE import_person (id_number varchar(18), name varchar(50), sex varchar(1),"
    " birth_date date, phone varchar(20), school_id bigint, county_id bigint)"
)
_DDL_STUDENT = (
    "CREATE TEMP TABLE import_student (id_number varchar(18), school_id bigint, stage varchar(20),"
    " county_id bigint, student_number varchar(30), major varchar(60), entry_year smallint,"
    " expected_graduation_year smallint, outstanding boolean, status varchar(10))"
)


def _stage(cursor: Any, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """Load rows into a temp table: COPY on PostgreSQL, one prepared executemany on SQLite."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["?"] * len(columns))
    cursor.cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _write(plan: _Plan) -> None:
    """Phase 3: stage the changed rows in temp tables, then upsert persons and students set-wise.

    The fastest path each database offers: PostgreSQL COPY, SQLite a single prepared
    `executemany`; both then apply `INSERT ... SELECT ... ON CONFLICT DO UPDATE`.
    """
    person_table = connection.ops.quote_name(Person._meta.db_table)
    student_table = connection.ops.quote_name(Student._meta.db_table)
    postgres = connection.vendor == "postgresql"
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def day(value: dt.date) -> Any:
        return value if postgres else value.isoformat()

    with connection.cursor() as cursor:
        # Dropped explicitly (not ON COMMIT DROP): the import may run inside an outer transaction.
        temp = "pg_temp" if postgres else "temp"  # never a permanent table of the same name
        cursor.execute(f"DROP TABLE IF EXISTS {temp}.import_person")
        cursor.execute(f"DROP TABLE IF EXISTS {temp}.import_student")
        cursor.execute(_DDL_PERSON)
        cursor.execute(_DDL_STUDENT)
        if plan.person_rows:
            _stage(
                cursor,
                "import_person",
                _STAGE_PERSON,
                ((p[0], p[1], p[2], day(p[3]), *p[4:]) for p in plan.person_rows),
            )
            # "WHERE true" lets SQLite parse ON CONFLICT after a SELECT.
            cursor.execute(
                f"INSERT INTO {person_table} (id_number, name, sex, birth_date, phone, photo, school_id, county_id,"
                " created_at, updated_at)"
                " SELECT id_number, name, sex, birth_date, phone, '', school_id, county_id, %s, %s"
                " FROM import_person WHERE true"
                " ON CONFLICT (id_number) DO UPDATE SET name = excluded.name, sex = excluded.sex,"
                " birth_date = excluded.birth_date, phone = excluded.phone, school_id = excluded.school_id,"
                " county_id = excluded.county_id, updated_at = excluded.updated_at",
                [now, now],
            )
        if plan.student_rows:
            _stage(cursor, "import_student", _STAGE_STUDENT, ((*s[:3], *s[4:]) for s in plan.student_rows))
            cursor.execute(
                f"INSERT INTO {student_table} (person_id, school_id, stage, county_id, student_number, major,"
                " entry_year, expected_graduation_year, outstanding, status, updated_at)"
                " SELECT p.id, t.school_id, t.stage, t.county_id, t.student_number, t.major, t.entry_year,"
                " t.expected_graduation_year, t.outstanding, t.status, %s FROM import_student t"
                f" JOIN {person_table} p ON p.id_number = t.id_number WHERE true"
                " ON CONFLICT (person_id, school_id, stage) DO UPDATE SET county_id = excluded.county_id,"
                " student_number = excluded.student_number, major = excluded.major,"
                " entry_year = excluded.entry_year, expected_graduation_year = excluded.expected_graduation_year,"
                " outstanding = excluded.outstanding, status = excluded.status, updated_at = excluded.updated_at",
                [now],
            )
        cursor.execute(f"DROP TABLE {temp}.import_person")
        cursor.execute(f"DROP TABLE {temp}.import_student")


class _RollBack(Exception):
    """Raised inside the write transaction to undo it when phase 2 finds row errors."""


def _run(
    *,
    actor: Any,
    path: Path,
    job: ImportJob | None,
    progress: Progress,
    school: OrgUnit | str | None = None,
) -> ImportResult:
    rows, errors, total = _validate(actor, path, school, progress)
    result = ImportResult(total=total, job=job)
    if errors:
        result.errors = errors.errors
        return result
    try:
        with transaction.atomic():
            plan = _plan(actor, rows, errors)
            if errors:
                raise _RollBack
            del rows
            _write(plan)
            audit_updates(
                actor,
                (
                    *(("people.Person", pk, text, unit, b, a) for pk, text, unit, b, a in plan.person_updates),
                    *(("people.Student", pk, text, unit, b, a) for pk, text, unit, b, a in plan.student_updates),
                ),
            )
            result.created, result.updated, result.unchanged = plan.created, plan.updated, plan.unchanged
            if result.created or result.updated:
                audit_import(actor, job, result, "导入学生名册")
    except _RollBack:
        result.errors = errors.errors
    return result


register(
    ImportKind(
        key=KIND,
        label="学生名册",
        perm=Perm.IMPORT_PEOPLE,
        run=_run,
        template=template_columns,
    )
)

from . import photos  # noqa: E402, F401  (registers the photo ZIP import kind)

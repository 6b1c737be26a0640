"""Exam imports: the registration roster (school admins) and the score sheet (assigned examiners).

Registration roster: one row registers one candidate for one session.

Columns: the session number (场次编号, shown on the session page) and the candidate's ID number (the
person must be in the registry). Every row is checked first — session in scope and open, person known,
R4 eligibility, not already registered, not twice in the file — and any bad row means nothing is written.

Score sheet (`exam_scores`): downloaded per session prefilled with its candidates (场次编号, 准考证号, 姓名,
masked 身份证号); an examiner assigned to the session fills 理论成绩/技能成绩 and uploads it. Every row is
checked — session in reach, the uploader assigned to it as an examiner, the session in scoring, the
candidate registered there, name and ID number as registered, no candidate twice, scores 0–100 with at
most one decimal — and the rows become that examiner's entries of the double entry, all or nothing.
Rows with both score cells empty are left alone (a candidate not scored yet).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.db import transaction

from chizheng.core.errors import DomainError, ImportRejected
from chizheng.core.excel import TemplateColumn
from chizheng.core.imports import (
    Column,
    ImportKind,
    ImportResult,
    Progress,
    RowErrors,
    audit_import,
    cell_int,
    cell_text,
    open_sheet,
    register,
    run_import,
    validated,
)
from chizheng.core.models import ImportJob
from chizheng.core.permissions import Perm
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import rules, selectors, services
from .choices import SessionStatus
from .models import AssessmentSession, Registration

KIND = "exam_registrations"

COLUMNS: list[Column] = [
    Column("session", "场次编号", required=True, width=10, help="考核场次页面标题旁的编号"),
    Column("id_number", "身份证号", required=True, text=True, width=22, help="须已登记在人员库中"),
]


def import_registrations(
    *, actor: Any, path: Path, progress: Progress | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Import a registration roster. Row errors are returned (nothing written); a bad file raises ImportRejected."""
    return run_import(kind=KIND, actor=actor, path=Path(path), job=job, progress=progress)


def template_columns(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in COLUMNS]


def _run(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, COLUMNS)
    errors = RowErrors(COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in COLUMNS}
    sessions: dict[int, AssessmentSession | None] = {}
    scope_levels: dict[int, int | None] = {}
    seen: dict[tuple[int, int], int] = {}
    rows: list[tuple[AssessmentSession, Person, str]] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        session = person = None
        try:
            session_id = cell_int(get["session"](values), field="session", label="场次编号")
        except DomainError as err:
            errors.domain(number, err, "session", get["session"](values))
            session_id = None
        if session_id is not None:
            if session_id not in sessions:
                sessions[session_id] = (
                    AssessmentSession.objects.restrict(actor)
                    .select_related("institution", "occupation")
                    .filter(pk=session_id)
                    .first()
                )
            session = sessions[session_id]
            if session is None:
                errors.add(number, "session", f"您的管理范围内没有编号为 {session_id} 的考核场次。", session_id)
            else:
                try:
                    rules.check_registration_open(session.status)
                except DomainError as err:
                    errors.add(number, "session", err.message, session_id)
                    session = None
        try:
            id_number = normalize_id_number(get["id_number"](values))
            person = Person.objects.filter(id_number=id_number).first()
            if person is None:
                errors.add(number, "id_number", f"人员库中没有身份证号 {id_number} 的人员。", id_number)
        except DomainError as err:
            errors.add(number, "id_number", err.message, get["id_number"](values))
        if session is None or person is None:
            continue
        if session.pk not in scope_levels:
            scope_levels[session.pk] = services._scope_highest(session.institution, session.occupation, session.held_on)
        facts = services.candidate_facts(person, session.held_on.year)
        try:
            rules.check_eligible(
                facts, level=session.level, session_year=session.held_on.year, scope_highest=scope_levels[session.pk]
            )
            rules.check_not_registered(
                name=person.name, already=Registration.objects.filter(session=session, person=person).exists()
            )
        except DomainError as err:
            errors.add(number, "id_number", err.message, person.id_number)
            continue
        key = (session.pk, person.pk)
        if key in seen:
            errors.add(number, "id_number", f"与第 {seen[key]} 行重复（同一场次、同一人）。", person.id_number)
            continue
        seen[key] = number
        rows.append((session, person, facts.stage or "social"))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write(actor, job, rows, result)
    return result


@transaction.atomic
def _write(
    actor: Any, job: ImportJob | None, rows: list[tuple[AssessmentSession, Person, str]], result: ImportResult
) -> None:
    ids = sorted({session.pk for session, _, _ in rows})
    locked = {s.pk: s for s in AssessmentSession.objects.select_for_update().filter(pk__in=ids)}
    for session in locked.values():
        rules.check_registration_open(session.status)
    created = Registration.objects.bulk_create(
        Registration(
            session=session,
            person=person,
            school_id=session.school_id,
            county_id=session.county_id,
            candidate_kind=kind,
        )
        for session, person, kind in rows
    )
    AssessmentSession.objects.filter(pk__in=ids, status=SessionStatus.STAFFED).update(status=SessionStatus.PLANNED)
    result.created = len(created)
    audit_import(actor, job, result, "导入考核报名")


register(
    ImportKind(
        key=KIND,
        label="考试考核报名名册",
        perm=Perm.PLAN_ASSESSMENT,
        run=_run,
        template=template_columns,
    )
)


# --- score entry by Excel (exam_scores) -----------------------------------------------------------

SCORES_KIND = "exam_scores"

SCORE_COLUMNS: list[Column] = [
    Column("session", "场次编号", required=True, width=10, help="考核场次页面上的编号（模板已填好）"),
    Column("ticket", "准考证号", required=True, text=True, width=14, help="模板已填好，请勿修改"),
    Column("name", "姓名", width=10, help="用于核对，须与报名一致"),
    Column("id_number", "身份证号", text=True, width=22, help="用于核对（模板中为脱敏号码）"),
    Column("theory", "理论成绩", required=True, width=10, help="0–100，最多一位小数"),
    Column("skill", "技能成绩", required=True, width=10, help="0–100，最多一位小数"),
]


def import_scores(
    *, actor: Any, path: Path, progress: Progress | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Import one examiner's scores. Row errors are returned (nothing written); a bad file raises ImportRejected."""
    return run_import(kind=SCORES_KIND, actor=actor, path=Path(path), job=job, progress=progress)


def score_template_columns(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in SCORE_COLUMNS]


def write_score_template(target: IO[bytes], session: AssessmentSession) -> int:
    """The score sheet of one session, prefilled with its registered candidates (ticket, name, masked ID
    number); the examiner fills in the two score columns. Returns the number of candidates."""
    registrations = list(session.registrations.select_related("person").order_by("id"))
    book = xlsxwriter.Workbook(target)
    sheet = book.add_worksheet("成绩录入")
    required = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    score = book.add_format({"num_format": "0.0", "bg_color": "#FFFBEA", "border": 1})
    for col, column in enumerate(SCORE_COLUMNS):
        sheet.write_string(0, col, column.header, required if column.required else optional)
        sheet.set_column(col, col, column.width, text if column.text else None)
        note = ("必填。" if column.required else "选填。") + column.help
        sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
    for row, r in enumerate(registrations, start=1):
        sheet.write_number(row, 0, session.pk)
        sheet.write_string(row, 1, r.ticket, text)
        sheet.write_string(row, 2, r.person.name)
        sheet.write_string(row, 3, r.person.masked_id_number, text)
        sheet.write_blank(row, 4, None, score)
        sheet.write_blank(row, 5, None, score)
    if registrations:
        for col in (4, 5):
            sheet.data_validation(
                1,
                col,
                len(registrations),
                col,
                {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": 0,
                    "maximum": 100,
                    "error_title": SCORE_COLUMNS[col].header,
                    "error_message": "成绩应为 0–100 的数字，最多一位小数。",
                },
            )
    sheet.freeze_panes(1, 0)
    book.close()
    return len(registrations)


def _id_matches(given: str, person: Person) -> bool:
    """The 身份证号 cell matches the candidate: the full number, or the masked one of the template."""
    text = given.strip().upper()
    return text in (person.id_number.upper(), person.masked_id_number.upper())


def _run_scores(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, SCORE_COLUMNS)
    errors = RowErrors(SCORE_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in SCORE_COLUMNS}
    sessions: dict[int, AssessmentSession | None] = {}
    session_error: dict[int, str] = {}
    tickets: dict[int, dict[str, Registration]] = {}
    seen: dict[int, int] = {}
    rows: list[tuple[AssessmentSession, Registration, Decimal, Decimal]] = []
    count = skipped = 0
    for number, values in sheet.rows():
        count += 1
        raw_theory, raw_skill = get["theory"](values), get["skill"](values)
        try:
            session_id = cell_int(get["session"](values), field="session", label="场次编号")
        except DomainError as err:
            errors.domain(number, err, "session", get["session"](values))
            continue
        if session_id is None:
            errors.add(number, "session", "未填写场次编号。")
            continue
        if session_id not in sessions:
            session = selectors.sessions_for(actor).filter(pk=session_id).first()
            sessions[session_id] = session
            if session is None:
                session_error[session_id] = f"没有编号为 {session_id} 的考核场次，或不在您的范围内。"
            else:
                try:
                    services._assigned_examiner(actor, session)
                    rules.check_scoring_open(session.status)
                except DomainError as err:
                    session_error[session_id] = err.message
                tickets[session_id] = {
                    r.ticket: r for r in session.registrations.select_related("person", "score").order_by("id")
                }
        session = sessions[session_id]
        if session is None or session_id in session_error:
            errors.add(number, "session", session_error[session_id], session_id)
            continue
        ticket = cell_text(get["ticket"](values))
        registration = tickets[session_id].get(ticket)
        if registration is None:
            errors.add(number, "ticket", f"本场次（{session_id}）没有准考证号为“{ticket}”的报名考生。", ticket)
            continue
        person = registration.person
        name = cell_text(get["name"](values))
        if name and name != person.name:
            errors.add(number, "name", f"准考证号 {ticket} 的考生是“{person.name}”，与填写的姓名不符。", name)
            continue
        id_text = cell_text(get["id_number"](values))
        if id_text and not _id_matches(id_text, person):
            errors.add(number, "id_number", f"准考证号 {ticket} 的考生身份证号不是“{id_text}”。", id_text)
            continue
        if registration.pk in seen:
            errors.add(number, "ticket", f"与第 {seen[registration.pk]} 行重复（同一考生）。", ticket)
            continue
        seen[registration.pk] = number
        if cell_text(raw_theory) == "" and cell_text(raw_skill) == "":
            skipped += 1  # a candidate the examiner has not scored yet: left as it is
            continue
        score = getattr(registration, "score", None)
        if score is not None and score.confirmed:
            errors.add(number, "ticket", f"{person.name} 的成绩已确认，只能通过更正修改。", ticket)
            continue
        marks: list[Decimal] = []
        for key, label in (("theory", "理论成绩"), ("skill", "技能成绩")):
            raw = get[key](values)
            try:
                marks.append(rules.parse_score(raw, column=label))
            except DomainError as err:
                errors.add(number, key, err.message.removeprefix(f"{label}："), raw)
        if len(marks) == 2:
            rows.append((session, registration, marks[0], marks[1]))
    result = validated(count, job, errors, progress)
    if not result.ok:
        return result
    if not rows:
        raise ImportRejected("文件中没有填写任何成绩。", code="no_scores")
    result.unchanged = skipped
    _write_scores(actor, job, rows, result)
    return result


@transaction.atomic
def _write_scores(
    actor: Any,
    job: ImportJob | None,
    rows: list[tuple[AssessmentSession, Registration, Decimal, Decimal]],
    result: ImportResult,
) -> None:
    """Write the examiner's entries through the same double-entry code as the score page."""
    locked = {}
    for session_id in sorted({session.pk for session, _, _, _ in rows}):
        locked[session_id] = services._lock_for_scoring(actor, session_id)
    for session, registration, theory, skill in rows:
        entered = services._enter(actor, locked[session.pk], registration, theory, skill)
        if entered.change == "created":
            result.created += 1
        elif entered.change == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    for session in locked.values():
        services._sync_scored(actor, session)
    audit_import(actor, job, result, "导入考试成绩")


register(
    ImportKind(
        key=SCORES_KIND,
        label="考试成绩（考评员双人录入）",
        perm=Perm.ENTER_SCORES,
        run=_run_scores,
        template=score_template_columns,
    )
)

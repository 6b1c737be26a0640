"""Exam registration roster import (school admins): one row registers one candidate for one session.

Columns: the session number (场次编号, shown on the session page) and the candidate's ID number (the
person must be in the registry). Every row is checked first — session in scope and open, person known,
R4 eligibility, not already registered, not twice in the file — and any bad row means nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    open_sheet,
    register,
    run_import,
)
from chizheng.core.models import ImportJob
from chizheng.core.permissions import Perm
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import rules, services
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
    if count == 0:
        raise ImportRejected("文件中没有数据行（只有表头或为空）。", code="empty_file")
    progress(count, count)
    result = ImportResult(total=count, job=job)
    if errors:
        result.errors = errors.errors
        return result
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

"""R7 imports (registered with chizheng.core.imports; every row checked first, all or nothing).

- `competition_entries` (schools): one row enters one student or teacher of the school in one competition
  (竞赛编号, 身份证号, 姓名 to check, 参赛身份 or inferred from the audience and the person's records).
- `competition_results` (schools): one row records the rank and/or score of one *registered* entry. The
  competition's basis (rank or score) must be given; ranks are unique within the competition (against the
  other rows of the file and the results already recorded); scores 0–100 with one decimal at most; a person
  twice in the file, a result for someone not entered, or a result already certified are row errors.
  A prefilled sheet per competition comes from `write_results_template`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import xlsxwriter
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
    cell_choice,
    cell_int,
    cell_text,
    choice_map,
    open_sheet,
    register,
    validated,
)
from chizheng.core.models import ImportJob
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import rules
from .choices import Participant
from .competition_services import RUN_PERM, certified_entries, participant_for, roles_at
from .models import Competition, CompetitionEntry

ENTRIES_KIND = "competition_entries"
RESULTS_KIND = "competition_results"

ENTRY_COLUMNS: list[Column] = [
    Column("competition", "竞赛编号", required=True, width=10, help="竞赛页面标题旁的编号"),
    Column("id_number", "身份证号", required=True, text=True, width=22, help="本校学生或本校教师，须已登记在人员库中"),
    Column("name", "姓名", width=10, help="核对用，可不填"),
    Column(
        "participant",
        "参赛身份",
        choices=[str(label) for label in Participant.labels],
        width=10,
        help="可不填：按参赛对象和人员库中的学籍、教师记录判断",
    ),
]

RESULT_COLUMNS: list[Column] = [
    Column("competition", "竞赛编号", required=True, width=10, help="竞赛页面标题旁的编号（模板已填好）"),
    Column("id_number", "身份证号", required=True, text=True, width=22, help="须已报名本竞赛"),
    Column("name", "姓名", width=10, help="核对用，须与人员库一致"),
    Column("rank", "名次", width=8, help="从 1 开始的整数；按名次认定的竞赛必填，同一竞赛名次不能重复"),
    Column("score", "成绩", width=8, help="0–100，最多一位小数；按成绩认定的竞赛必填"),
]


def _competition(
    actor: Any, cache: dict[int, Competition | None], errors: RowErrors, number: int, raw: Any
) -> Competition | None:
    try:
        pk = cell_int(raw, field="competition", label="竞赛编号")
    except DomainError as err:
        errors.domain(number, err, "competition", raw)
        return None
    if pk is None:
        errors.add(number, "competition", "请填写竞赛编号。")
        return None
    if pk not in cache:
        cache[pk] = Competition.objects.restrict(actor).filter(pk=pk).first()
    if cache[pk] is None:
        errors.add(number, "competition", f"您的管理范围内没有编号为 {pk} 的竞赛。", pk)
    return cache[pk]


def _person(
    actor: Any, errors: RowErrors, number: int, raw_id: Any, raw_name: Any, *, in_scope: bool = True
) -> Person | None:
    try:
        id_number = normalize_id_number(raw_id)
    except DomainError as err:
        errors.add(number, "id_number", err.message, raw_id)
        return None
    people = Person.objects.restrict(actor) if in_scope else Person.objects.all()
    person = people.filter(id_number=id_number).first()
    if person is None:
        errors.add(
            number, "id_number", f"人员库中（本单位范围内）没有身份证号 {id_number} 的人员，请先登记。", id_number
        )
        return None
    name = cell_text(raw_name)
    if name and name != person.name:
        errors.add(number, "name", f"姓名“{name}”与人员库中该身份证号的姓名“{person.name}”不一致。", name)
        return None
    return person


# ------------------------------------------------------------------------------------------ entries


def _entry_template(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in ENTRY_COLUMNS]


def _run_entries(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, ENTRY_COLUMNS)
    errors = RowErrors(ENTRY_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in ENTRY_COLUMNS}
    participants = choice_map(Participant.choices)
    competitions: dict[int, Competition | None] = {}
    seen: dict[tuple[int, int], int] = {}
    rows: list[tuple[Competition, Person, str]] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        competition = _competition(actor, competitions, errors, number, get["competition"](values))
        person = _person(actor, errors, number, get["id_number"](values), get["name"](values))
        participant = None
        try:
            participant = cell_choice(get["participant"](values), participants, field="participant", label="参赛身份")
        except DomainError as err:
            errors.domain(number, err, "participant", get["participant"](values))
            continue
        if competition is None or person is None:
            continue
        students, teachers = roles_at(competition.school_id, [person.pk])
        try:
            kind = participant_for(
                competition,
                person,
                is_student=person.pk in students,
                is_teacher=person.pk in teachers,
                participant=participant,
            )
        except DomainError as err:
            errors.add(number, "id_number", f"R7：{err.message}", person.id_number)
            continue
        key = (competition.pk, person.pk)
        if key in seen:
            errors.add(number, "id_number", f"与第 {seen[key]} 行重复（同一竞赛、同一人）。", person.id_number)
            continue
        seen[key] = number
        if CompetitionEntry.objects.filter(competition=competition, person=person).exists():
            errors.add(number, "id_number", f"{person.name}已报名“{competition.name}”。", person.id_number)
            continue
        rows.append((competition, person, kind))
    result = validated(count, job, errors, progress)
    if result.ok:
        _write_entries(actor, job, rows, result)
    return result


@transaction.atomic
def _write_entries(
    actor: Any, job: ImportJob | None, rows: list[tuple[Competition, Person, str]], result: ImportResult
) -> None:
    created = CompetitionEntry.objects.bulk_create(
        CompetitionEntry(
            competition=competition,
            person=person,
            school_id=competition.school_id,
            county_id=competition.county_id,
            participant=kind,
        )
        for competition, person, kind in rows
    )
    result.created = len(created)
    audit_import(actor, job, result, "导入竞赛报名")


# ------------------------------------------------------------------------------------------ results


def _result_template(actor: Any) -> list[TemplateColumn]:
    return [column.template() for column in RESULT_COLUMNS]


def cell_score(value: Any) -> Decimal | None:
    """A score cell: 0–100, at most one decimal (Excel floats such as 89.9 read as written)."""
    text = cell_text(value)
    if not text:
        return None
    try:
        score = Decimal(repr(value) if isinstance(value, float) else text)
    except InvalidOperation:
        raise DomainError("bad_score", f"成绩“{text}”不是数字。", field="score") from None
    if not score.is_finite():
        raise DomainError("bad_score", f"成绩“{text}”不是数字。", field="score")
    rules.check_result(None, score, basis="")
    return score


def _run_results(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    sheet = open_sheet(path, RESULT_COLUMNS)
    errors = RowErrors(RESULT_COLUMNS)
    get = {c.key: sheet.getter(c.key) for c in RESULT_COLUMNS}
    competitions: dict[int, Competition | None] = {}
    seen: dict[tuple[int, int], int] = {}
    ranks: dict[tuple[int, int], int] = {}  # (competition, rank) → row of the file
    rows: list[tuple[CompetitionEntry, int | None, Decimal | None, int]] = []
    count = 0
    for number, values in sheet.rows():
        count += 1
        competition = _competition(actor, competitions, errors, number, get["competition"](values))
        person = _person(actor, errors, number, get["id_number"](values), get["name"](values))
        rank = score = None
        ok = True
        try:
            rank = cell_int(get["rank"](values), field="rank", label="名次")
            rules.check_result(rank, None, basis="")
        except DomainError as err:
            errors.domain(number, err, "rank", get["rank"](values))
            ok = False
        try:
            score = cell_score(get["score"](values))
        except DomainError as err:
            errors.domain(number, err, "score", get["score"](values))
            ok = False
        if competition is None or person is None or not ok:
            continue
        try:
            rules.check_result(rank, score, basis=competition.basis)
        except DomainError as err:
            errors.domain(number, err, "rank", "")
            continue
        entry = CompetitionEntry.objects.filter(competition=competition, person=person).first()
        if entry is None:
            errors.add(
                number,
                "id_number",
                f"{person.name}未报名“{competition.name}”，不能录入成绩（请先登记参赛人员）。",
                person.id_number,
            )
            continue
        key = (competition.pk, person.pk)
        if key in seen:
            errors.add(
                number, "id_number", f"与第 {seen[key]} 行重复（同一竞赛、同一人只能有一个成绩）。", person.id_number
            )
            continue
        seen[key] = number
        if rank is not None:
            if (competition.pk, rank) in ranks:
                errors.add(
                    number,
                    "rank",
                    f"名次 {rank} 与第 {ranks[(competition.pk, rank)]} 行重复（同一竞赛名次不能重复）。",
                    rank,
                )
                continue
            ranks[(competition.pk, rank)] = number
        rows.append((entry, rank, score, number))
    if count == 0:
        raise ImportRejected("文件中没有数据行（只有表头或为空）。", code="empty_file")
    # Against the results already recorded: a rank held by an entry the file does not change is taken, and a
    # result a confirmed batch certified is evidence and stays.
    in_file = {entry.pk for entry, _, _, _ in rows}
    certified = certified_entries(sorted(in_file))
    holders: dict[tuple[int, int | None], str] = {}
    for competition_id in {entry.competition_id for entry, _, _, _ in rows}:
        for pk, rank, name in CompetitionEntry.objects.filter(
            competition_id=competition_id, rank__isnull=False
        ).values_list("pk", "rank", "person__name"):
            if pk not in in_file:
                holders[(competition_id, rank)] = name
    for entry, rank, _, number in rows:
        if entry.pk in certified:
            errors.add(number, "id_number", "该成绩已用于发证（认定批次已确认），不能再修改。", entry.person.id_number)
        elif rank is not None and (entry.competition_id, rank) in holders:
            errors.add(
                number,
                "rank",
                f"第 {rank} 名已是{holders[(entry.competition_id, rank)]}（已录入），同一竞赛名次不能重复。",
                rank,
            )
    progress(count, count)
    result = ImportResult(total=count, job=job)
    if errors:
        result.errors = sorted(errors.errors, key=lambda e: (e.row, e.column))
        return result
    _write_results(actor, job, [(e, r, s) for e, r, s, _ in rows], result)
    return result


@transaction.atomic
def _write_results(
    actor: Any,
    job: ImportJob | None,
    rows: list[tuple[CompetitionEntry, int | None, Decimal | None]],
    result: ImportResult,
) -> None:
    now = timezone.now()
    changed: list[CompetitionEntry] = []
    for entry, rank, score in rows:
        if entry.rank == rank and entry.score == score and entry.result_recorded_at is not None:
            result.unchanged += 1
            continue
        if entry.result_recorded_at is None:
            result.created += 1
        else:
            result.updated += 1
        entry.rank, entry.score, entry.result_recorded_at = rank, score, now
        changed.append(entry)
    # ranks may move between entries of the file: clear them first so no step holds a rank twice
    CompetitionEntry.objects.filter(pk__in=[e.pk for e in changed]).update(rank=None)
    CompetitionEntry.objects.bulk_update(changed, ["rank", "score", "result_recorded_at"], batch_size=1000)
    audit_import(actor, job, result, "导入竞赛成绩")


def write_results_template(target: IO[bytes], competition: Competition) -> int:
    """The result sheet of one competition prefilled with its entries (编号, 身份证号, 姓名, recorded results);
    the school fills in 名次/成绩 and uploads it as `competition_results`. Returns the number of entries."""
    entries = list(competition.entries.select_related("person").order_by("id"))
    book = xlsxwriter.Workbook(target)
    sheet = book.add_worksheet("竞赛成绩")
    required = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, column in enumerate(RESULT_COLUMNS):
        sheet.write_string(0, col, column.header, required if column.required else optional)
        sheet.set_column(col, col, column.width, text if column.text else None)
        sheet.write_comment(0, col, ("必填。" if column.required else "选填。") + column.help, {"x_scale": 2})
    for row, e in enumerate(entries, start=1):
        sheet.write_number(row, 0, competition.pk)
        sheet.write_string(row, 1, e.person.id_number, text)
        sheet.write_string(row, 2, e.person.name)
        if e.rank is not None:
            sheet.write_number(row, 3, e.rank)
        if e.score is not None:
            sheet.write_number(row, 4, float(e.score))
    sheet.freeze_panes(1, 0)
    book.close()
    return len(entries)


register(
    ImportKind(
        key=ENTRIES_KIND, label="竞赛报名（参赛人员）", perm=RUN_PERM, run=_run_entries, template=_entry_template
    )
)
register(ImportKind(key=RESULTS_KIND, label="竞赛成绩", perm=RUN_PERM, run=_run_results, template=_result_template))

"""R7 imports: competition entries and results; every bad row named with its rule, all rows or nothing."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from python_calamine import CalamineWorkbook

from chizheng.core.errors import PermissionDenied
from chizheng.core.imports import run_import
from chizheng.core.models import AuditEvent

from .. import batches
from ..competition_imports import ENTRIES_KIND, RESULTS_KIND, write_results_template
from ..models import CompetitionEntry
from . import factories as f
from . import r07_factories as r7

pytestmark = pytest.mark.django_db

ENTRY_HEADER = "竞赛编号,身份证号,姓名,参赛身份\n"
RESULT_HEADER = "竞赛编号,身份证号,姓名,名次,成绩\n"


def _csv(tmp_path, header: str, body: str):
    path = tmp_path / "导入.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_r07_entries_import_registers_students_and_teachers(world, tmp_path) -> None:
    comp = r7.competition(world, audience="both")
    a, b = f.students(world, 2)
    (t,) = r7.teachers(world, 1)
    body = f"{comp.pk},{a.id_number},{a.name},\n{comp.pk},{b.id_number},,学生\n{comp.pk},{t.id_number},,\n"
    result = run_import(kind=ENTRIES_KIND, actor=world.user("school"), path=_csv(tmp_path, ENTRY_HEADER, body))
    assert not result.errors
    assert result.created == 3
    assert dict(CompetitionEntry.objects.values_list("person__name", "participant")) == {
        a.name: "student",
        b.name: "student",
        t.name: "teacher",
    }
    assert AuditEvent.objects.filter(action="import", object_repr__startswith="导入竞赛报名").count() == 1


def test_r07_entries_import_names_each_bad_row_and_writes_nothing(world, tmp_path) -> None:
    comp = r7.competition(world)  # students only
    a, b = f.students(world, 2)
    (t,) = r7.teachers(world, 1)
    (foreign,) = f.students(world, 1, start=80, school=world.other_school)
    r7.enter(world, comp, b)
    body = (
        f"{comp.pk},{a.id_number},,\n"  # 2 fine
        f"{comp.pk},{t.id_number},,\n"  # 3 a teacher in a students' competition
        f"{comp.pk},{foreign.id_number},,\n"  # 4 another school's person
        f"{comp.pk},{a.id_number},,\n"  # 5 twice in the file
        f"{comp.pk},{b.id_number},,\n"  # 6 already entered
        f"999999,{a.id_number},,\n"  # 7 unknown competition
        f"{comp.pk},{a.id_number},,裁判\n"  # 8 bad participant kind
        f"{comp.pk},{a.id_number},王五,\n"  # 9 wrong name
    )
    result = run_import(kind=ENTRIES_KIND, actor=world.user("school"), path=_csv(tmp_path, ENTRY_HEADER, body))
    by_row = {e.row: e for e in result.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert "R7" in by_row[3].message
    assert "参赛对象" in by_row[3].message
    assert "人员库" in by_row[4].message
    assert "第 2 行重复" in by_row[5].message
    assert "已报名" in by_row[6].message
    assert by_row[7].column == "竞赛编号"
    assert by_row[8].column == "参赛身份"
    assert by_row[9].column == "姓名"
    assert CompetitionEntry.objects.count() == 1


def test_r07_results_import_records_ranks_and_scores(world, tmp_path) -> None:
    comp = r7.competition(world)
    a, b, c = f.students(world, 3)
    for p in (a, b, c):
        r7.enter(world, comp, p)
    body = f"{comp.pk},{a.id_number},{a.name},2,88.5\n{comp.pk},{b.id_number},,1,\n{comp.pk},{c.id_number},,11,\n"
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    assert not result.errors, result.errors
    assert (result.created, result.updated) == (3, 0)
    got = {e.person_id: (e.rank, e.score) for e in CompetitionEntry.objects.all()}
    assert got == {a.pk: (2, D("88.5")), b.pk: (1, None), c.pk: (11, None)}
    assert all(e.result_recorded_at for e in CompetitionEntry.objects.all())
    # a corrected sheet may swap ranks between entries of the file
    body = f"{comp.pk},{a.id_number},,1,88.5\n{comp.pk},{b.id_number},,2,\n{comp.pk},{c.id_number},,11,\n"
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    assert CompetitionEntry.objects.get(person=a).rank == 1


def test_r07_results_import_names_each_bad_row_and_rule_and_writes_nothing(world, tmp_path) -> None:
    comp = r7.competition(world)  # rank basis
    scored = r7.competition(world, name="成绩赛", basis="score")
    a, b, c, d, outsider = f.students(world, 5)
    for p in (a, b, c, d):
        r7.enter(world, comp, p)
    r7.enter(world, scored, a)
    holder = CompetitionEntry.objects.get(competition=comp, person=d)
    holder.rank = 5
    holder.save()
    body = (
        f"{comp.pk},{a.id_number},,1,\n"  # 2 fine
        f"{comp.pk},{b.id_number},,1,\n"  # 3 rank 1 twice in the file
        f"{comp.pk},{outsider.id_number},,2,\n"  # 4 not registered
        f"{comp.pk},{a.id_number},,3,\n"  # 5 a result twice for one person
        f"{comp.pk},{c.id_number},,5,\n"  # 6 rank 5 already recorded for d (not in the file)
        f"{comp.pk},{c.id_number},,,\n"  # 7 rank basis, no rank — also c twice; first error wins
        f"{scored.pk},{a.id_number},,,100.5\n"  # 8 score out of range
        f"{scored.pk},{a.id_number},,,abc\n"  # 9 not a number
        f"{comp.pk},{b.id_number},,0,\n"  # 10 rank 0
        f"{scored.pk},{b.id_number},,1,\n"  # 11 b not entered in the score competition (and no score)
    )
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    by_row: dict[int, list] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(e)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "名次 1 与第 2 行重复" in by_row[3][0].message
    assert "未报名" in by_row[4][0].message
    assert "第 2 行重复" in by_row[5][0].message
    assert by_row[6][0].column == "名次"
    assert d.name in by_row[6][0].message
    assert "按名次认定" in by_row[7][0].message
    assert by_row[8][0].column == "成绩"
    assert "0–100" in by_row[8][0].message
    assert "不是数字" in by_row[9][0].message
    assert by_row[10][0].column == "名次"
    assert "按成绩认定" in by_row[11][0].message
    assert not CompetitionEntry.objects.filter(result_recorded_at__isnull=False).exists()
    assert CompetitionEntry.objects.get(person=d, competition=comp).rank == 5


def test_r07_results_import_refuses_a_result_already_certified(world, tmp_path) -> None:
    inst = f.institution(world)
    comp = r7.competition(world)
    (a,) = f.students(world, 1)
    r7.enter(world, comp, a, rank=1)
    batch = r7.previewed(world, inst, comp)
    batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    body = f"{comp.pk},{a.id_number},,2,\n"
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    assert [e.row for e in result.errors] == [2]
    assert "已用于发证" in result.errors[0].message
    assert CompetitionEntry.objects.get().rank == 1


def test_r07_results_sheet_is_prefilled_and_imports_back(world, tmp_path) -> None:
    comp = r7.competition(world)
    a, b = f.students(world, 2)
    r7.enter(world, comp, a, rank=4)
    r7.enter(world, comp, b)
    buffer = io.BytesIO()
    assert write_results_template(buffer, comp) == 2
    path = tmp_path / "成绩.xlsx"
    path.write_bytes(buffer.getvalue())
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["竞赛编号", "身份证号", "姓名", "名次", "成绩"]
    assert rows[1][1:4] == [a.id_number, a.name, 4.0]
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=path)
    assert [e.message for e in result.errors] == ["本竞赛按名次认定，请填写名次。"]  # b has no rank yet


def test_r07_only_schools_import_entries_and_results(world, tmp_path) -> None:
    for kind, header in ((ENTRIES_KIND, ENTRY_HEADER), (RESULTS_KIND, RESULT_HEADER)):
        with pytest.raises(PermissionDenied):
            run_import(kind=kind, actor=world.user("county"), path=_csv(tmp_path, header, "1,x,,\n"))

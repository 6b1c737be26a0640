"""Student roster import: happy path, idempotency, updates, scope and every kind of bad row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import python_calamine
import xlsxwriter

from chizheng.core.choices import AuditAction, ImportStatus
from chizheng.core.errors import ImportRejected
from chizheng.core.models import AuditEvent, ImportJob
from chizheng.core.testing import make_id_number
from chizheng.people.imports import import_students
from chizheng.people.models import Person, Student

HEADER = [
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "院校代码",
    "学号",
    "专业",
    "学段",
    "入学年份",
    "预计毕业年份",
    "优秀学生",
    "学籍状态",
    "手机号",
]


def idn(seq: int) -> str:
    """A distinct valid ID number per seq (birth dates from 2007-01-01 on)."""
    birth = dt.date(2007, 1, 1) + dt.timedelta(days=seq // 90)
    return make_id_number(birth=birth.strftime("%Y%m%d"), seq=seq % 90)


def row(seq: int, **over: Any) -> list[Any]:
    values = {
        "姓名": f"学生{seq}",
        "身份证号": idn(seq),
        "性别": "",
        "出生日期": "",
        "院校代码": "",
        "学号": f"2024{seq:04d}",
        "专业": "数控技术应用",
        "学段": "中职",
        "入学年份": 2024,
        "预计毕业年份": 2027,
        "优秀学生": "否",
        "学籍状态": "在读",
        "手机号": "",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def xlsx(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("导入")
    for c, h in enumerate(header):
        sheet.write_string(0, c, h)
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values):
            if isinstance(v, int | float):
                sheet.write_number(r, c, v)
            elif v != "":
                sheet.write_string(r, c, str(v))
    book.close()
    return path


def only_error(result: Any) -> Any:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def test_it_imports_a_roster_for_the_school_admin(world, tmp_path):
    path = xlsx(tmp_path / "roster.xlsx", [row(i) for i in range(1, 6)])
    result = import_students(actor=world.user("school"), path=path)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    person = Person.objects.get(id_number=idn(3))
    assert person.school == world.school
    assert person.county == world.county
    assert person.birth_date == dt.date(2007, 1, 1)
    student = Student.objects.get(person=person)
    assert (student.stage, student.entry_year, student.expected_graduation_year) == ("secondary", 2024, 2027)
    assert student.student_number == "20240003"
    job = result.job
    assert job is not None
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.total_rows) == (5, 5)
    assert job.file
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.after is not None
    assert event.after["created"] == 5
    assert event.after["sha256"] == job.sha256
    assert event.after["file"] == "roster.xlsx"


def test_reimporting_the_same_file_changes_nothing(world, tmp_path):
    path = xlsx(tmp_path / "roster.xlsx", [row(i) for i in range(1, 4)])
    import_students(actor=world.user("school"), path=path)
    persons = list(Person.objects.order_by("pk").values())
    students = list(Student.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    again = import_students(actor=world.user("school"), path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(Person.objects.order_by("pk").values()) == persons
    assert list(Student.objects.order_by("pk").values()) == students
    assert AuditEvent.objects.count() == events


def test_an_update_is_audited_per_row_with_only_the_changed_fields(world, tmp_path):
    import_students(actor=world.user("school"), path=xlsx(tmp_path / "a.xlsx", [row(1), row(2)]))
    changed = [row(1, 专业="电子商务", 优秀学生="是"), row(2)]
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "b.xlsx", changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    student = Student.objects.get(person__id_number=idn(1))
    assert student.major == "电子商务"
    assert student.outstanding is True
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="people.Student")
    assert event.object_id == str(student.pk)
    assert event.before == {"major": "数控技术应用", "outstanding": False}
    assert event.after == {"major": "电子商务", "outstanding": True}


def test_a_new_student_record_for_a_known_person_counts_as_created(world, tmp_path):
    import_students(actor=world.user("school"), path=xlsx(tmp_path / "a.xlsx", [row(1)]))
    later = row(1, 学段="专科", 入学年份=2027, 预计毕业年份=2030, 专业="机电一体化")
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "b.xlsx", [later]))
    assert (result.created, result.updated) == (1, 0)
    assert Student.objects.filter(person__id_number=idn(1)).count() == 2


def test_one_bad_row_means_nothing_is_written(world, tmp_path):
    rows = [row(i) for i in range(1, 6)]
    rows[3][1] = idn(4)[:17] + ("0" if idn(4)[17] != "0" else "1")
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "bad.xlsx", rows))
    error = only_error(result)
    assert (error.row, error.column) == (5, "身份证号")
    assert "校验位" in error.message
    assert Person.objects.filter(id_number__in=[idn(i) for i in range(1, 6)]).count() == 0
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.error_count == 1
    book = python_calamine.CalamineWorkbook.from_path(job.error_file.path)
    lines = book.get_sheet_by_index(0).to_python()
    assert lines[0] == ["行号", "列", "错误原因", "填写的值"]
    assert lines[1][:2] == [5, "身份证号"]
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_an_impossible_birth_date_in_the_id_number_is_refused(world, tmp_path):
    bad = make_id_number(birth="20070230", seq=1)
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", [row(1, 身份证号=bad)]))
    error = only_error(result)
    assert (error.row, error.column) == (2, "身份证号")
    assert "20070230" in error.message


def test_a_duplicate_id_number_names_both_rows(world, tmp_path):
    rows = [row(1), row(2), row(3, 身份证号=idn(1))]
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", rows))
    error = only_error(result)
    assert error.row == 4
    assert "第 2 行" in error.message


@pytest.mark.parametrize("value", ["4.10802E+17", 4.10802e17])
def test_id_numbers_excel_turned_into_numbers_are_refused(world, tmp_path, value):
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", [row(1, 身份证号=value)]))
    error = only_error(result)
    assert (error.row, error.column) == (2, "身份证号")
    assert "文本" in error.message
    assert error.value.upper().startswith("4.10802E+17")


def test_sex_and_birth_date_beside_the_id_number_are_cross_checked(world, tmp_path):
    rows = [row(1, 性别="女"), row(2, 出生日期="2007-01-02"), row(3, 性别="男", 出生日期="2007-01-01")]
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "性别"), (3, "出生日期")]


def test_cells_with_wrong_values_name_row_and_column(world, tmp_path):
    rows = [
        row(1, 学段="高中"),
        row(2, 优秀学生="也许"),
        row(3, 入学年份="二〇二四"),
        row(4, 预计毕业年份=2040),
        row(5, 姓名=""),
        row(6, 学籍状态="休学中"),
        row(7, 手机号="call me"),
    ]
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "学段"),
        (3, "优秀学生"),
        (4, "入学年份"),
        (5, "预计毕业年份"),
        (6, "姓名"),
        (7, "学籍状态"),
        (8, "手机号"),
    ]
    assert "中职" in result.errors[0].message
    assert Person.objects.count() == 1  # only the persona's learner


def test_a_school_admin_cannot_import_into_another_school(world, tmp_path):
    rows = [row(1, 院校代码=world.sibling_school.code)]
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", rows))
    error = only_error(result)
    assert error.column == "院校代码"
    assert "本校" in error.message
    with pytest.raises(ImportRejected):
        import_students(actor=world.user("school"), path=xlsx(tmp_path / "s.xlsx", [row(2)]), school=world.other_school)


def test_a_county_admin_must_name_a_school_within_the_county(world, tmp_path):
    rows = [
        row(1),
        row(2, 院校代码=world.other_school.code),
        row(3, 院校代码="S99999999"),
        row(4, 院校代码=f"{world.sibling_school.code} {world.sibling_school.name}"),
    ]
    result = import_students(actor=world.user("county"), path=xlsx(tmp_path / "r.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "院校代码"), (3, "院校代码"), (4, "院校代码")]
    assert "必填" in result.errors[0].message
    assert "不在您的管理范围" in result.errors[1].message
    assert "不存在" in result.errors[2].message
    ok = import_students(
        actor=world.user("county"), path=xlsx(tmp_path / "ok.xlsx", [rows[0], rows[3]]), school=world.school
    )
    assert ok.created == 2
    assert Person.objects.get(id_number=idn(1)).school == world.school
    assert Person.objects.get(id_number=idn(4)).school == world.sibling_school


def test_a_person_registered_elsewhere_under_another_name_is_refused(world, tmp_path):
    import_students(actor=world.user("other_school"), path=xlsx(tmp_path / "a.xlsx", [row(1, 姓名="王芳")]))
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "b.xlsx", [row(1, 姓名="张伟")]))
    error = only_error(result)
    assert (error.row, error.column) == (2, "姓名")
    assert Person.objects.get(id_number=idn(1)).school == world.other_school
    assert not Student.objects.filter(school=world.school, person__id_number=idn(1)).exists()


def test_a_transfer_under_the_same_name_moves_the_person(world, tmp_path):
    import_students(actor=world.user("other_school"), path=xlsx(tmp_path / "a.xlsx", [row(1)]))
    result = import_students(actor=world.user("school"), path=xlsx(tmp_path / "b.xlsx", [row(1)]))
    assert result.created == 1
    person = Person.objects.get(id_number=idn(1))
    assert person.school == world.school
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="people.Person")
    assert event.before == {"school_id": world.other_school.pk, "county_id": world.other_county.pk}


def test_a_header_missing_required_columns_is_refused(world, tmp_path):
    header = [h for h in HEADER if h not in ("专业", "学段")]
    path = xlsx(tmp_path / "r.xlsx", [["x"] * len(header)], header=header)
    with pytest.raises(ImportRejected) as info:
        import_students(actor=world.user("school"), path=path)
    assert "专业" in info.value.message
    assert "学段" in info.value.message
    assert ImportJob.objects.get().status == ImportStatus.FAILED


def test_a_header_only_file_is_empty(world, tmp_path):
    with pytest.raises(ImportRejected) as info:
        import_students(actor=world.user("school"), path=xlsx(tmp_path / "r.xlsx", []))
    assert info.value.code == "empty_file"


def test_formula_cells_are_refused_with_their_reference(world, tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for c, h in enumerate(HEADER):
        sheet.write_string(0, c, h)
    for c, v in enumerate(row(1)):
        sheet.write(1, c, v)
    sheet.write_formula(1, 9, "=I2+3")
    book.close()
    with pytest.raises(ImportRejected) as info:
        import_students(actor=world.user("school"), path=path)
    assert "J2" in info.value.message
    assert Person.objects.count() == 1


def test_a_gbk_csv_from_chinese_excel_is_read(world, tmp_path):
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row(i)) for i in (1, 2)]
    path = tmp_path / "roster.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    result = import_students(actor=world.user("school"), path=path)
    assert result.errors == []
    assert result.created == 2
    assert Person.objects.get(id_number=idn(2)).name == "学生2"


def test_progress_is_reported_and_written_to_the_job(world, tmp_path):
    seen: list[tuple[int, int]] = []
    path = xlsx(tmp_path / "r.xlsx", [row(i) for i in range(1, 31)])
    result = import_students(actor=world.user("school"), path=path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (30, 30)
    assert result.job is not None
    result.job.refresh_from_db()
    assert (result.job.processed_rows, result.job.total_rows) == (30, 30)


def test_a_learner_cannot_import(world, tmp_path):
    from chizheng.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_students(actor=world.user("learner"), path=xlsx(tmp_path / "r.xlsx", [row(1)]))


def test_progress_reaches_the_job_row_while_validating(world, tmp_path, monkeypatch):
    from chizheng.core import imports as framework

    monkeypatch.setattr(framework, "PROGRESS_EVERY", 1)
    seen: list[tuple[int, int]] = []

    def spy(done: int, total: int) -> None:
        job = ImportJob.objects.get()
        seen.append((job.processed_rows, job.total_rows))

    path = xlsx(tmp_path / "r.xlsx", [row(i) for i in range(1, 2002)])
    import_students(actor=world.user("school"), path=path, progress=spy)
    assert (1000, 2001) in seen  # the row was written before the callback's next call


def test_a_failure_while_writing_leaves_nothing_behind(world, tmp_path, monkeypatch):
    from chizheng.people import imports as roster

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster, "audit_import", boom)
    path = xlsx(tmp_path / "r.xlsx", [row(i) for i in range(1, 4)])
    with pytest.raises(RuntimeError):
        import_students(actor=world.user("school"), path=path)
    assert not Person.objects.filter(id_number__in=[idn(i) for i in range(1, 4)]).exists()
    assert not Student.objects.filter(person__id_number=idn(1)).exists()
    assert ImportJob.objects.get().status == ImportStatus.ERROR

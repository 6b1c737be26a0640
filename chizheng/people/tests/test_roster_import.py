"""Student roster import: happy path, idempotency, updates, scope and every kind of bad row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from chizheng.core.choices import AuditAction, ImportStatus
from chizheng.core.models import AuditEvent
from chizheng.core.testing import make_id_number
from chizheng.people.imports import import_students
from chizheng.people.models import Person, Student

pytestmark = pytest.mark.django_db(transaction=False)

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


def row(seq: int, **over: Any) -> list[Any]:
    values = {
        "姓名": f"学生{seq}",
        "身份证号": make_id_number(birth="20070101", seq=seq),
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


def test_it_imports_a_roster_for_the_school_admin(world, tmp_path):
    path = xlsx(tmp_path / "roster.xlsx", [row(i) for i in range(1, 6)])
    result = import_students(actor=world.user("school"), path=path)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    person = Person.objects.get(id_number=make_id_number(birth="20070101", seq=3))
    assert person.school == world.school
    assert person.county == world.county
    assert person.birth_date == dt.date(2007, 1, 1)
    student = Student.objects.get(person=person)
    assert (student.stage, student.entry_year, student.expected_graduation_year) == ("secondary", 2024, 2027)
    job = result.job
    assert job is not None
    assert job.status == ImportStatus.DONE
    assert job.created_count == 5
    assert job.sha256
    assert job.file
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.after["created"] == 5
    assert event.after["sha256"] == job.sha256

"""Golden files: a filled-in roster template (.xlsx, as a school saves it) and a GBK CSV from Chinese Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from chizheng.people.imports import import_students
from chizheng.people.models import Person, Student

FILES = Path(__file__).parent / "files"


def test_the_filled_in_template_imports(world):
    result = import_students(actor=world.user("school"), path=FILES / "roster-sample.xlsx")
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    wang = Person.objects.get(id_number="410802200703151171")
    assert (wang.name, wang.sex, wang.birth_date, wang.phone) == ("王小明", "M", dt.date(2007, 3, 15), "13800000001")
    assert Student.objects.get(person=wang).outstanding is True
    zhao = Student.objects.get(person__id_number="41080220050601133X")
    assert (zhao.stage, zhao.entry_year, zhao.expected_graduation_year) == ("junior_college", 2023, 2026)
    assert zhao.status == "enrolled"
    again = import_students(actor=world.user("school"), path=FILES / "roster-sample.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_the_gbk_csv_imports_the_same_people(world):
    result = import_students(actor=world.user("school"), path=FILES / "roster-gbk.csv")
    assert result.errors == []
    assert result.created == 3
    assert Person.objects.get(id_number="410802200611201223").name == "李华"

"""Examiner registry import: all rows or nothing, each bad row named with its column and reason."""

from __future__ import annotations

import datetime as dt

import pytest

from chizheng.core.models import AuditEvent
from chizheng.core.testing import make_id_number
from chizheng.people.models import Person

from ..imports import import_examiners
from ..models import Examiner
from .factories import file_institution

pytestmark = pytest.mark.django_db
HEADER = "机构代码,身份证号,身份,职业编码,可考评最高等级,资格证书编号,有效期起,有效期至,需回避亲属身份证号\n"


@pytest.fixture
def people(world):
    teacher = Person.objects.create(
        id_number=make_id_number(birth="19800101", seq=5),
        name="张考评",
        sex="M",
        birth_date=dt.date(1980, 1, 1),
        school=world.school,
        county=world.county,
    )
    student = Person.objects.get(name="李明")
    return teacher, student


def _csv(tmp_path, body: str):
    path = tmp_path / "考评人员.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_examiners_import_writes_every_row_with_relatives(world, people, tmp_path):
    inst = file_institution(world.user("school"), world.user("hrss"))
    teacher, student = people
    body = (
        f"0001,{teacher.id_number},考评员,6-18-01-01,三级/高级工,KP-1,2023-01-01,2025-12-31,{student.id_number}\n"
        f"0001,{teacher.id_number},督导员,,,DD-1,2023-01-01,2025-12-31,\n"
    )
    result = import_examiners(actor=world.user("school"), path=_csv(tmp_path, body))
    assert result.errors == []
    assert result.created == 2
    examiner = Examiner.objects.get(institution=inst, role="examiner")
    assert examiner.highest_level == 3
    assert list(examiner.relatives.all()) == [student]
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_examiners_import_names_each_bad_row_and_writes_nothing(world, people, tmp_path):
    file_institution(world.user("school"), world.user("hrss"))
    teacher, _ = people
    body = (
        f"0001,{teacher.id_number},考评员,6-18-01-01,三级/高级工,KP-1,2023-01-01,2025-12-31,\n"
        f"0001,{teacher.id_number},考评员,,,KP-2,2023-01-01,2025-12-31,\n"
        f"9999,{teacher.id_number},督导员,,,DD-1,2023-01-01,2025-12-31,\n"
        f"0001,{teacher.id_number},裁判,,,DD-2,2023-01-01,2022-12-31,\n"
    )
    result = import_examiners(actor=world.user("school"), path=_csv(tmp_path, body))
    found = [(e.row, e.column) for e in result.errors]
    assert (3, "职业编码") in found  # an examiner without occupation and level
    assert (4, "机构代码") in found
    assert (5, "身份") in found
    assert not Examiner.objects.exists()


def test_examiners_import_refuses_an_institution_of_another_school(world, people, tmp_path):
    file_institution(world.user("school"), world.user("hrss"))
    teacher, _ = people
    body = f"0001,{teacher.id_number},督导员,,,DD-1,2023-01-01,2025-12-31,\n"
    result = import_examiners(actor=world.user("other_school"), path=_csv(tmp_path, body))
    assert {e.column for e in result.errors} == {"机构代码", "身份证号"}
    assert not Examiner.objects.exists()

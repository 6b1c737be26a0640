"""R4 registration roster import: all rows or nothing, each bad row named by row and column."""

from __future__ import annotations

import pytest

from ..imports import import_registrations
from ..models import Registration
from . import factories as f

pytestmark = pytest.mark.django_db


def _csv(tmp_path, body: str):
    path = tmp_path / "报名名册.csv"
    path.write_text("场次编号,身份证号\n" + body, encoding="utf-8")
    return path


def test_r04_roster_import_registers_every_row(world, tmp_path):
    session = f.planned_session(world, f.institution(world))
    persons = f.students(world, 3)
    body = "".join(f"{session.pk},{p.id_number}\n" for p in persons)
    result = import_registrations(actor=world.user("school"), path=_csv(tmp_path, body))
    assert not result.errors
    assert result.created == 3
    assert Registration.objects.filter(session=session).count() == 3


def test_r04_roster_import_names_each_bad_row_and_writes_nothing(world, tmp_path):
    inst = f.institution(world)
    session = f.planned_session(world, inst, level=3)
    ok = f.students(world, 1, outstanding=True, expected_graduation_year=2023)[0]
    plain = f.students(world, 1, start=10)[0]
    body = (
        f"{session.pk},{ok.id_number}\n"  # row 2: fine
        f"{session.pk},{plain.id_number}\n"  # row 3: not outstanding → no 高级工
        f"{session.pk},{ok.id_number}\n"  # row 4: twice in the file
        f"99999,{ok.id_number}\n"  # row 5: no such session
        f"{session.pk},410802200001010000\n"  # row 6: bad check digit
    )
    result = import_registrations(actor=world.user("school"), path=_csv(tmp_path, body))
    by_row = {e.row: e for e in result.errors}
    assert sorted(by_row) == [3, 4, 5, 6]
    assert "优秀" in by_row[3].message
    assert by_row[3].column == "身份证号"
    assert "重复" in by_row[4].message
    assert by_row[5].column == "场次编号"
    assert not Registration.objects.exists()


def test_r04_roster_import_refuses_another_schools_session(world, tmp_path):
    session = f.planned_session(world, f.institution(world))
    person = f.students(world, 1)[0]
    result = import_registrations(
        actor=world.user("other_school"), path=_csv(tmp_path, f"{session.pk},{person.id_number}\n")
    )
    assert [e.column for e in result.errors] == ["场次编号"]
    assert not Registration.objects.exists()

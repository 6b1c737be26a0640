"""Occupation list import: trades, standards and key fields; city admins only; all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from chizheng.core.choices import AuditAction, KeyField
from chizheng.core.errors import PermissionDenied
from chizheng.core.models import AuditEvent
from chizheng.occupations.imports import import_occupations
from chizheng.occupations.models import Occupation, Trade

HEADER = ["职业编码", "工种名称", "工种编码", "有国家标准", "标准编号", "标准等级", "重点领域"]
CNC = "6-18-01-01"  # 车工
OTHER = "6-18-01-02"


def sheet(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write_row(0, 0, HEADER)
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values):
            if v != "":
                ws.write_string(r, c, str(v))
    book.close()
    return path


def test_it_sets_standards_key_fields_and_adds_trades(world, tmp_path):
    rows = [
        [CNC, "数控车工", "6-18-01-01-01", "是", "GB/T 4-2018", "5,4,3", "智能制造"],
        [CNC, "普通车工", "", "", "", "", ""],
        [OTHER, "", "", "否", "", "", "其他"],
    ]
    result = import_occupations(actor=world.user("city"), path=sheet(tmp_path / "o.xlsx", rows))
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (2, 0, 1)
    occupation = Occupation.objects.get(code=CNC)
    assert occupation.has_national_standard is True
    assert occupation.standard_number == "GB/T 4-2018"
    assert occupation.standard_levels == [5, 4, 3]
    assert occupation.key_field == KeyField.SMART_MANUFACTURING
    assert set(Trade.objects.filter(occupation=occupation).values_list("name", flat=True)) == {"数控车工", "普通车工"}
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="occupations.Occupation")
    assert event.after == {
        "has_national_standard": True,
        "standard_number": "GB/T 4-2018",
        "standard_levels": [5, 4, 3],
        "key_field": "smart_manufacturing",
    }
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_reimporting_changes_nothing(world, tmp_path):
    rows = [[CNC, "数控车工", "01", "是", "GB/T 4-2018", "五级,四级", "智能制造"]]
    path = sheet(tmp_path / "o.xlsx", rows)
    import_occupations(actor=world.user("city"), path=path)
    events = AuditEvent.objects.count()
    again = import_occupations(actor=world.user("city"), path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.count() == events
    assert Trade.objects.filter(occupation__code=CNC).count() == 1


def test_malformed_and_unknown_codes_are_different_errors(world, tmp_path):
    rows = [["6-18-1-1", "", "", "", "", "", ""], ["8-99-99-99", "", "", "", "", "", ""]]
    result = import_occupations(actor=world.user("city"), path=sheet(tmp_path / "o.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "职业编码"), (3, "职业编码")]
    assert "格式不对" in result.errors[0].message
    assert "没有编码" in result.errors[1].message


def test_bad_rows_are_reported_and_nothing_is_written(world, tmp_path):
    rows = [
        [CNC, "数控车工", "", "", "", "", ""],  # fine
        [CNC, "", "", "是", "", "5", ""],  # standard without number
        [CNC, "", "", "是", "GB/T 4-2018", "6级", ""],  # bad level
        [CNC, "", "", "", "", "", "航天"],  # unknown key field
        [CNC, "数控车工", "", "", "", "", ""],  # the same trade twice
        [OTHER, "", "", "否", "GB/T 9", "", ""],  # number without the flag set
    ]
    result = import_occupations(actor=world.user("city"), path=sheet(tmp_path / "o.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "标准编号"),
        (4, "标准等级"),
        (5, "重点领域"),
        (6, "工种名称"),
        (7, "有国家标准"),
    ]
    assert "第 2 行" in result.errors[3].message
    assert not Trade.objects.exists()


def test_rows_about_one_occupation_must_agree(world, tmp_path):
    rows = [[CNC, "", "", "", "", "", "智能制造"], [CNC, "", "", "", "", "", "大数据"]]
    result = import_occupations(actor=world.user("city"), path=sheet(tmp_path / "o.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "职业编码")]
    assert "第 2 行" in result.errors[0].message
    assert Occupation.objects.get(code=CNC).key_field == KeyField.OTHER


def test_only_city_admins_import_occupations(world, tmp_path):
    with pytest.raises(PermissionDenied):
        import_occupations(actor=world.user("school"), path=sheet(tmp_path / "o.xlsx", [[CNC] + [""] * 6]))


def test_the_cli_imports_an_occupation_list(world, tmp_path, capsys):
    from django.core.management import call_command

    path = sheet(tmp_path / "o.xlsx", [[CNC, "数控车工", "", "", "", "", ""]])
    call_command("import", "occupations", str(path), "--as", "city", "--no-progress")
    assert "新增 1" in capsys.readouterr().out
    assert Trade.objects.filter(occupation__code=CNC, name="数控车工").exists()

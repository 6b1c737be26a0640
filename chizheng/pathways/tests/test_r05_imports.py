"""R5 imports: 1+X records (schools) and the 1+X → occupation mapping (city); all rows or nothing."""

from __future__ import annotations

import pytest

from chizheng.core.imports import run_import
from chizheng.core.models import AuditEvent

from ..imports import MAPPING_KIND, X_KIND
from ..models import XCertificate, XCertMapping
from . import factories as f

pytestmark = pytest.mark.django_db

X_HEADER = "身份证号,姓名,培训评价组织,证书名称,证书等级,证书编号,发证日期\n"


def _csv(tmp_path, header: str, body: str):
    path = tmp_path / "导入.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_r05_1x_import_records_every_row_with_its_import_job(world, tmp_path) -> None:
    f.mapping(world)
    a, b = f.students(world, 2)
    body = (
        f"{a.id_number},{a.name},组织甲,工业机器人应用编程,高级,X-1,2024-01-10\n"
        f"{b.id_number},,组织甲,工业机器人应用编程,初级,X-2,2024/1/10\n"
    )
    result = run_import(kind=X_KIND, actor=world.user("school"), path=_csv(tmp_path, X_HEADER, body))
    assert not result.errors
    assert result.created == 2
    x = XCertificate.objects.get(number="X-1")
    assert (x.person, x.level, x.school, x.county) == (a, "senior", world.school, world.county)
    assert x.source_import == result.job
    assert XCertificate.objects.get(number="X-2").level == "junior"
    assert AuditEvent.objects.filter(action="import", object_type="core.ImportJob").count() == 1


def test_r05_1x_import_names_each_bad_row_and_rule_and_writes_nothing(world, tmp_path) -> None:
    f.mapping(world)
    a, b = f.students(world, 2)
    (foreign,) = f.students(world, 1, start=80, school=world.other_school)
    f.xcert(world, b, "senior", org="组织甲")
    taken = XCertificate.objects.get(person=b).number
    body = (
        f"{a.id_number},{a.name},组织甲,工业机器人应用编程,高级,X-1,2024-01-10\n"  # 2 fine
        f"410802200301019999,,组织甲,工业机器人应用编程,高级,X-3,2024-01-10\n"  # 3 bad ID number
        f"{foreign.id_number},,组织甲,工业机器人应用编程,高级,X-4,2024-01-10\n"  # 4 other school's person
        f"{a.id_number},,组织甲,工业机器人应用编程,专家级,X-5,2024-01-10\n"  # 5 bad level
        f"{a.id_number},,组织甲,云计算平台运维与开发,中级,X-6,2024-01-10\n"  # 6 no mapping
        f"{a.id_number},,组织甲,工业机器人应用编程,中级,X-1,2024-01-10\n"  # 7 duplicate in file
        f"{a.id_number},,组织甲,工业机器人应用编程,中级,{taken},2024-01-10\n"  # 8 already recorded
        f"{a.id_number},王五,组织甲,工业机器人应用编程,中级,X-9,2024-01-10\n"  # 9 wrong name
        f"{a.id_number},,组织甲,工业机器人应用编程,中级,X-10,\n"  # 10 no date
    )
    before = XCertificate.objects.count()
    result = run_import(kind=X_KIND, actor=world.user("school"), path=_csv(tmp_path, X_HEADER, body))
    by_row = {e.row: e for e in result.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_row[4].column == "身份证号"
    assert "人员库" in by_row[4].message
    assert by_row[5].column == "证书等级"
    assert "专家级" in by_row[5].message
    assert by_row[6].column == "证书名称"
    assert "R5" in by_row[6].message
    assert "云计算平台运维与开发" in by_row[6].message
    assert "第 2 行重复" in by_row[7].message
    assert "已登记" in by_row[8].message
    assert by_row[9].column == "姓名"
    assert by_row[10].column == "发证日期"
    assert XCertificate.objects.count() == before


def test_r05_mapping_import_creates_updates_and_names_bad_rows(world, tmp_path) -> None:
    header = "1+X 证书名称,培训评价组织,职业编码,工种,备注\n"
    first = "工业机器人应用编程,,6-18-01-01,,\n数控车铣加工,组织乙,6-18-01-02,,\n"
    result = run_import(kind=MAPPING_KIND, actor=world.user("city"), path=_csv(tmp_path, header, first))
    assert (result.created, result.updated) == (2, 0)
    second = "工业机器人应用编程,,6-18-01-02,,改为铣工\n数控车铣加工,组织乙,6-18-01-02,,\n"
    result = run_import(kind=MAPPING_KIND, actor=world.user("city"), path=_csv(tmp_path, header, second))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert XCertMapping.objects.get(certificate_name="工业机器人应用编程").occupation.code == "6-18-01-02"
    bad = "A,,9-99-99-99,,\nB,,6-18-01-01,不存在的工种,\nC,,6-18-01-01,,\nC,,6-18-01-01,,\n"
    result = run_import(kind=MAPPING_KIND, actor=world.user("city"), path=_csv(tmp_path, header, bad))
    assert [(e.row, e.column) for e in result.errors] == [(2, "职业编码"), (3, "工种"), (5, "1+X 证书名称")]
    assert XCertMapping.objects.count() == 2


def test_r05_only_the_city_imports_mappings_and_only_schools_import_1x_records(world, tmp_path) -> None:
    from chizheng.core.errors import PermissionDenied

    path = _csv(tmp_path, "1+X 证书名称,培训评价组织,职业编码,工种,备注\n", "A,,6-18-01-01,,\n")
    with pytest.raises(PermissionDenied):
        run_import(kind=MAPPING_KIND, actor=world.user("school"), path=path)
    with pytest.raises(PermissionDenied):
        run_import(kind=X_KIND, actor=world.user("county"), path=_csv(tmp_path, X_HEADER, "x\n"))

"""R6 imports: course-certificate mappings and course results (school admins); all rows or nothing, each bad row
named with its field and the rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chizheng.core.errors import ImportRejected
from chizheng.core.imports import run_import
from chizheng.core.models import AuditEvent

from ..course_imports import MAPPINGS_KIND, RESULTS_KIND
from ..models import CourseCertMapping, CourseResult, MappedCourse
from . import factories as f
from . import r06_factories as r6

pytestmark = pytest.mark.django_db

MAPPING_HEADER = "方案名称,职业编码,工种,适用专业,课程代码,课程名称\n"
RESULT_HEADER = "身份证号,姓名,课程代码,课程名称,理论成绩,理论合格,实践成绩,实践合格,学期,学年\n"


def _csv(tmp_path, header: str, body: str):
    path = tmp_path / "导入.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def _errors(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in result.errors]


def test_r06_mapping_import_groups_rows_into_mappings_with_their_courses(world, tmp_path) -> None:
    body = (
        "数控车工课证融通,6-18-01-01,,数控技术应用,JD101,机械制图\n"
        "数控车工课证融通,6-18-01-01,,数控技术应用,JD102,数控编程\n"
        "车工基础方案,6-18-01-01,,,JD101,机械制图\n"
    )
    result = run_import(kind=MAPPINGS_KIND, actor=world.user("school"), path=_csv(tmp_path, MAPPING_HEADER, body))
    assert not result.errors
    assert result.created == 2
    mapping = CourseCertMapping.objects.get(name="数控车工课证融通")
    assert (mapping.school, mapping.major, mapping.occupation.code) == (world.school, "数控技术应用", "6-18-01-01")
    assert list(mapping.courses.values_list("code", flat=True)) == ["JD101", "JD102"]
    assert CourseCertMapping.objects.get(name="车工基础方案").major == ""
    # again with one course changed: the mapping is updated and its courses replaced
    body = (
        "数控车工课证融通,6-18-01-01,,数控技术应用,JD101,机械制图\n"
        "数控车工课证融通,6-18-01-01,,数控技术应用,JD109,综合实训\n"
    )
    again = run_import(kind=MAPPINGS_KIND, actor=world.user("school"), path=_csv(tmp_path, MAPPING_HEADER, body))
    assert (again.created, again.updated) == (0, 1)
    assert list(mapping.courses.values_list("code", flat=True)) == ["JD101", "JD109"]
    assert AuditEvent.objects.filter(object_type="pathways.CourseCertMapping", action="update").count() == 1


def test_r06_mapping_import_names_each_bad_row_and_writes_nothing(world, tmp_path) -> None:
    body = (
        "方案甲,6-18-01-01,,,JD101,机械制图\n"  # 2 fine
        "方案甲,9-99-99-99,,,JD102,数控编程\n"  # 3 unknown occupation
        "方案甲,6-18-01-01,,会计,JD103,实训\n"  # 4 the mapping's major differs from row 2
        "方案甲,6-18-01-01,,,JD101,机械制图\n"  # 5 course twice in one mapping
        "方案乙,6-18-01-01,,,JD101,机械基础\n"  # 6 the same code named differently
        ",6-18-01-01,,,JD104,课程\n"  # 7 no mapping name
        "方案乙,6-18-01-01,不存在的工种,,JD105,课程\n"  # 8 unknown trade
    )
    result = run_import(kind=MAPPINGS_KIND, actor=world.user("school"), path=_csv(tmp_path, MAPPING_HEADER, body))
    errors = _errors(result)
    assert [(row, field) for row, field, _ in errors] == [
        (3, "职业编码"),
        (4, "职业编码"),
        (5, "课程代码"),
        (6, "课程名称"),
        (7, "方案名称"),
        (8, "工种"),
    ]
    assert "同一方案应一致" in errors[1][2]
    assert "与第 2 行重复" in errors[2][2]
    assert "在第 2 行名为“机械制图”" in errors[3][2]
    assert not CourseCertMapping.objects.exists()
    assert not MappedCourse.objects.exists()


def test_r06_mapping_import_needs_a_school_admin(world, tmp_path) -> None:
    from chizheng.core.errors import PermissionDenied

    body = "方案甲,6-18-01-01,,,JD101,机械制图\n"
    with pytest.raises(PermissionDenied):
        run_import(kind=MAPPINGS_KIND, actor=world.user("county"), path=_csv(tmp_path, MAPPING_HEADER, body))


def test_r06_result_import_records_each_row_and_derives_passes_from_scores(world, tmp_path) -> None:
    r6.course_mapping(world)
    a, b = f.students(world, 2)
    body = (
        f"{a.id_number},{a.name},JD101,机械制图,85,,72.5,,2023-2024-2,2024\n"
        f"{a.id_number},,jd102,,59.5,,,是,2023-2024-2,2024\n"  # code case-insensitive; a pass/fail practical
        f"{b.id_number},,JD101,机械制图,,是,40,否,2023-2024-2,2024\n"
    )
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    assert not result.errors, result.errors
    assert result.created == 3
    r = CourseResult.objects.get(person=a, course_code="JD101")
    assert (r.theory_score, r.theory_passed, r.practical_score, r.practical_passed) == (
        Decimal("85"),
        True,
        Decimal("72.5"),
        True,
    )
    assert (r.school, r.county, r.term, r.year, r.source_import) == (
        world.school,
        world.county,
        "2023-2024-2",
        2024,
        result.job,
    )
    second = CourseResult.objects.get(person=a, course_code="JD102")  # stored under the mapping's code and name
    assert (second.course_name, second.theory_passed, second.practical_score, second.practical_passed) == (
        "数控编程",
        False,
        None,
        True,
    )
    assert CourseResult.objects.get(person=b).practical_passed is False


def test_r06_result_import_updates_an_existing_result_with_a_per_row_audit(world, tmp_path) -> None:
    r6.course_mapping(world)
    (a,) = f.students(world, 1)
    r6.result(a, "JD102", practical=False)
    body = f"{a.id_number},,JD102,,80,,66,,2023-2024-2,2024\n{a.id_number},,JD101,,80,,66,,2023-2024-2,2024\n"
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    assert (result.created, result.updated) == (1, 1)
    assert CourseResult.objects.get(person=a, course_code="JD102").practical_passed is True
    event = AuditEvent.objects.get(object_type="pathways.CourseResult")
    assert (event.before or {})["practical_passed"] is False
    assert (event.after or {})["practical_passed"] is True
    again = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_r06_result_import_names_each_bad_row_and_rule_and_writes_nothing(world, tmp_path) -> None:
    r6.course_mapping(world)
    a, b = f.students(world, 2)
    (foreign,) = f.students(world, 1, start=80, school=world.other_school)
    body = (
        f"{a.id_number},,JD101,,80,,70,,2023-2024-2,2024\n"  # 2 fine
        f"{a.id_number},,XX999,,80,,70,,2023-2024-2,2024\n"  # 3 course in no mapping of the school
        f"{a.id_number},,JD101,,80,,70,,2023-2024-2,2024\n"  # 4 the same student and course again
        f"410802200301019999,,JD102,,80,,70,,2023-2024-2,2024\n"  # 5 bad ID number
        f"{foreign.id_number},,JD102,,80,,70,,2023-2024-2,2024\n"  # 6 a student of another school
        f"{b.id_number},,JD102,,101,,70,,2023-2024-2,2024\n"  # 7 theory score out of range
        f"{b.id_number},,JD103,,80,,55,是,2023-2024-2,2024\n"  # 8 practical flag against the score
        f"{b.id_number},,JD101,,80,,,,2023-2024-2,2024\n"  # 9 practical: neither score nor flag
        f"{b.id_number},王五,JD102,数控编程,80,,70,,2023-2024-2,\n"  # 10 wrong name, no year
        f"{b.id_number},,JD103,机床维修,80,,70,,2023-2024-2,2024\n"  # 11 course name not the mapping's
        f"{b.id_number},,JD103,,80,也许,70,,2023-2024-2,2024\n"  # 12 not a yes/no
    )
    result = run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, body))
    errors = _errors(result)
    by_row = {(row, field): message for row, field, message in errors}
    assert "不在本校任何课证融通方案中" in by_row[(3, "课程代码")]
    assert "与第 2 行重复" in by_row[(4, "课程代码")]
    assert (5, "身份证号") in by_row
    assert "不是焦作市职业技术学校的学生" in by_row[(6, "身份证号")]
    assert foreign.name not in by_row[(6, "身份证号")]  # nothing of another school leaks
    assert "超出 0–100 分" in by_row[(7, "理论成绩")]
    assert "不一致" in by_row[(8, "实践合格")]
    assert "请填写实践成绩或实践是否合格" in by_row[(9, "实践合格")]
    assert "王五" in by_row[(10, "姓名")]
    assert (10, "学年") in by_row
    assert "机床操作实训" in by_row[(11, "课程名称")]
    assert (12, "理论合格") in by_row
    assert 2 not in {row for row, _, _ in errors}
    assert not CourseResult.objects.exists()


def test_r06_result_import_of_an_empty_file_is_rejected(world, tmp_path) -> None:
    with pytest.raises(ImportRejected):
        run_import(kind=RESULTS_KIND, actor=world.user("school"), path=_csv(tmp_path, RESULT_HEADER, ""))

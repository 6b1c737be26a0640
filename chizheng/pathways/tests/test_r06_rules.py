"""R6 process assessment as pure rules: who is recognised under a course-certificate mapping, at which level,
and the named reason for everyone else; the course-result input checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chizheng.core.errors import DomainError

from .. import rules

MAPPING = rules.CourseMappingFacts(
    pk=7,
    name="数控车工课证融通",
    occupation_id=11,
    trade_id=None,
    courses=(rules.CourseFacts("JD101", "机械制图"), rules.CourseFacts("JD102", "数控编程")),
)
JUNE = dt.date(2025, 6, 1)


def _ok(code: str, *, theory: bool = True, practical: bool = True) -> rules.CourseResultFacts:
    t_score = Decimal("80") if theory else Decimal("52")
    p_score = Decimal("70") if practical else Decimal("41.5")
    return rules.CourseResultFacts(code, code, theory, practical, t_score, p_score)


ALL_PASSED = {"JD101": _ok("JD101"), "JD102": _ok("JD102")}


def _verdict(
    student: rules.StudentFacts | None,
    results: dict[str, rules.CourseResultFacts] | None = None,
    *,
    mapping: rules.CourseMappingFacts = MAPPING,
    on_date: dt.date = JUNE,
) -> rules.Verdict:
    return rules.recognise_courses(
        person_id=5,
        mapping=mapping,
        student=student,
        results=ALL_PASSED if results is None else results,
        on_date=on_date,
    )


def _student(
    stage: str = "junior_college", year: int = 2025, status: str = "enrolled", major: str = "数控技术"
) -> rules.StudentFacts:
    return rules.StudentFacts(stage=stage, major=major, expected_graduation_year=year, status=status)


@pytest.mark.parametrize(
    ("stage", "level"), [("undergraduate", 3), ("junior_college", 3), ("secondary", 4)], ids=["本科", "专科", "中职"]
)
def test_r06_each_stage_is_recognised_at_its_level(stage: str, level: int) -> None:
    v = _verdict(_student(stage))
    assert v.qualifies
    assert (v.occupation_id, v.level, v.trade_id) == (11, level, None)
    assert v.source_key == "course:7:5"
    assert (v.evidence_type, v.evidence_id) == ("course_results", "7:5")


def test_r06_evidence_lists_every_course_with_both_parts() -> None:
    v = _verdict(_student())
    assert v.evidence["mapping"] == "数控车工课证融通"
    assert v.evidence["stage"] == "专科"
    assert [c["code"] for c in v.evidence["courses"]] == ["JD101", "JD102"]
    first = v.evidence["courses"][0]
    assert (first["theory_score"], first["theory_passed"], first["practical_score"], first["practical_passed"]) == (
        "80",
        True,
        "70",
        True,
    )


def test_r06_graduating_school_year_runs_from_september_to_august() -> None:
    assert rules.graduating_year_of(dt.date(2025, 8, 31)) == 2025
    assert rules.graduating_year_of(dt.date(2025, 9, 1)) == 2026
    assert rules.graduating_year_of(dt.date(2026, 1, 15)) == 2026


def test_r06_a_student_graduating_next_year_qualifies_only_from_the_start_of_the_final_school_year() -> None:
    student = _student(year=2026)
    before = _verdict(student, on_date=dt.date(2025, 8, 31))
    assert before.reason_code == rules.NOT_GRADUATING
    assert "2026" in before.reason
    assert _verdict(student, on_date=dt.date(2025, 9, 1)).qualifies


def test_r06_graduates_qualify_whatever_the_year_but_not_those_who_left() -> None:
    assert _verdict(_student(year=2027, status="graduated")).qualifies  # graduated early
    assert _verdict(_student(year=2023)).qualifies  # past the expected year, still on the roll
    left = _verdict(_student(year=2025, status="left"))
    assert left.reason_code == rules.NOT_GRADUATING
    assert "离校" in left.reason


def test_r06_without_a_student_record_at_the_school_is_refused() -> None:
    v = _verdict(None)
    assert v.reason_code == rules.NOT_A_STUDENT
    assert v.level is None


def test_r06_one_course_missing_names_the_course() -> None:
    v = _verdict(_student(), {"JD101": _ok("JD101")})
    assert v.reason_code == rules.COURSE_MISSING
    assert "JD102 数控编程" in v.reason
    assert "JD101" not in v.reason
    assert v.evidence["courses"][1]["theory_passed"] is None


def test_r06_theory_passed_but_practical_failed_names_the_course_and_score() -> None:
    v = _verdict(_student(), {"JD101": _ok("JD101"), "JD102": _ok("JD102", practical=False)})
    assert v.reason_code == rules.COURSE_PRACTICAL_FAILED
    assert "JD102 数控编程 实践考核未通过（41.5 分）" in v.reason
    assert "理论" not in v.reason


def test_r06_theory_failed_is_its_own_reason() -> None:
    v = _verdict(_student(), {"JD101": _ok("JD101", theory=False), "JD102": _ok("JD102")})
    assert v.reason_code == rules.COURSE_THEORY_FAILED
    assert "JD101 机械制图 理论考试未通过（52 分）" in v.reason


def test_r06_every_course_problem_is_listed_the_code_is_the_first() -> None:
    v = _verdict(_student(), {"JD101": _ok("JD101", practical=False)})
    assert v.reason_code == rules.COURSE_PRACTICAL_FAILED
    assert "JD101" in v.reason
    assert "缺少课程 JD102" in v.reason


def test_r06_course_codes_match_ignoring_case_and_spaces() -> None:
    results = {rules.course_key("jd 101"): _ok("jd 101"), rules.course_key("JD102"): _ok("JD102")}
    assert _verdict(_student(), results).qualifies


def test_r06_a_mapping_restricted_to_a_major_refuses_other_majors() -> None:
    mapping = rules.CourseMappingFacts(**{**MAPPING.__dict__, "major": "数控 技术"})
    assert _verdict(_student(major="数控技术"), mapping=mapping).qualifies  # spaces do not matter
    v = _verdict(_student(major="会计"), mapping=mapping)
    assert v.reason_code == rules.MAJOR_NOT_COVERED
    assert "会计" in v.reason
    assert _verdict(_student(major="会计")).qualifies  # no major named: any major


def test_r06_the_graduating_year_is_checked_before_the_courses() -> None:
    v = _verdict(_student(year=2027), {})
    assert v.reason_code == rules.NOT_GRADUATING


def test_r06_choose_student_prefers_the_mapping_major_and_records_still_on_the_roll() -> None:
    old = _student("secondary", 2022, "graduated", "数控技术")
    new = _student("junior_college", 2025, "enrolled", "数控技术")
    left = _student("undergraduate", 2026, "left", "数控技术")
    other = _student("undergraduate", 2026, "enrolled", "会计")
    assert rules.choose_student([old, new, left]) == new
    assert rules.choose_student([old, other], "数控技术") == old
    assert rules.choose_student([other], "数控技术") == other  # then refused by the major rule
    assert rules.choose_student([]) is None


@pytest.mark.parametrize(
    ("score", "passed", "expected"),
    [
        (Decimal("60"), None, True),
        (Decimal("59.9"), None, False),
        (None, True, True),
        (None, False, False),
        (Decimal("60"), True, True),
        (Decimal("59.9"), False, False),
        (Decimal("0"), False, False),
        (Decimal("100"), True, True),
    ],
)
def test_r06_course_result_pass_follows_the_flag_or_the_60_mark(
    score: Decimal | None, passed: bool | None, expected: bool
) -> None:
    assert rules.check_course_result(
        theory_score=score, theory_passed=passed, practical_score=None, practical_passed=True
    ) == (expected, True)


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"theory_score": Decimal("100.5")}, "score_out_of_range", "theory_score"),
        ({"practical_score": Decimal("-1")}, "score_out_of_range", "practical_score"),
        ({"theory_score": Decimal("59.5"), "theory_passed": True}, "passed_inconsistent", "theory_passed"),
        ({"practical_score": Decimal("60"), "practical_passed": False}, "passed_inconsistent", "practical_passed"),
        ({"theory_score": None, "theory_passed": None}, "result_missing", "theory_passed"),
    ],
)
def test_r06_course_result_input_errors_name_the_field(kwargs: dict[str, object], code: str, field: str) -> None:
    args: dict[str, object] = {
        "theory_score": Decimal("70"),
        "theory_passed": None,
        "practical_score": Decimal("70"),
        "practical_passed": None,
    }
    args.update(kwargs)
    with pytest.raises(DomainError) as err:
        rules.check_course_result(**args)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == (code, field)

"""R4 pure rules: eligibility, scores, pass, staffing, status machine. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chizheng.core.errors import DomainError

from .. import rules
from ..rules import CandidateFacts, ExaminerFact, StaffingFacts, StaffingPolicy

YEAR = 2023


def secondary(**kw: Any) -> CandidateFacts:
    base = CandidateFacts(name="张三", stage="secondary", expected_graduation_year=2025)
    return dataclasses.replace(base, **kw)


def _ok(candidate, level, scope_highest=None):
    rules.check_eligible(candidate, level=level, session_year=YEAR, scope_highest=scope_highest)


def _refused(candidate, level, code, scope_highest=None):
    with pytest.raises(DomainError) as exc:
        _ok(candidate, level, scope_highest)
    assert exc.value.code == code
    assert candidate.name in exc.value.message
    return exc.value


@pytest.mark.parametrize("level", [5, 4])
def test_r04_secondary_student_sits_up_to_intermediate(level):
    _ok(secondary(), level)


def test_r04_secondary_student_not_outstanding_refused_senior():
    err = _refused(secondary(expected_graduation_year=YEAR), 3, "ineligible_level")
    assert "优秀" in err.message


def test_r04_outstanding_secondary_not_graduating_refused_senior():
    _refused(secondary(outstanding=True, expected_graduation_year=YEAR + 1), 3, "ineligible_level")


def test_r04_outstanding_secondary_graduating_this_year_sits_senior():
    _ok(secondary(outstanding=True, expected_graduation_year=YEAR), 3)


def test_r04_outstanding_secondary_graduate_sits_senior():
    _ok(secondary(outstanding=True, graduated=True, expected_graduation_year=YEAR - 2), 3)
    # expected graduation already past (record not yet switched to 已毕业) counts as graduated
    _ok(secondary(outstanding=True, expected_graduation_year=YEAR - 1), 3)


def test_r04_outstanding_secondary_graduate_still_not_technician():
    _refused(secondary(outstanding=True, graduated=True, expected_graduation_year=YEAR - 2), 2, "ineligible_level")


@pytest.mark.parametrize("stage", ["secondary", "junior_college", "undergraduate"])
@pytest.mark.parametrize("level", [2, 1])
def test_r04_in_school_students_never_sit_technician_levels(stage, level):
    err = _refused(
        secondary(stage=stage, outstanding=True, expected_graduation_year=YEAR), level, "ineligible_in_school"
    )
    assert "在校学生" in err.message


@pytest.mark.parametrize("stage", ["junior_college", "undergraduate"])
def test_r04_college_students_up_to_senior(stage):
    for level in (5, 4, 3):
        _ok(secondary(stage=stage), level)
    _refused(secondary(stage=stage, graduated=True), 2, "ineligible_level")


def test_r04_social_learner_up_to_institution_scope():
    learner = CandidateFacts(name="李四", stage=None)
    _ok(learner, 2, scope_highest=2)
    _ok(learner, 3, scope_highest=2)
    err = _refused(learner, 1, "ineligible_level", scope_highest=2)
    assert "评价范围" in err.message
    _ok(learner, 1)  # no scope known: the R2 gate decides


def test_r04_bad_level_refused():
    with pytest.raises(DomainError) as exc:
        _ok(secondary(), 6)
    assert exc.value.code == "bad_level"


def test_r04_one_registration_per_session():
    rules.check_not_registered(name="张三", already=False)
    with pytest.raises(DomainError) as exc:
        rules.check_not_registered(name="张三", already=True)
    assert exc.value.code == "already_registered"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", "0.0"),
        ("100", "100.0"),
        ("59.9", "59.9"),
        (60, "60.0"),
        (72.5, "72.5"),
        (" 88 ", "88.0"),
        ("90.50", "90.5"),
    ],
)
def test_r04_score_accepted(raw, expected):
    assert rules.parse_score(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-0.1", "score_out_of_range"),
        ("100.1", "score_out_of_range"),
        (101, "score_out_of_range"),
        ("59.95", "score_too_precise"),
        (0.05, "score_too_precise"),
        ("", "score_missing"),
        (None, "score_missing"),
        ("abc", "score_not_number"),
        ("NaN", "score_not_number"),
        (True, "score_not_number"),
    ],
)
def test_r04_score_refused(raw, code):
    with pytest.raises(DomainError) as exc:
        rules.parse_score(raw, column="理论成绩")
    assert exc.value.code == code
    assert "理论成绩" in exc.value.message


@pytest.mark.parametrize(
    ("theory", "skill", "expected"),
    [("60", "60", True), ("59.9", "100", False), ("100", "59.9", False), ("60.0", "99", True), ("0", "0", False)],
)
def test_r04_pass_needs_both_at_default_mark(theory, skill, expected):
    mark = rules.DEFAULT_PASS_MARK
    assert rules.passed(Decimal(theory), Decimal(skill), theory_pass=mark, skill_pass=mark) is expected


def test_r04_pass_mark_configurable_per_session():
    assert not rules.passed(Decimal("65"), Decimal("80"), theory_pass=Decimal("70"), skill_pass=Decimal("60"))
    assert rules.passed(Decimal("70"), Decimal("60"), theory_pass=Decimal("70"), skill_pass=Decimal("60"))
    assert rules.check_pass_mark("70", column="理论合格线") == Decimal("70.0")
    with pytest.raises(DomainError):
        rules.check_pass_mark("0", column="理论合格线")


def test_r04_weighting_sums_to_100_and_total():
    rules.check_weighting(30, 70)
    with pytest.raises(DomainError):
        rules.check_weighting(30, 60)
    with pytest.raises(DomainError):
        rules.check_weighting(-10, 110)
    assert rules.total_score(Decimal("80"), Decimal("60"), theory_weight=30, skill_weight=70) == Decimal("66.0")


@pytest.mark.parametrize(
    ("n", "rooms", "need"),
    [
        (1, 1, 2),
        (15, 1, 2),
        (16, 1, 2),
        (30, 1, 2),
        (31, 1, 3),
        (45, 1, 3),
        (46, 1, 4),
        (15, 2, 4),
        (60, 2, 4),
        (61, 2, 5),
    ],
)
def test_r04_required_invigilators(n, rooms, need):
    assert rules.required_invigilators(n, rooms) == need


@pytest.mark.parametrize(
    ("n", "need"),
    [(1, 3), (10, 3), (15, 3), (16, 5), (20, 5), (25, 5), (26, 7), (30, 7), (35, 7), (36, 9)],
)
def test_r04_required_examiners_odd(n, need):
    assert rules.required_examiners(n) == need


def test_r04_invigilator_ratio_boundary_15_16():
    # one room of 2 hides the ratio; with ratio 15 and 1 invigilator per room: 15 → 1, 16 → 2
    policy = StaffingPolicy(invigilators_per_room=1)
    assert rules.required_invigilators(15, 1, policy) == 1
    assert rules.required_invigilators(16, 1, policy) == 2


def test_r04_policy_is_configurable():
    policy = StaffingPolicy(candidates_per_examiner=4, min_examiners=5, examiners_odd=False)
    assert rules.required_examiners(24, policy) == 6


def _examiners(k, **kw):
    return tuple(ExaminerFact(name=f"考评员{i}", qualified=True, **kw) for i in range(k))


def test_r04_staffing_ok():
    rules.check_staffing(StaffingFacts(candidates=15, rooms=1, invigilators=2, supervisors=1, examiners=_examiners(3)))
    rules.check_staffing(StaffingFacts(candidates=16, rooms=1, invigilators=2, supervisors=1, examiners=_examiners(5)))


def test_r04_staffing_even_examiners_refused():
    facts = StaffingFacts(candidates=16, rooms=1, invigilators=2, supervisors=1, examiners=_examiners(4))
    problems = rules.staffing_problems(facts)
    assert len(problems) == 1
    assert "5" in problems[0]
    facts = StaffingFacts(candidates=10, rooms=1, invigilators=2, supervisors=1, examiners=_examiners(4))
    assert rules.staffing_problems(facts) == ["技能考评员 4 人，须为单数。"]


def test_r04_staffing_each_problem_named():
    facts = StaffingFacts(
        candidates=16,
        rooms=2,
        invigilators=3,
        supervisors=0,
        examiners=(
            ExaminerFact("甲", qualified=False),
            ExaminerFact("乙", qualified=True, conflicts=("王五为其亲属",)),
            ExaminerFact("丙", qualified=True),
        ),
    )
    problems = rules.staffing_problems(facts)
    text = "；".join(problems)
    assert "监考员 3 人，至少需要 4 人" in text
    assert "技能考评员 3 人，至少需要 5 人" in text
    assert "督导员" in text
    assert "甲 不具备" in text
    assert "乙 须回避：王五为其亲属" in text
    with pytest.raises(DomainError) as exc:
        rules.check_staffing(facts)
    assert exc.value.code == "staffing"
    assert len(exc.value.extra["problems"]) == 5


def test_r04_staffing_no_candidates_refused():
    facts = StaffingFacts(candidates=0, rooms=1, invigilators=2, supervisors=1, examiners=_examiners(3))
    assert rules.staffing_problems(facts) == ["尚无考生报名。"]


def test_r04_transitions():
    rules.check_transition("planned", "staffed")
    rules.check_transition("publicised", "issued")
    for current, target in [("planned", "in_progress"), ("scored", "publicised"), ("issued", "planned")]:
        with pytest.raises(DomainError):
            rules.check_transition(current, target)


def test_r04_registration_open_only_before_start():
    rules.check_registration_open("planned")
    rules.check_registration_open("staffed")
    with pytest.raises(DomainError):
        rules.check_registration_open("in_progress")


def test_r04_publicity_period():
    day = dt.date(2023, 6, 1)
    assert rules.publicity_ends(day, 7) == dt.date(2023, 6, 8)
    with pytest.raises(DomainError) as exc:
        rules.check_publicity_over(publicised_on=day, days=7, today=dt.date(2023, 6, 8), open_objections=0)
    assert exc.value.code == "publicity_running"
    with pytest.raises(DomainError) as exc:
        rules.check_publicity_over(publicised_on=day, days=7, today=dt.date(2023, 6, 9), open_objections=1)
    assert exc.value.code == "objections_open"
    rules.check_publicity_over(publicised_on=day, days=7, today=dt.date(2023, 6, 9), open_objections=0)

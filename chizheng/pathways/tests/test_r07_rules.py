"""R7 competition rule, pure: one entry → qualifies at the band's level, or the rule that stops it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from chizheng.core.errors import DomainError

from .. import rules
from ..rules import Band, CompetitionFacts, EntryFacts, recognise_competition

RANKS = (Band(D(1), D(3), 3), Band(D(4), D(6), 4), Band(D(9), D(10), 5))  # a gap: ranks 7–8
SCORES = (Band(D(90), D(100), 3), Band(D(75), D("89.9"), 4))


def comp(basis: str = "rank", audience: str = "students", bands: tuple[Band, ...] | None = None) -> CompetitionFacts:
    return CompetitionFacts(
        pk=7,
        name="数控车工技能竞赛",
        held_on=dt.date(2024, 5, 10),
        occupation_id=11,
        audience=audience,
        basis=basis,
        bands=bands if bands is not None else (RANKS if basis == "rank" else SCORES),
        trade_id=None,
    )


def entry(
    rank: int | None = None,
    score: str | None = None,
    participant: str = "student",
    *,
    is_student: bool = True,
    is_teacher: bool = False,
) -> EntryFacts:
    return EntryFacts(
        pk=3,
        person_id=5,
        name="张三",
        participant=participant,
        rank=rank,
        score=D(score) if score is not None else None,
        is_student=is_student,
        is_teacher=is_teacher,
    )


@pytest.mark.parametrize(
    ("rank", "level", "code"),
    [
        (1, 3, ""),  # first rank of the first band
        (3, 3, ""),  # its last rank
        (4, 4, ""),  # the next band starts right after
        (6, 4, ""),
        (7, None, rules.OUTSIDE_BANDS),  # the gap between bands
        (8, None, rules.OUTSIDE_BANDS),
        (9, 5, ""),
        (10, 5, ""),
        (11, None, rules.OUTSIDE_BANDS),  # after the last band
    ],
)
def test_r07_rank_basis_at_band_ends_and_in_gaps(rank: int, level: int | None, code: str) -> None:
    v = recognise_competition(comp("rank"), entry(rank=rank, score="10"))  # the score is ignored on a rank basis
    assert (v.level, v.reason_code) == (level, code)
    if code:
        assert f"第 {rank} 名不在任何认定规则内" in v.reason
        assert "第 1–3 名 → 三级/高级工" in v.reason  # names the rules
    else:
        assert (v.occupation_id, v.evidence_type, v.evidence_id, v.source_key) == (11, "competition", "3", "entry:3")
        assert v.evidence["rank"] == rank
        assert v.evidence["rule"].endswith(rules.level_label(level))


@pytest.mark.parametrize(
    ("score", "level", "code"),
    [
        ("100", 3, ""),
        ("90", 3, ""),  # the threshold itself
        ("89.9", 4, ""),  # just below: the next band
        ("75", 4, ""),
        ("74.9", None, rules.OUTSIDE_BANDS),
        ("0", None, rules.OUTSIDE_BANDS),
    ],
)
def test_r07_score_basis_at_thresholds(score: str, level: int | None, code: str) -> None:
    v = recognise_competition(comp("score"), entry(rank=1, score=score))  # the rank is ignored on a score basis
    assert (v.level, v.reason_code) == (level, code)
    assert v.evidence["score"] == score


def test_r07_the_basis_decides_which_result_counts() -> None:
    # rank 1 but no score: a score-based competition has no result for them
    v = recognise_competition(comp("score"), entry(rank=1))
    assert v.reason_code == rules.NO_RESULT
    assert "成绩" in v.reason
    v = recognise_competition(comp("rank"), entry(score="99"))
    assert v.reason_code == rules.NO_RESULT
    assert "名次" in v.reason


@pytest.mark.parametrize(
    ("audience", "participant", "is_student", "is_teacher", "code"),
    [
        ("students", "student", True, False, ""),
        ("students", "teacher", False, True, rules.NOT_ELIGIBLE_PARTICIPANT),  # a teacher in a students' contest
        ("teachers", "student", True, False, rules.NOT_ELIGIBLE_PARTICIPANT),
        ("teachers", "teacher", False, True, ""),
        ("both", "student", True, False, ""),
        ("both", "teacher", False, True, ""),
        ("both", "student", False, False, rules.NOT_ELIGIBLE_PARTICIPANT),  # left the school since
        ("both", "teacher", False, False, rules.NOT_ELIGIBLE_PARTICIPANT),  # no longer an active teacher
    ],
)
def test_r07_eligible_participants_for_the_audience(
    audience: str, participant: str, is_student: bool, is_teacher: bool, code: str
) -> None:
    e = entry(rank=2, participant=participant, is_student=is_student, is_teacher=is_teacher)
    v = recognise_competition(comp("rank", audience), e)
    assert v.reason_code == code
    if code:
        assert "张三" in v.reason


def test_r07_eligibility_is_checked_before_the_result() -> None:
    v = recognise_competition(comp("rank", "teachers"), entry(rank=None))
    assert v.reason_code == rules.NOT_ELIGIBLE_PARTICIPANT


def test_r07_students_stop_at_senior_worker_teachers_do_not() -> None:
    bands = (Band(D(1), D(1), 2), Band(D(2), D(5), 3))  # rank 1 → 技师
    student = recognise_competition(comp("rank", "both", bands), entry(rank=1))
    assert (student.reason_code, student.level) == (rules.STUDENT_LEVEL_CAP, 2)
    assert "三级/高级工" in student.reason
    assert "二级/技师" in student.reason
    assert rules.REASON_LABELS[rules.STUDENT_LEVEL_CAP] == "学生最高认定高级工"
    teacher = recognise_competition(
        comp("rank", "both", bands), entry(rank=1, participant="teacher", is_student=False, is_teacher=True)
    )
    assert (teacher.qualifies, teacher.level) == (True, 2)  # the R2/R3 gate (institution scope) decides later
    senior = recognise_competition(comp("rank", "both", bands), entry(rank=2))
    assert (senior.qualifies, senior.level) == (True, 3)


@pytest.mark.parametrize(
    ("rank", "score", "basis", "code"),
    [
        (None, None, "rank", "rank_required"),
        (None, "95", "rank", "rank_required"),
        (3, None, "score", "score_required"),
        (0, None, "", "bad_rank"),
        (None, "-0.1", "", "bad_score"),
        (None, "100.1", "", "bad_score"),
        (None, "99.95", "", "bad_score"),  # more than one decimal
    ],
)
def test_r07_results_are_checked(rank: int | None, score: str | None, basis: str, code: str) -> None:
    with pytest.raises(DomainError) as err:
        rules.check_result(rank, D(score) if score is not None else None, basis=basis)
    assert err.value.code == code


def test_r07_results_at_the_edges_are_fine() -> None:
    rules.check_result(1, D("0"), basis="rank")
    rules.check_result(None, D("100"), basis="score")
    rules.check_result(None, D("0.1"), basis="score")


def test_r07_score_bands_stay_within_0_to_100() -> None:
    rules.check_competition_bands([Band(D(0), D(100), 4)], basis="score")
    with pytest.raises(DomainError) as err:
        rules.check_competition_bands([Band(D(90), D(100), 3), Band(D(60), D("100.5"), 5)], basis="score")
    assert err.value.code in ("bands_overlap", "bad_score")
    with pytest.raises(DomainError) as err:
        rules.check_competition_bands([Band(D(90), D(120), 3)], basis="score")
    assert (err.value.code, err.value.extra["row"]) == ("bad_score", 1)
    with pytest.raises(DomainError) as err:
        rules.check_competition_bands([Band(D(1), D(3), 3)], basis="medal")
    assert err.value.code == "bad_basis"


def test_r07_band_labels() -> None:
    assert rules.band_label(Band(D(1), D(1), 3), basis="rank") == "第 1 名 → 三级/高级工"
    assert rules.band_label(Band(D(4), D(10), 4), basis="rank") == "第 4–10 名 → 四级/中级工"
    assert rules.band_label(Band(D(90), D(100), 3), basis="score") == "90–100 分 → 三级/高级工"


def test_r07_participant_check_names_the_audience() -> None:
    rules.check_participant("both", "teacher")
    with pytest.raises(DomainError) as err:
        rules.check_participant("students", "teacher", name="王老师")
    assert "王老师（教师）" in err.value.message
    assert "参赛对象（学生）" in err.value.message

"""The recognition pathways' rules, pure (no ORM): plain facts in, a `Verdict` or a `DomainError` out.

Every pathway turns its source rows into `Verdict`s — qualifies at an occupation and level with its
evidence, or refused with a reason code and a Chinese reason. The batch machinery (`batches.py`)
then adds the checks every pathway shares (R2/R3 gate, R8 "already holds", duplicates in the batch).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import pairwise
from typing import Any

from chizheng.core.errors import DomainError
from chizheng.occupations.choices import SkillLevel

from .choices import BatchStatus, XLevel

# ------------------------------------------------------------------------------------ reason codes
# One code per rule that can stop a candidate; the Chinese reason text names the rule and the row.
NO_MAPPING = "no_mapping"  # R5: the 1+X certificate has no occupation mapping
LEVEL_NOT_SELECTED = "level_not_selected"  # the batch is narrowed to another level
NOT_GRADUATING = "not_graduating"  # R6: neither a graduate nor in the graduating year
NOT_A_STUDENT = "not_a_student"  # R6: no student record at the school
COURSE_MISSING = "course_missing"  # R6: no result for mapped course X
COURSE_THEORY_FAILED = "course_theory_failed"  # R6: failed theory of course X
COURSE_PRACTICAL_FAILED = "course_practical_failed"  # R6: failed practical of course X
MAJOR_NOT_COVERED = "major_not_covered"  # R6: the mapping names another major
NO_RESULT = "no_result"  # R7: registered, no rank/score recorded
OUTSIDE_BANDS = "outside_bands"  # R7: rank or score outside every band
NOT_ELIGIBLE_PARTICIPANT = "not_eligible_participant"  # R7: a teacher in a students' competition, …
GATE = "gate"  # R2/R3: the institution may not assess the occupation at the level
ALREADY_CERTIFIED = "already_certified"  # R8: already holds a valid certificate for person × occupation × level
DUPLICATE_IN_BATCH = "duplicate_in_batch"  # R8: another row of the same batch already earns it

REASON_LABELS: dict[str, str] = {
    NO_MAPPING: "无职业对应",
    LEVEL_NOT_SELECTED: "非本批次等级",
    NOT_GRADUATING: "非毕业生或毕业年级",
    NOT_A_STUDENT: "非本校学生",
    COURSE_MISSING: "缺少课程成绩",
    COURSE_THEORY_FAILED: "课程理论未通过",
    COURSE_PRACTICAL_FAILED: "课程实践未通过",
    MAJOR_NOT_COVERED: "非方案适用专业",
    NO_RESULT: "无竞赛成绩",
    OUTSIDE_BANDS: "名次或成绩不在认定范围",
    NOT_ELIGIBLE_PARTICIPANT: "不属于参赛对象",
    GATE: "机构无权评价该职业等级",
    ALREADY_CERTIFIED: "已持有该证书",
    DUPLICATE_IN_BATCH: "本批次内重复",
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one source row of a batch (one future `BatchCandidate`).

    `source_key` identifies the row within the batch ("x:<id>", "course:<mapping>:<person>",
    "entry:<id>"); `evidence_type`/`evidence_id`/`evidence` go onto the certificate unchanged.
    Qualifies when `reason_code` is empty (then `occupation_id` and `level` are set).
    """

    source_key: str
    person_id: int
    evidence_type: str
    evidence_id: str
    evidence: dict[str, Any] = field(default_factory=dict)
    occupation_id: int | None = None
    trade_id: int | None = None
    level: int | None = None
    reason_code: str = ""
    reason: str = ""
    x_certificate_id: int | None = None
    competition_entry_id: int | None = None

    @property
    def qualifies(self) -> bool:
        return not self.reason_code

    def refuse(self, code: str, reason: str) -> Verdict:
        return replace(self, reason_code=code, reason=reason[:300])


def level_label(level: int | None) -> str:
    return str(SkillLevel(level).label) if level else "—"


# ---------------------------------------------------------------------------------------------- R5

#: R5: 1+X 高级 or 中级 → 高级工 (level 3); 1+X 初级 → 中级工 (level 4).
X_LEVEL_TO_SKILL_LEVEL: dict[str, int] = {
    XLevel.SENIOR: 3,
    XLevel.INTERMEDIATE: 3,
    XLevel.JUNIOR: 4,
}


def x_skill_level(x_level: str) -> int:
    """R5. The skill level a 1+X certificate of `x_level` is recognised at."""
    try:
        return X_LEVEL_TO_SKILL_LEVEL[x_level]
    except KeyError:
        raise ValueError(f"unknown 1+X level {x_level!r}") from None


@dataclass(frozen=True)
class XFacts:
    """What R5 needs of one 1+X record."""

    pk: int
    person_id: int
    organisation: str
    name: str
    level: str
    number: str
    issued_on: dt.date


@dataclass(frozen=True)
class MappingFacts:
    """The occupation (and trade) the city maps a 1+X certificate to."""

    occupation_id: int
    occupation_name: str
    trade_id: int | None = None


def x_mapping_key(name: str, organisation: str = "") -> tuple[str, str]:
    """How mappings are looked up: certificate name and organisation, whitespace-insensitive."""
    return ("".join(name.split()), "".join(organisation.split()))


def find_x_mapping(mappings: dict[tuple[str, str], MappingFacts], name: str, organisation: str) -> MappingFacts | None:
    """The mapping naming this organisation wins over the general one (organisation left empty)."""
    return mappings.get(x_mapping_key(name, organisation)) or mappings.get(x_mapping_key(name))


def recognise_x(x: XFacts, mapping: MappingFacts | None, *, only_level: int | None = None) -> Verdict:
    """R5 direct recognition of one 1+X record: 高级/中级 → 高级工 (3), 初级 → 中级工 (4), in the occupation
    the city maps the certificate to. No mapping → refused naming the certificate."""
    x_label = str(XLevel(x.level).label)
    verdict = Verdict(
        source_key=f"x:{x.pk}",
        person_id=x.person_id,
        evidence_type="one_x",
        evidence_id=str(x.pk),
        evidence={
            "x_certificate": x.pk,
            "organisation": x.organisation,
            "name": x.name,
            "level": x_label,
            "number": x.number,
            "issued_on": x.issued_on.isoformat(),
        },
        x_certificate_id=x.pk,
    )
    if mapping is None:
        return verdict.refuse(
            NO_MAPPING,
            f"1+X 证书“{x.name}”（{x.organisation}）没有对应的职业（市级对应表中无此证书），不能直接认定。",
        )
    level = x_skill_level(x.level)
    verdict = replace(verdict, occupation_id=mapping.occupation_id, trade_id=mapping.trade_id, level=level)
    if only_level is not None and level != only_level:
        return verdict.refuse(
            LEVEL_NOT_SELECTED,
            f"1+X {x_label}对应{level_label(level)}，本批次只认定{level_label(only_level)}。",
        )
    return verdict


# ---------------------------------------------------------------------------------------------- R6

#: R6: 本科/专科 students → 高级工 (level 3); 中职 students → 中级工 (level 4).
STAGE_TO_SKILL_LEVEL: dict[str, int] = {"undergraduate": 3, "junior_college": 3, "secondary": 4}
STAGE_LABELS: dict[str, str] = {"undergraduate": "本科", "junior_college": "专科", "secondary": "中职"}
#: R6 course results: a score at or above this mark is a pass (a course graded pass/fail gives only the flag).
COURSE_PASS_MARK = Decimal("60")


def stage_skill_level(stage: str) -> int:
    """R6. The level a student of `stage` is recognised at."""
    try:
        return STAGE_TO_SKILL_LEVEL[stage]
    except KeyError:
        raise ValueError(f"unknown stage {stage!r}") from None


def graduating_year_of(on_date: dt.date) -> int:
    """R6. The graduation year of the school year (1 September – 31 August) that contains `on_date`: a
    student whose expected graduation year is this (or earlier) is in the graduating year (毕业学年)."""
    return on_date.year + 1 if on_date.month >= 9 else on_date.year


def same_major(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


@dataclass(frozen=True)
class StudentFacts:
    """What R6 needs of one student record at the mapping's school (`status`: enrolled / graduated / left)."""

    stage: str
    major: str
    expected_graduation_year: int
    status: str = "enrolled"


@dataclass(frozen=True)
class CourseFacts:
    code: str
    name: str


@dataclass(frozen=True)
class CourseMappingFacts:
    """A course-certificate mapping (课证融通方案): its occupation, optional major and its courses."""

    pk: int
    name: str
    occupation_id: int
    courses: tuple[CourseFacts, ...]
    trade_id: int | None = None
    major: str = ""


@dataclass(frozen=True)
class CourseResultFacts:
    """A student's result in one course (theory exam and practical assessment)."""

    code: str
    name: str
    theory_passed: bool
    practical_passed: bool
    theory_score: Decimal | None = None
    practical_score: Decimal | None = None
    term: str = ""
    year: int | None = None


def course_key(code: str) -> str:
    """How course codes are compared: whitespace-insensitive, case-insensitive."""
    return "".join(code.split()).upper()


def choose_student(records: list[StudentFacts], major: str = "") -> StudentFacts | None:
    """The student record R6 judges: of the records at the school, those in the mapping's major when it
    names one (else all), not left before graduating where possible, the latest graduation year first."""
    if not records:
        return None
    pool = [r for r in records if same_major(r.major, major)] if major else list(records)
    pool = pool or list(records)
    return max(pool, key=lambda r: (r.status != "left", r.expected_graduation_year))


def _score(value: Decimal | None) -> str:
    return "" if value is None else f"（{value.normalize():f} 分）"


def check_course_result(
    *, theory_score: Decimal | None, theory_passed: bool | None, practical_score: Decimal | None,
    practical_passed: bool | None,
) -> tuple[bool, bool]:  # fmt: skip
    """R6 course-result input: each part (theory, practical) needs a score or a passed flag; a score is
    0–100 and, when both are given, the flag must agree with the pass mark. Returns (theory, practical) passed.
    Raises `DomainError` naming the field (theory_score, theory_passed, practical_score, practical_passed)."""
    out: list[bool] = []
    for part, label, score, passed in (
        ("theory", "理论", theory_score, theory_passed),
        ("practical", "实践", practical_score, practical_passed),
    ):
        if score is not None and not Decimal(0) <= score <= Decimal(100):
            raise DomainError("score_out_of_range", f"{label}成绩 {score} 超出 0–100 分。", field=f"{part}_score")
        if score is None and passed is None:
            raise DomainError("result_missing", f"请填写{label}成绩或{label}是否合格。", field=f"{part}_passed")
        by_score = None if score is None else score >= COURSE_PASS_MARK
        if by_score is not None and passed is not None and passed != by_score:
            raise DomainError(
                "passed_inconsistent",
                f"{label}成绩 {score} 分与“{label}合格：{'是' if passed else '否'}”不一致"
                f"（{COURSE_PASS_MARK:f} 分及以上为合格）。",
                field=f"{part}_passed",
            )
        out.append(passed if passed is not None else bool(by_score))
    return out[0], out[1]


def recognise_courses(
    *,
    person_id: int,
    mapping: CourseMappingFacts,
    student: StudentFacts | None,
    results: dict[str, CourseResultFacts],
    on_date: dt.date,
) -> Verdict:
    """R6 process assessment of one student under one mapping on `on_date`: a graduate, or a student in the
    graduating school year (`graduating_year_of`), in the mapping's major when it names one, who passed both
    the theory and the practical of every mapped course → 高级工 (本科/专科) or 中级工 (中职), in the
    mapping's occupation. `results` are the student's results at the school keyed by `course_key`. Refusals
    name the rule and the courses (every course problem is listed; the code is the first one's)."""
    courses = []
    for course in mapping.courses:
        r = results.get(course_key(course.code))
        courses.append(
            {
                "code": course.code,
                "name": course.name,
                "theory_score": None if r is None or r.theory_score is None else f"{r.theory_score:f}",
                "theory_passed": None if r is None else r.theory_passed,
                "practical_score": None if r is None or r.practical_score is None else f"{r.practical_score:f}",
                "practical_passed": None if r is None else r.practical_passed,
                "term": "" if r is None else r.term,
                "year": None if r is None else r.year,
            }
        )
    verdict = Verdict(
        source_key=f"course:{mapping.pk}:{person_id}",
        person_id=person_id,
        evidence_type="course_results",
        evidence_id=f"{mapping.pk}:{person_id}",
        evidence={"mapping": mapping.name, "courses": courses},
    )
    if student is None:
        return verdict.refuse(NOT_A_STUDENT, "在本校没有学籍记录（R6 只认定本校毕业生或毕业学年学生）。")
    stage = STAGE_LABELS.get(student.stage, student.stage)
    evidence = {
        "mapping": mapping.name,
        "stage": stage,
        "major": student.major,
        "graduation": f"{student.expected_graduation_year} 届",
        "courses": courses,
    }
    verdict = replace(verdict, evidence=evidence)
    year = graduating_year_of(on_date)
    if student.status == "left":
        return verdict.refuse(NOT_GRADUATING, "学籍状态为离校（未毕业），过程化考核只认定毕业生或毕业学年学生。")
    if student.status != "graduated" and student.expected_graduation_year > year:
        return verdict.refuse(
            NOT_GRADUATING,
            f"预计 {student.expected_graduation_year} 年毕业，{on_date:%Y-%m-%d} 所在学年的毕业年份为 {year} 年："
            "过程化考核只认定毕业生或毕业学年学生。",
        )
    if mapping.major and not same_major(student.major, mapping.major):
        return verdict.refuse(
            MAJOR_NOT_COVERED, f"所学专业“{student.major}”不是方案“{mapping.name}”适用的专业“{mapping.major}”。"
        )
    problems: list[tuple[str, str]] = []
    for course in mapping.courses:
        r = results.get(course_key(course.code))
        label = f"{course.code} {course.name}"
        if r is None:
            problems.append((COURSE_MISSING, f"缺少课程 {label} 的成绩"))
            continue
        if not r.theory_passed:
            problems.append((COURSE_THEORY_FAILED, f"课程 {label} 理论考试未通过{_score(r.theory_score)}"))
        if not r.practical_passed:
            problems.append((COURSE_PRACTICAL_FAILED, f"课程 {label} 实践考核未通过{_score(r.practical_score)}"))
    if problems:
        return verdict.refuse(problems[0][0], "；".join(text for _, text in problems) + "。")
    return replace(
        verdict,
        occupation_id=mapping.occupation_id,
        trade_id=mapping.trade_id,
        level=stage_skill_level(student.stage),
    )


# ---------------------------------------------------------------------------------- shared checks


def refuse_already_certified(verdict: Verdict, *, occupation_name: str) -> Verdict:
    """R8: one valid certificate per person × occupation × level."""
    return verdict.refuse(
        ALREADY_CERTIFIED,
        f"已持有{occupation_name}{level_label(verdict.level)}的有效证书（同一人同一职业同一等级只能有一本有效证书）。",
    )


def refuse_duplicate(verdict: Verdict, *, first_source: str, occupation_name: str) -> Verdict:
    """R8 within one batch: the first source row earns the certificate, later ones are refused."""
    return verdict.refuse(
        DUPLICATE_IN_BATCH,
        f"本批次中已有同一人{occupation_name}{level_label(verdict.level)}的认定（来源 {first_source}），不重复发证。",
    )


def refuse_gate(verdict: Verdict, message: str) -> Verdict:
    """R2/R3: the issuing institution may not assess this occupation at this level."""
    return verdict.refuse(GATE, f"评价机构不能认定：{message}")


def apply_shared_checks(
    verdicts: list[Verdict],
    *,
    gate_errors: dict[tuple[int, int], str],
    certified: set[tuple[int, int, int]],
    occupation_names: dict[int, str],
) -> list[Verdict]:
    """The checks every pathway shares, in order, on the verdicts that still qualify:
    the R2/R3 gate per (occupation, level) (`gate_errors` holds the gate's message where it refuses),
    R8 against existing valid certificates (`certified` = {(person, occupation, level)}), and R8 within
    the batch (the first row wins)."""
    out: list[Verdict] = []
    first: dict[tuple[int, int, int], str] = {}
    for v in verdicts:
        if v.qualifies:
            assert v.occupation_id is not None
            assert v.level is not None
            name = occupation_names.get(v.occupation_id, "")
            key = (v.person_id, v.occupation_id, v.level)
            if (v.occupation_id, v.level) in gate_errors:
                v = refuse_gate(v, gate_errors[(v.occupation_id, v.level)])
            elif key in certified:
                v = refuse_already_certified(v, occupation_name=name)
            elif key in first:
                v = refuse_duplicate(v, first_source=first[key], occupation_name=name)
            else:
                first[key] = v.source_key
        out.append(v)
    return out


def check_batch_open(status: str) -> None:
    """A batch can be (re)previewed and confirmed only before it is confirmed."""
    if status not in (BatchStatus.DRAFT, BatchStatus.PREVIEWED):
        raise DomainError(
            "batch_closed", f"批次状态为“{BatchStatus(status).label}”，已确认的批次不能再预览或确认（不会重复发证）。"
        )


def check_batch_previewed(status: str, qualified: int) -> None:
    """Confirm needs a preview first and at least one qualifying candidate."""
    check_batch_open(status)
    if status != BatchStatus.PREVIEWED:
        raise DomainError("not_previewed", "请先预览批次，核对符合条件的人员后再确认。")
    if qualified == 0:
        raise DomainError("nobody_qualifies", "本批次没有符合条件的人员，无需确认。")


# ---------------------------------------------------------------------------------------------- R7


@dataclass(frozen=True)
class Band:
    """One competition rule: an inclusive range of ranks (basis "rank") or scores (basis "score") → level."""

    low: Decimal  # rank_from, or score_min
    high: Decimal  # rank_to, or score_max
    level: int


def check_bands(bands: list[Band], *, basis: str) -> None:
    """R7. A competition's bands are well-formed ranges that do not overlap (one result → at most one level).
    Ranks are whole numbers from 1; scores are ≥ 0. Raises naming the (1-based) rows in question."""
    label = "名次" if basis == "rank" else "成绩"
    if not bands:
        raise DomainError("no_bands", "请至少填写一条认定规则（名次或成绩范围 → 等级）。", field="bands")
    for row, band in enumerate(bands, start=1):
        if not 1 <= band.level <= 5:
            raise DomainError("bad_level", f"第 {row} 条规则：等级应为 1–5 级。", field="bands", row=row)
        if basis == "rank" and (band.low < 1 or band.low != band.low.to_integral_value()):
            raise DomainError("bad_rank", f"第 {row} 条规则：名次应为从 1 开始的整数。", field="bands", row=row)
        if band.low < 0 or band.high < band.low:
            raise DomainError(
                "bad_range", f"第 {row} 条规则：{label}范围 {band.low}–{band.high} 无效（起点不能大于终点）。",
                field="bands", row=row,
            )  # fmt: skip
    ordered = sorted(enumerate(bands, start=1), key=lambda rb: (rb[1].low, rb[1].high))
    for (row_a, a), (row_b, b) in pairwise(ordered):
        if b.low <= a.high:
            first, second = sorted((row_a, row_b))
            raise DomainError(
                "bands_overlap",
                f"第 {first} 条与第 {second} 条规则的{label}范围重叠（{a.low}–{a.high} 与 {b.low}–{b.high}），"
                "同一成绩只能对应一个等级。",
                field="bands",
                rows=[first, second],
            )


def band_level(bands: list[Band], value: Decimal | int | None) -> int | None:
    """R7. The level a rank or score earns under the (checked) bands, or None when outside every band."""
    if value is None:
        return None
    for band in bands:
        if band.low <= value <= band.high:
            return band.level
    return None


# R7: more reason codes (students are certified up to 高级工 only; see REASON_LABELS below).
STUDENT_LEVEL_CAP = "student_level_cap"  # R7: a band would give a student 技师/高级技师
REASON_LABELS[STUDENT_LEVEL_CAP] = "学生最高认定高级工"

#: Schools certify their students up to 高级工 (level 3; 1 is the highest). Teachers: the institution's scope.
STUDENT_HIGHEST_LEVEL = 3
#: Competition scores (and score bands) are 0–100 with at most one decimal.
SCORE_MAX = Decimal(100)
#: Who may enter a competition of each audience.
AUDIENCE_PARTICIPANTS: dict[str, frozenset[str]] = {
    "students": frozenset({"student"}),
    "teachers": frozenset({"teacher"}),
    "both": frozenset({"student", "teacher"}),
}
_PARTICIPANT_LABELS = {"student": "学生", "teacher": "教师"}
_AUDIENCE_LABELS = {"students": "学生", "teachers": "教师", "both": "学生和教师"}


def band_label(band: Band, *, basis: str) -> str:
    """A band as the preview and the certificate's evidence show it: "第 1–3 名 → 三级/高级工"."""
    if basis == "rank":
        span = f"第 {band.low:.0f} 名" if band.low == band.high else f"第 {band.low:.0f}–{band.high:.0f} 名"
    else:
        span = f"{_num(band.low)}–{_num(band.high)} 分"
    return f"{span} → {level_label(band.level)}"


def _num(value: Decimal) -> str:
    """90.0 → "90", 89.9 → "89.9"."""
    return f"{value.normalize():f}"


def check_competition_bands(bands: list[Band], *, basis: str) -> None:
    """R7. `check_bands` (well-formed, no overlaps, naming the rows) plus: score bands stay within 0–100 with at
    most one decimal, and the basis is rank or score."""
    if basis not in ("rank", "score"):
        raise DomainError("bad_basis", "认定规则应为按名次或按成绩。", field="basis")
    check_bands(bands, basis=basis)
    if basis == "score":
        for row, band in enumerate(bands, start=1):
            for value in (band.low, band.high):
                if value > SCORE_MAX or value != value.quantize(Decimal("0.1")):
                    raise DomainError(
                        "bad_score",
                        f"第 {row} 条规则：成绩 {value} 无效（应为 0–100，最多一位小数）。",
                        field="bands",
                        row=row,
                    )


def check_participant(audience: str, participant: str, *, name: str = "") -> None:
    """R7. A students' competition takes students, a teachers' one teachers, "both" either."""
    if participant not in AUDIENCE_PARTICIPANTS.get(audience, frozenset()):
        who = f"{name}（{_PARTICIPANT_LABELS.get(participant, participant)}）" if name else "该人员"
        raise DomainError(
            "not_eligible_participant",
            f"{who}不属于本竞赛的参赛对象（{_AUDIENCE_LABELS.get(audience, audience)}）。",
            field="participant",
        )


def check_result(rank: int | None, score: Decimal | None, *, basis: str) -> None:
    """R7. A recorded result: a rank is a whole number from 1, a score 0–100 with at most one decimal, and the
    competition's basis (rank or score) must be given — the level is read from it."""
    if rank is not None and rank < 1:
        raise DomainError("bad_rank", f"名次 {rank} 无效（应为从 1 开始的整数）。", field="rank")
    if score is not None and (score < 0 or score > SCORE_MAX or score != score.quantize(Decimal("0.1"))):
        raise DomainError("bad_score", f"成绩 {score} 无效（应为 0–100，最多一位小数）。", field="score")
    if basis == "rank" and rank is None:
        raise DomainError("rank_required", "本竞赛按名次认定，请填写名次。", field="rank")
    if basis == "score" and score is None:
        raise DomainError("score_required", "本竞赛按成绩认定，请填写成绩。", field="score")


@dataclass(frozen=True)
class CompetitionFacts:
    """What R7 needs of one competition: its occupation, audience, basis and bands."""

    pk: int
    name: str
    held_on: dt.date
    occupation_id: int
    audience: str
    basis: str
    bands: tuple[Band, ...]
    trade_id: int | None = None


@dataclass(frozen=True)
class EntryFacts:
    """What R7 needs of one entry. `is_student`/`is_teacher`: the person is (still) a student / an active teacher
    of the competition's school."""

    pk: int
    person_id: int
    name: str
    participant: str
    rank: int | None
    score: Decimal | None
    is_student: bool
    is_teacher: bool


def recognise_competition(c: CompetitionFacts, e: EntryFacts) -> Verdict:
    """R7 for one entry, in order: an eligible participant for the audience (and still a student / an active
    teacher of the school), a result recorded, the result within a band (rank or score by the competition's
    basis), and a student's level at most 高级工. The R2/R3 gate and R8 follow in the shared checks."""
    value: Decimal | int | None = e.rank if c.basis == "rank" else e.score
    band = next((b for b in c.bands if value is not None and b.low <= value <= b.high), None)
    evidence: dict[str, Any] = {
        "competition": c.name,
        "held_on": c.held_on.isoformat(),
        "participant": _PARTICIPANT_LABELS.get(e.participant, e.participant),
        "rank": e.rank,
        "score": str(e.score) if e.score is not None else None,
    }
    if band is not None:
        evidence["rule"] = band_label(band, basis=c.basis)
    verdict = Verdict(
        source_key=f"entry:{e.pk}",
        person_id=e.person_id,
        evidence_type="competition",
        evidence_id=str(e.pk),
        evidence={k: v for k, v in evidence.items() if v is not None},
        competition_entry_id=e.pk,
    )
    try:
        check_participant(c.audience, e.participant, name=e.name)
    except DomainError as err:
        return verdict.refuse(NOT_ELIGIBLE_PARTICIPANT, err.message)
    if (e.participant == "student" and not e.is_student) or (e.participant == "teacher" and not e.is_teacher):
        role = "在籍学生" if e.participant == "student" else "在职教师"
        return verdict.refuse(NOT_ELIGIBLE_PARTICIPANT, f"{e.name}已不是本校{role}，不能按本竞赛认定。")
    if value is None:
        what = "名次" if c.basis == "rank" else "成绩"
        return verdict.refuse(NO_RESULT, f"“{c.name}”尚未录入{e.name}的{what}（本竞赛按{what}认定）。")
    if band is None:
        shown = f"第 {value} 名" if c.basis == "rank" else f"{_num(Decimal(value))} 分"
        rules_text = "；".join(band_label(b, basis=c.basis) for b in c.bands)
        return verdict.refuse(OUTSIDE_BANDS, f"{shown}不在任何认定规则内（{rules_text}）。")
    verdict = replace(verdict, occupation_id=c.occupation_id, trade_id=c.trade_id, level=band.level)
    if e.participant == "student" and band.level < STUDENT_HIGHEST_LEVEL:
        return verdict.refuse(
            STUDENT_LEVEL_CAP,
            f"规则“{band_label(band, basis=c.basis)}”对学生不适用：院校为学生认定最高到"
            f"{level_label(STUDENT_HIGHEST_LEVEL)}，不能认定{level_label(band.level)}。",
        )
    return verdict

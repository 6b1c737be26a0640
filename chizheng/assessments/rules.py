"""The exam pathway's rules (考试考核, R4), over plain facts. No ORM here.

Levels follow the national numbering: 1 = 高级技师 is the HIGHEST, 5 = 初级工 the lowest, so
"up to 中级工" means level >= 4.

- eligibility: who may sit which level (`check_eligible`);
- scores: 0–100, at most one decimal (`parse_score`); pass = theory AND skill reach their pass marks;
- staffing before a session starts (`staffing_problems`, `check_staffing`), with the ratios of
  DESIGN.md as a `StaffingPolicy` that the occupation's national standard (or, without one, its
  evaluation spec) and the session may override field by field (`resolve_policy`, `check_policy_values`);
- double entry of scores: two different examiners enter independently; a score is accepted only when
  every entry agrees (`entry_state`), and confirmation waits for all (`check_may_confirm`);
- the session's status machine (`check_transition`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from chizheng.core.errors import DomainError

LEVEL_LABELS = {5: "初级工", 4: "中级工", 3: "高级工", 2: "技师", 1: "高级技师"}

# Eligibility ceilings (highest level a candidate may sit; smaller number = higher level).
SECONDARY_CEILING = 4  # 中职: up to 中级工
SECONDARY_OUTSTANDING_CEILING = 3  # outstanding graduate / graduating-year 中职 student: 高级工
COLLEGE_CEILING = 3  # 专科/本科: schools certify their students up to 高级工 (DESIGN.md)
IN_SCHOOL_NEVER = (1, 2)  # in-school students never sit 技师/高级技师

SECONDARY = "secondary"
COLLEGE_STAGES = ("junior_college", "undergraduate")

# Scores and pass marks.
SCORE_MIN = Decimal("0")
SCORE_MAX = Decimal("100")
DEFAULT_PASS_MARK = Decimal("60")
DEFAULT_PUBLICITY_DAYS = 7


@dataclass(frozen=True)
class StaffingPolicy:
    """Staffing ratios (DESIGN.md defaults); a session or occupation standard may set others."""

    candidates_per_invigilator: int = 15
    invigilators_per_room: int = 2
    candidates_per_examiner: int = 5
    min_examiners: int = 3
    examiners_odd: bool = True
    supervisors: int = 1


DEFAULT_STAFFING = StaffingPolicy()

# The policy fields an occupation standard, an evaluation spec or a session may set (None = not set).
POLICY_FIELDS = (
    "candidates_per_invigilator",
    "invigilators_per_room",
    "candidates_per_examiner",
    "min_examiners",
    "examiners_odd",
)
POLICY_LABELS = {
    "candidates_per_invigilator": "每名监考员对应考生数",
    "invigilators_per_room": "每考场最少监考员",
    "candidates_per_examiner": "每名考评员对应考生数",
    "min_examiners": "最少考评员",
    "examiners_odd": "考评员须为单数",
}
# Bounds of the integer fields; double entry needs two examiners, so no policy may ask for fewer.
POLICY_BOUNDS = {
    "candidates_per_invigilator": (1, 100),
    "invigilators_per_room": (1, 10),
    "candidates_per_examiner": (1, 100),
    "min_examiners": (2, 25),
}


def resolve_policy(*layers: Mapping[str, object]) -> StaffingPolicy:
    """The policy from layers, most specific first (session, then standard or spec): each field takes
    the first value that is set (not None), else DESIGN.md's default."""
    values: dict[str, object] = {}
    for name in POLICY_FIELDS:
        for layer in layers:
            value = layer.get(name)
            if value is not None:
                values[name] = value
                break
    return replace(DEFAULT_STAFFING, **values)  # type: ignore[arg-type]


def check_policy_values(values: Mapping[str, object]) -> dict[str, object]:
    """Validate staffing values typed by whoever maintains a standard or spec; None/'' = use the default.
    Returns the cleaned values; raises DomainError naming the field."""
    cleaned: dict[str, object] = {}
    for name in POLICY_FIELDS:
        raw = values.get(name)
        label = POLICY_LABELS[name]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[name] = None
            continue
        if name == "examiners_odd":
            if not isinstance(raw, bool):
                raise DomainError("policy_bad_value", f"{label}：应为“是”或“否”。", field=name)
            cleaned[name] = raw
            continue
        try:
            number = int(str(raw).strip()) if not isinstance(raw, bool) else None
        except ValueError:
            number = None
        if number is None:
            raise DomainError("policy_bad_value", f"{label}：“{raw}”不是整数。", field=name)
        low, high = POLICY_BOUNDS[name]
        if not low <= number <= high:
            extra = "（双人录入成绩至少需要 2 名考评员）" if name == "min_examiners" else ""
            raise DomainError("policy_out_of_range", f"{label}：应在 {low}–{high} 之间{extra}。", field=name)
        cleaned[name] = number
    return cleaned


# --- eligibility ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateFacts:
    """What eligibility needs to know about one candidate.

    `stage` is the student stage ('secondary', 'junior_college', 'undergraduate') or None for a
    social learner; `graduated` is True when the student record says 已毕业.
    """

    name: str
    stage: str | None
    expected_graduation_year: int | None = None
    graduated: bool = False
    outstanding: bool = False

    @property
    def is_student(self) -> bool:
        return self.stage is not None


def level_label(level: int) -> str:
    return LEVEL_LABELS.get(int(level), str(level))


def graduating_or_graduated(candidate: CandidateFacts, session_year: int) -> bool:
    """A graduate, or a student whose expected graduation year is the session's year or earlier."""
    if candidate.graduated:
        return True
    return candidate.expected_graduation_year is not None and candidate.expected_graduation_year <= session_year


def highest_level_for(candidate: CandidateFacts, session_year: int, scope_highest: int | None = None) -> int:
    """The highest level (smallest number) `candidate` may sit in a session held in `session_year`."""
    if not candidate.is_student:
        return scope_highest if scope_highest is not None else 1
    if candidate.stage == SECONDARY:
        if candidate.outstanding and graduating_or_graduated(candidate, session_year):
            return SECONDARY_OUTSTANDING_CEILING
        return SECONDARY_CEILING
    return COLLEGE_CEILING


def check_eligible(
    candidate: CandidateFacts, *, level: int, session_year: int, scope_highest: int | None = None
) -> None:
    """R4. Raise DomainError naming the candidate and the reason unless they may sit `level`."""
    level = int(level)
    if level not in LEVEL_LABELS:
        raise DomainError("bad_level", f"等级 {level} 不存在（1–5 级）。", field="level")
    who = candidate.name
    if candidate.is_student and not candidate.graduated and level in IN_SCHOOL_NEVER:
        raise DomainError(
            "ineligible_in_school",
            f"{who}：在校学生不得报考{level_label(level)}（技师、高级技师）。",
            field="level",
        )
    ceiling = highest_level_for(candidate, session_year, scope_highest)
    if level >= ceiling:
        return
    if candidate.stage == SECONDARY:
        if level == SECONDARY_OUTSTANDING_CEILING:
            reason = "中职学生可报考至中级工；报考高级工须为应届或已毕业的优秀中职学生"
        else:
            reason = "中职学生最高可报考中级工（优秀应届或毕业生可报考高级工）"
    elif candidate.is_student:
        reason = "院校为本校专科、本科学生评价的最高等级为高级工"
    else:
        reason = f"超出评价机构的评价范围（最高{level_label(ceiling)}）"
    raise DomainError("ineligible_level", f"{who}：不能报考{level_label(level)}，{reason}。", field="level")


def check_not_registered(*, name: str, already: bool) -> None:
    """One registration per person × occupation × level per session."""
    if already:
        raise DomainError("already_registered", f"{name} 已报名本场考核（同一职业、等级）。", field="person")


# --- scores --------------------------------------------------------------------------------------


def parse_score(value: object, *, column: str = "成绩") -> Decimal:
    """A score in [0, 100] with at most one decimal; DomainError naming the column otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError("score_missing", f"{column}：未填写。", field=column)
    if isinstance(value, bool):
        raise DomainError("score_not_number", f"{column}：不是数字。", field=column)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        raise DomainError("score_not_number", f"{column}：“{value}”不是数字。", field=column) from None
    if not number.is_finite():
        raise DomainError("score_not_number", f"{column}：“{value}”不是数字。", field=column)
    if number < SCORE_MIN or number > SCORE_MAX:
        raise DomainError("score_out_of_range", f"{column}：{value} 超出 0–100 分。", field=column)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        raise DomainError("score_too_precise", f"{column}：{value} 最多保留一位小数。", field=column)
    return number.quantize(Decimal("0.1"))


def check_pass_mark(value: object, *, column: str) -> Decimal:
    """A session's pass mark: a valid score above 0."""
    mark = parse_score(value, column=column)
    if mark <= 0:
        raise DomainError("pass_mark_zero", f"{column}：合格线须大于 0。", field=column)
    return mark


def check_weighting(theory_weight: int, skill_weight: int) -> None:
    """Theory and skill weights are whole percentages adding up to 100."""
    if theory_weight < 0 or skill_weight < 0 or theory_weight + skill_weight != 100:
        raise DomainError(
            "bad_weighting", f"理论与技能权重之和须为 100（现为 {theory_weight} + {skill_weight}）。", field="weighting"
        )


def passed(theory: Decimal, skill: Decimal, *, theory_pass: Decimal, skill_pass: Decimal) -> bool:
    """R4: pass = theory reaches its pass mark AND skill reaches its pass mark."""
    return theory >= theory_pass and skill >= skill_pass


def total_score(theory: Decimal, skill: Decimal, *, theory_weight: int, skill_weight: int) -> Decimal:
    """The weighted total shown on the result list (it does not decide passing)."""
    return ((theory * theory_weight + skill * skill_weight) / Decimal(100)).quantize(Decimal("0.1"))


# --- staffing ------------------------------------------------------------------------------------


def required_invigilators(candidates: int, rooms: int, policy: StaffingPolicy = DEFAULT_STAFFING) -> int:
    """Theory invigilators: ≥ ceil(n / 15) and ≥ 2 per room."""
    return max(math.ceil(candidates / policy.candidates_per_invigilator), policy.invigilators_per_room * rooms)


def required_examiners(candidates: int, policy: StaffingPolicy = DEFAULT_STAFFING) -> int:
    """Skill examiners: ≥ max(3, ceil(n / 5)), rounded up to an odd number (when the policy says so)."""
    need = max(policy.min_examiners, math.ceil(candidates / policy.candidates_per_examiner))
    if policy.examiners_odd and need % 2 == 0:
        need += 1
    return need


@dataclass(frozen=True)
class ExaminerFact:
    """One assigned skill examiner: whether qualified for the occupation and level on the day, and
    the conflicts (reasons) with the session's candidates."""

    name: str
    qualified: bool
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffingFacts:
    candidates: int
    rooms: int
    invigilators: int
    supervisors: int
    examiners: Sequence[ExaminerFact] = field(default_factory=tuple)


def staffing_problems(facts: StaffingFacts, policy: StaffingPolicy = DEFAULT_STAFFING) -> list[str]:
    """Every reason the session may not start yet (empty when it may)."""
    problems: list[str] = []
    n = facts.candidates
    if n <= 0:
        problems.append("尚无考生报名。")
    if facts.rooms < 1:
        problems.append("至少需要 1 个考场。")
    need_inv = required_invigilators(n, max(facts.rooms, 1), policy)
    if facts.invigilators < need_inv:
        problems.append(
            f"理论考试监考员 {facts.invigilators} 人，至少需要 {need_inv} 人"
            f"（每 {policy.candidates_per_invigilator} 名考生 1 人，"
            f"且每个考场不少于 {policy.invigilators_per_room} 人）。"
        )
    count = len(facts.examiners)
    need_exa = required_examiners(n, policy)
    if count < need_exa:
        odd = "，且为单数" if policy.examiners_odd else ""
        problems.append(
            f"技能考评员 {count} 人，至少需要 {need_exa} 人"
            f"（不少于 {policy.min_examiners} 人、每 {policy.candidates_per_examiner} 名考生 1 人{odd}）。"
        )
    elif policy.examiners_odd and count % 2 == 0:
        problems.append(f"技能考评员 {count} 人，须为单数。")
    if facts.supervisors < policy.supervisors:
        problems.append("须配备督导员。")
    for examiner in facts.examiners:
        if not examiner.qualified:
            problems.append(f"考评员 {examiner.name} 不具备本职业、本等级的有效考评资格。")
        for conflict in examiner.conflicts:
            problems.append(f"考评员 {examiner.name} 须回避：{conflict}。")
    return problems


def check_staffing(facts: StaffingFacts, policy: StaffingPolicy = DEFAULT_STAFFING) -> None:
    """Raise DomainError listing every staffing problem, or return."""
    problems = staffing_problems(facts, policy)
    if problems:
        raise DomainError("staffing", "考评人员配备不符合要求：" + "；".join(problems), problems=problems)


# --- double entry -------------------------------------------------------------------------------

PENDING = "pending"  # no entry, or one examiner's only: waiting for a second, independent entry
AGREED = "agreed"  # two or more examiners entered, all the same: the score is accepted
DISAGREED = "disagreed"  # two or more examiners entered different values: to be re-entered

ENTRY_STATE_LABELS = {PENDING: "待复核录入", AGREED: "双人录入一致", DISAGREED: "两次录入不一致"}


def entry_state(entries: Sequence[tuple[Decimal, Decimal]]) -> str:
    """The state of one candidate's independent entries (theory, skill), one per examiner."""
    if len(entries) < 2:
        return PENDING
    return AGREED if len(set(entries)) == 1 else DISAGREED


def check_scoring_open(status: str) -> None:
    """Scores are entered while the session is in progress or scored, not before it starts nor after
    confirmation."""
    if status not in ("in_progress", "scored"):
        label = STATUS_LABELS.get(status, status)
        raise DomainError("not_in_progress", f"考核场次当前为“{label}”：只有考核中的场次可以录入成绩。")


def check_may_confirm(*, candidates: int, missing: int, disagreements: int) -> None:
    """Scores are confirmed only when every candidate's score was entered twice and both entries agree."""
    if candidates <= 0:
        raise DomainError("no_candidates", "本场次没有考生，无需确认成绩。")
    problems = []
    if disagreements:
        problems.append(f"{disagreements} 名考生的两次录入不一致，须由考评员核对后重新录入")
    if missing:
        problems.append(f"{missing} 名考生尚未完成两名考评员的双人录入")
    if problems:
        raise DomainError("scores_incomplete", "不能确认成绩：" + "；".join(problems) + "。", problems=problems)


# --- status machine ------------------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("staffed",),
    "staffed": ("in_progress", "planned"),
    "in_progress": ("scored",),
    "scored": ("confirmed", "in_progress"),  # back when a re-entry breaks an agreement
    "confirmed": ("publicised",),
    "publicised": ("issued",),
    "issued": (),
}

STATUS_LABELS = {
    "planned": "已计划",
    "staffed": "已配备考评人员",
    "in_progress": "考核中",
    "scored": "已录入成绩",
    "confirmed": "成绩已确认",
    "publicised": "结果公示中",
    "issued": "已发证",
}


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, ()):
        raise DomainError(
            "bad_transition",
            f"考核场次当前为“{STATUS_LABELS.get(current, current)}”，不能变为“{STATUS_LABELS.get(target, target)}”。",
        )


def check_registration_open(status: str) -> None:
    """Candidates register (or withdraw) only before the session starts."""
    if status not in ("planned", "staffed"):
        raise DomainError("registration_closed", "考核已开始，不能再报名或变更考生。")


def publicity_ends(publicised_on: dt.date, days: int) -> dt.date:
    """The last day of the publicity period: `days` full days after the day of publication (as the
    certification service counts it); issuance may follow the day after."""
    return publicised_on + dt.timedelta(days=days)


def check_publicity_over(*, publicised_on: dt.date, days: int, today: dt.date, open_objections: int) -> None:
    """Certificates are issued only after the publicity period and with every objection resolved."""
    ends = publicity_ends(publicised_on, days)
    if today <= ends:
        raise DomainError("publicity_running", f"结果公示至 {ends.isoformat()}，公示期满后方可发证。")
    if open_objections:
        raise DomainError("objections_open", f"尚有 {open_objections} 件异议未处理。")

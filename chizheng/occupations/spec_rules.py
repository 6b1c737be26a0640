"""Pure rules of evaluation specs (评价规范, R3): no ORM, DomainError on refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from decimal import Decimal, InvalidOperation

from chizheng.core.errors import DomainError

from .choices import SpecStatus, Verdict

MIN_APPROVALS = 5
"""At least five DISTINCT experts must approve before a spec may go to the provincial HRSS."""

APPROVING = frozenset({Verdict.APPROVE.value, Verdict.APPROVE_WITH_CHANGES.value})
"""Both "approve" and "approve with changes" count as an approval; "reject" does not."""

EDITABLE = frozenset({SpecStatus.DRAFT.value, SpecStatus.UNDER_REVIEW.value})
REVIEWABLE = frozenset({SpecStatus.DRAFT.value, SpecStatus.UNDER_REVIEW.value})


def check_occupation_needs_spec(*, code: str, has_national_standard: bool) -> None:
    """R3 specs are for occupations WITHOUT a national skill standard."""
    if has_national_standard:
        raise DomainError(
            "occupation_has_standard",
            f"职业 {code} 已有国家职业技能标准，应按国家标准评价，不能另行制定评价规范。",
            field="occupation",
        )


def check_levels(levels: Iterable[int], *, field: str = "levels") -> list[int]:
    """Distinct levels 5..1, at least one; returned highest number (五级) first."""
    out: set[int] = set()
    for level in levels:
        try:
            value = int(level)
        except (TypeError, ValueError):
            raise DomainError("level_unknown", f"等级“{level}”无法识别，应为 1–5。", field=field) from None
        if value not in (1, 2, 3, 4, 5):
            raise DomainError("level_unknown", f"等级“{level}”不存在，应为 1–5（五级至一级）。", field=field)
        out.add(value)
    if not out:
        raise DomainError("levels_missing", "评价规范至少要设置一个等级。", field=field)
    return sorted(out, reverse=True)


def check_weights(theory: object, skill: object) -> tuple[Decimal, Decimal]:
    """Theory and skill weighting: percentages 0..100 (two decimals at most) summing to exactly 100."""
    parsed: list[Decimal] = []
    for name, label, value in (("theory_weight", "理论知识权重", theory), ("skill_weight", "操作技能权重", skill)):
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except (InvalidOperation, ValueError):
            raise DomainError("weight_format", f"{label}“{value}”不是数字。", field=name) from None
        if not number.is_finite() or number < 0 or number > 100:
            raise DomainError("weight_range", f"{label}应在 0–100 之间，填写的是 {value}。", field=name)
        if number != number.quantize(Decimal("0.01")):
            raise DomainError("weight_precision", f"{label}最多保留两位小数。", field=name)
        parsed.append(number.quantize(Decimal("0.01")))
    if parsed[0] + parsed[1] != Decimal(100):
        raise DomainError(
            "weights_not_100",
            f"理论知识权重与操作技能权重之和应为 100%，现为 {parsed[0] + parsed[1]}%。",
            field="skill_weight",
        )
    return parsed[0], parsed[1]


def check_ratio(value: object, *, label: str, field: str) -> int:
    """A staffing ratio: how many candidates per invigilator/examiner, 1..200."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("ratio_format", f"{label}应为正整数，填写的是“{value}”。", field=field) from None
    if not 1 <= number <= 200:
        raise DomainError("ratio_range", f"{label}应在 1–200 之间，填写的是 {number}。", field=field)
    return number


def check_editable(status: str, *, opinions: int) -> None:
    """A spec is edited while drafted or under review and before any expert gave an opinion
    (the experts must have reviewed exactly what is submitted)."""
    if status not in EDITABLE:
        raise DomainError("spec_not_editable", f"评价规范已{SpecStatus(status).label}，不能再修改。")
    if opinions:
        raise DomainError(
            "spec_reviewed", f"已有 {opinions} 位专家提交了评审意见，评价规范不能再修改；如需修改请撤回后重新起草。"
        )


def check_may_invite(status: str, *, expert_role: str, expert_active: bool) -> None:
    """Only active expert accounts, only while the spec is drafted or under review."""
    if status not in REVIEWABLE:
        raise DomainError("spec_not_reviewable", f"评价规范已{SpecStatus(status).label}，不能再邀请专家。")
    if expert_role != "expert":
        raise DomainError("not_an_expert", "只能邀请“评审专家”角色的账号。", field="expert")
    if not expert_active:
        raise DomainError("expert_inactive", "该专家账号已停用。", field="expert")


def check_expert_independent(
    *, expert_name: str, drafting_school_id: int, expert_school_ids: Iterable[int | None], school_name: str
) -> None:
    """An expert must not belong to the drafting school: not its account, teacher, student or person."""
    if drafting_school_id in set(expert_school_ids):
        raise DomainError(
            "expert_from_drafting_school",
            f"专家“{expert_name}”属于起草院校“{school_name}”（本校教师、学生或账号），不能评审本校的评价规范。",
            field="expert",
        )


def check_may_give_opinion(status: str, *, invited: bool, already_given: bool) -> None:
    """An invited expert gives exactly one opinion while the spec is under review."""
    if not invited:
        raise DomainError("not_invited", "您未受邀评审该评价规范。")
    if already_given:
        raise DomainError("opinion_exists", "您已提交过对该评价规范的评审意见，每位专家只能提交一次。")
    if status != SpecStatus.UNDER_REVIEW:
        raise DomainError("spec_not_under_review", f"评价规范当前{SpecStatus(status).label}，不能提交评审意见。")


def count_approvals(opinions: Iterable[tuple[Hashable, str]]) -> int:
    """The number of DISTINCT experts whose opinion is an approval, from (expert key, verdict) pairs."""
    return len({expert for expert, verdict in opinions if verdict in APPROVING})


def check_enough_approvals(approvals: int, *, action: str) -> None:
    """≥ MIN_APPROVALS distinct approving experts, else refused with the count."""
    if approvals < MIN_APPROVALS:
        raise DomainError(
            "not_enough_approvals",
            f"评价规范须经至少 {MIN_APPROVALS} 位不同专家评审同意后才能{action}，目前只有 {approvals} 位同意。",
            approvals=approvals,
            required=MIN_APPROVALS,
        )


def check_may_submit(status: str, *, approvals: int) -> None:
    """The school submits a spec under review once ≥ 5 distinct experts approved."""
    if status != SpecStatus.UNDER_REVIEW:
        raise DomainError("spec_not_under_review", f"评价规范当前{SpecStatus(status).label}，不能报送省人社厅。")
    check_enough_approvals(approvals, action="报送省人社厅")


def check_filing_number(number: str) -> str:
    """A provincial filing number: 2..60 characters, no spaces inside."""
    number = (number or "").strip()
    if not number:
        raise DomainError("filing_number_missing", "请填写省人社厅备案编号。", field="filing_number")
    if len(number) > 60 or any(ch.isspace() for ch in number):
        raise DomainError(
            "filing_number_format", f"备案编号“{number}”格式不对（不超过 60 字，不含空格）。", field="filing_number"
        )
    return number


def check_may_file(
    status: str, *, approvals: int, submitted_on: dt.date | None, filed_on: dt.date, today: dt.date
) -> None:
    """The HRSS officer files (activates) a submitted spec with ≥ 5 approvals, dated between submission and today."""
    if status != SpecStatus.SUBMITTED:
        raise DomainError("spec_not_submitted", f"评价规范当前{SpecStatus(status).label}，只有已报送的才能备案。")
    check_enough_approvals(approvals, action="备案生效")
    if filed_on > today:
        raise DomainError("filed_on_future", "备案日期不能晚于今天。", field="filed_on")
    if submitted_on and filed_on < submitted_on:
        raise DomainError(
            "filed_before_submitted", f"备案日期不能早于报送日期 {submitted_on:%Y-%m-%d}。", field="filed_on"
        )


def check_may_withdraw(status: str, *, on_date: dt.date, filed_on: dt.date | None, reason: str) -> str:
    """Any spec not yet withdrawn may be withdrawn, with a reason, not before its filing date."""
    if status == SpecStatus.WITHDRAWN:
        raise DomainError("spec_withdrawn", "评价规范已撤回。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("withdraw_reason_missing", "请填写撤回原因。", field="reason")
    if filed_on and on_date < filed_on:
        raise DomainError("withdrawn_before_filed", f"撤回日期不能早于备案日期 {filed_on:%Y-%m-%d}。", field="on_date")
    return reason[:200]


ATTACHMENT_TYPES = (".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def check_attachment(name: str, size: int) -> None:
    """An optional attachment: PDF, Word or an image, at most 20 MB."""
    lowered = (name or "").lower()
    if not lowered.endswith(ATTACHMENT_TYPES):
        raise DomainError(
            "attachment_type", f"附件“{name}”的类型不支持，请上传 PDF、Word 或 JPG/PNG 图片。", field="attachment"
        )
    if size > ATTACHMENT_MAX_BYTES:
        raise DomainError(
            "attachment_size", f"附件“{name}”有 {size / 1048576:.1f} MB，超过 20 MB 的上限。", field="attachment"
        )

"""Pure rules of evaluation institutions (R2) and the standards gate (R3). No ORM here.

The gate `check_may_assess` answers "may this institution assess this occupation at this
level on this day?" from plain facts; `selectors.check_institution_may_assess` gathers
the facts from the database and calls it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from chizheng.core.errors import DomainError

from .choices import EventKind, InstitutionStatus

S = InstitutionStatus

# action → (states it may start from, state it leads to; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "amend": (frozenset({S.DRAFT, S.RETURNED}), None),
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "approve": (frozenset({S.SUBMITTED}), S.FILED),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED),
    "annual_review": (frozenset({S.FILED, S.SUSPENDED}), None),
    "suspend": (frozenset({S.FILED}), S.SUSPENDED),
    "restore": (frozenset({S.SUSPENDED}), S.FILED),
    "revoke": (frozenset({S.FILED, S.SUSPENDED}), S.REVOKED),
    "scope": (frozenset({S.DRAFT, S.RETURNED, S.SUBMITTED, S.FILED, S.SUSPENDED}), None),
    "subsidy_list": (frozenset({S.FILED}), None),
}

ACTION_LABELS = {
    "amend": "修改",
    "submit": "提交备案",
    "approve": "备案通过",
    "return": "退回",
    "annual_review": "年度审核",
    "suspend": "暂停",
    "restore": "恢复",
    "revoke": "撤销",
    "scope": "变更评价范围",
    "subsidy_list": "列入补贴名单",
}

STATUS_LABELS: dict[str, str] = {
    S.DRAFT: "草稿",
    S.SUBMITTED: "待审核",
    S.RETURNED: "已退回",
    S.FILED: "已备案",
    S.SUSPENDED: "暂停",
    S.REVOKED: "已撤销",
}


def check_transition(status: str, action: str) -> str:
    """The status after `action`, or DomainError naming the current status (e.g. suspending a revoked one)."""
    allowed, target = TRANSITIONS[action]
    if status not in allowed:
        label = STATUS_LABELS.get(status, status)
        if status == S.REVOKED:
            message = f"该机构已撤销备案，不能再{ACTION_LABELS[action]}。"
        else:
            message = f"机构当前状态为“{label}”，不能{ACTION_LABELS[action]}。"
        raise DomainError("invalid_transition", message, status=status, action=action)
    return target or status


_CODE = re.compile(r"^[0-9]{4}$")


def check_institution_code(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise DomainError("bad_code", f"机构代码须为 4 位数字（填写的是“{code}”）。", field="code")
    return code


def check_filing_number(number: str) -> str:
    number = (number or "").strip()
    if not number:
        raise DomainError("missing_filing_number", "请填写备案编号。", field="filing_number")
    if len(number) > 40:
        raise DomainError("bad_filing_number", "备案编号不超过 40 个字符。", field="filing_number")
    return number


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("missing_reason", "请填写原因。", field="reason")
    return reason


def check_scope_level(*, occupation_label: str, level: int, defined_levels: Iterable[int]) -> int:
    """A scope's highest level must be one the occupation's standard or active spec defines."""
    if level not in (1, 2, 3, 4, 5):
        raise DomainError("bad_level", f"等级须为 1–5（填写的是 {level}）。", field="highest_level")
    levels = sorted(set(defined_levels), reverse=True)
    if not levels:
        raise DomainError(
            "occupation_without_standard",
            f"职业“{occupation_label}”既无国家职业技能标准，也无已备案的评价规范，不能列入评价范围。",
            field="occupation",
        )
    if level not in levels:
        shown = "、".join(str(v) for v in levels)
        raise DomainError(
            "level_not_defined",
            f"职业“{occupation_label}”的标准或评价规范没有设置 {level} 级（设置的等级：{shown}）。",
            field="highest_level",
        )
    return level


# --- attachments --------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_MAGIC = [
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
]


def check_attachment(name: str, head: bytes, size: int) -> str:
    """The content type of an upload, judged by its first bytes; only PDF, JPEG, PNG up to 10 MB."""
    if size <= 0:
        raise DomainError("empty_file", f"文件“{name}”是空的。", field="file")
    if size > MAX_ATTACHMENT_BYTES:
        raise DomainError("file_too_large", f"文件“{name}”超过 10 MB。", field="file")
    lower = name.lower()
    for magic, content_type, suffixes in _MAGIC:
        if head.startswith(magic):
            if not lower.endswith(suffixes):
                raise DomainError(
                    "extension_mismatch", f"文件“{name}”的内容是 {content_type}，扩展名不符。", field="file"
                )
            return content_type
    raise DomainError("bad_file_type", f"文件“{name}”不是 PDF、JPG 或 PNG。", field="file")


# --- the gate (R2 + R3) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeFact:
    occupation_id: int
    highest_level: int
    added_on: dt.date
    removed_on: dt.date | None

    def active_on(self, day: dt.date) -> bool:
        return self.added_on <= day and (self.removed_on is None or day < self.removed_on)


@dataclass(frozen=True)
class InstitutionFacts:
    """What the gate needs to know about one institution, as plain values."""

    name: str
    filed_on: dt.date | None
    revoked_on: dt.date | None
    suspensions: tuple[tuple[dt.date, dt.date | None], ...]  # inclusive [start, last day]; None = open
    scopes: tuple[ScopeFact, ...]


@dataclass(frozen=True)
class EventFact:
    kind: str
    on_date: dt.date
    until_date: dt.date | None


def suspension_windows(events: Iterable[EventFact]) -> tuple[tuple[dt.date, dt.date | None], ...]:
    """Suspension windows from the history: a suspension runs from its date to its `until` (inclusive)
    or to the day before the next restoration, whichever comes first."""
    windows: list[tuple[dt.date, dt.date | None]] = []
    open_start: dt.date | None = None
    open_until: dt.date | None = None
    for event in sorted(events, key=lambda e: e.on_date):
        if event.kind == EventKind.SUSPENDED:
            if open_start is not None:
                windows.append((open_start, open_until))
            open_start, open_until = event.on_date, event.until_date
        elif event.kind == EventKind.RESTORED and open_start is not None:
            last = event.on_date - dt.timedelta(days=1)
            end = min(last, open_until) if open_until else last
            if end >= open_start:
                windows.append((open_start, end))
            open_start, open_until = None, None
    if open_start is not None:
        windows.append((open_start, open_until))
    return tuple(windows)


def _d(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def check_may_assess(
    facts: InstitutionFacts,
    *,
    occupation_id: int,
    occupation_label: str,
    level: int,
    on_date: dt.date,
    standard_levels: Iterable[int],
    spec_levels: Iterable[int],
) -> None:
    """R2 + R3: raise DomainError with the precise reason, or return when the assessment is allowed.

    Filing current (filed on or before the day, not revoked on or before it), not suspended
    that day, an active scope row of the occupation whose highest level is at or above the
    asked level (1 is highest), and the occupation's national standard or a filed
    evaluation spec defines that level.
    """
    name = facts.name
    if level not in (1, 2, 3, 4, 5):
        raise DomainError("bad_level", f"等级须为 1–5（填写的是 {level}）。", field="level")
    if facts.filed_on is None or on_date < facts.filed_on:
        since = f"（备案日期 {_d(facts.filed_on)}）" if facts.filed_on else ""
        raise DomainError("not_filed", f"{name} 在 {_d(on_date)} 尚未备案{since}。", on_date=_d(on_date))
    if facts.revoked_on is not None and on_date >= facts.revoked_on:
        raise DomainError(
            "revoked", f"{name} 已于 {_d(facts.revoked_on)} 被撤销备案。", revoked_on=_d(facts.revoked_on)
        )
    for start, end in facts.suspensions:
        if start <= on_date and (end is None or on_date <= end):
            until = f"至 {_d(end)}" if end else "，尚未恢复"
            raise DomainError("suspended", f"{name} 在 {_d(on_date)} 处于暂停期（自 {_d(start)}{until}）。")
    rows = [s for s in facts.scopes if s.occupation_id == occupation_id and s.active_on(on_date)]
    if not rows:
        raise DomainError(
            "out_of_scope", f"{name} 在 {_d(on_date)} 的评价范围不含职业“{occupation_label}”。", field="occupation"
        )
    highest = min(s.highest_level for s in rows)
    if level < highest:
        raise DomainError(
            "level_above_scope",
            f"{name} 对职业“{occupation_label}”的评价范围最高到 {highest} 级，不能评价 {level} 级。",
            field="level",
        )
    if level not in set(standard_levels) and level not in set(spec_levels):
        raise DomainError(
            "no_standard",
            f"职业“{occupation_label}”的 {level} 级既无国家职业技能标准，也无已备案的评价规范（R3）。",
            field="occupation",
        )


def may_assess(facts: InstitutionFacts, **kwargs: object) -> bool:
    try:
        check_may_assess(facts, **kwargs)  # type: ignore[arg-type]
    except DomainError:
        return False
    return True


# --- examiners ----------------------------------------------------------------------------------


def check_examiner_fields(
    *, role: str, occupation_id: int | None, highest_level: int | None, valid_from: dt.date, valid_until: dt.date
) -> None:
    if valid_until < valid_from:
        raise DomainError("bad_validity", "有效期止不能早于有效期起。", field="valid_until")
    if role == "examiner" and (occupation_id is None or highest_level is None):
        raise DomainError("examiner_needs_occupation", "考评员须填写职业和可考评的最高等级。", field="occupation")
    if highest_level is not None and highest_level not in (1, 2, 3, 4, 5):
        raise DomainError("bad_level", f"等级须为 1–5（填写的是 {highest_level}）。", field="highest_level")


def examiner_conflict(*, is_relative: bool, is_own_student: bool) -> str | None:
    """Why an examiner may not judge a candidate, or None."""
    if is_relative:
        return "考生是该考评员登记的亲属，须回避。"
    if is_own_student:
        return "考生是该考评员所在院校的学生，须回避。"
    return None


# --- R1 ------------------------------------------------------------------------------------------

R1_FILED_INSTITUTIONS = 11
R1_DEADLINE = dt.date(2022, 12, 31)


def review_due_after(day: dt.date) -> dt.date:
    """The next annual review is due one year after the filing or the last review."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)

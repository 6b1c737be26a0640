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

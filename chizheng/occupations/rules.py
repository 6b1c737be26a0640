"""Pure rules of the occupation catalog."""

from __future__ import annotations

import re

from chizheng.core.errors import DomainError

from .choices import SkillLevel

OCCUPATION_CODE = re.compile(r"^[1-8]-\d{2}-\d{2}-\d{2}$")
ALL_LEVELS = tuple(level.value for level in SkillLevel)


def check_occupation_code(code: str) -> str:
    """A code of the 2022 classification, e.g. 6-18-01-01."""
    code = (code or "").strip()
    if not OCCUPATION_CODE.match(code):
        raise DomainError(
            "occupation_code_format",
            f"职业编码“{code}”格式不对，应为“6-18-01-01”这样的 X-XX-XX-XX。",
            field="occupation_code",
        )
    return code


def parse_levels(text: str) -> list[int]:
    """'5,4,3' or '五级,四级' or '1-5' → sorted distinct levels, highest level (1) last."""
    text = (text or "").strip()
    if not text:
        return []
    names = {"五": 5, "四": 4, "三": 3, "二": 2, "一": 1}
    levels: set[int] = set()
    for part in re.split(r"[,，、;；\s]+", text):
        if not part:
            continue
        span = re.fullmatch(r"([1-5])\s*[-~～]\s*([1-5])", part)
        if span:
            lo, hi = sorted((int(span.group(1)), int(span.group(2))))
            levels.update(range(lo, hi + 1))
            continue
        digit = re.fullmatch(r"([1-5])(级)?", part)
        if digit:
            levels.add(int(digit.group(1)))
            continue
        if part[0] in names and part[1:] in ("", "级"):
            levels.add(names[part[0]])
            continue
        raise DomainError("levels_format", f"等级“{part}”无法识别，请写 1–5 的数字，如“5,4,3”。", field="levels")
    return sorted(levels, reverse=True)


def check_standard(*, has_standard: bool, number: str, levels: list[int]) -> None:
    """A national standard needs a number and at least one level; no standard, no levels."""
    if has_standard:
        if not number.strip():
            raise DomainError(
                "standard_number_missing", "有国家职业技能标准时须填写标准编号。", field="standard_number"
            )
        if not levels:
            raise DomainError("standard_levels_missing", "有国家职业技能标准时须填写标准设置的等级。", field="levels")
    elif number.strip() or levels:
        raise DomainError(
            "standard_without_flag",
            "填写了标准编号或等级，但未标明“有国家职业技能标准”。",
            field="has_standard",
        )

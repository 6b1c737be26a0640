"""Certificate number formats (pure functions, no database).

The default is Henan's 职业技能等级证书 number (DESIGN.md), 22 characters:

    [Y|S] + institution code (4) + "41" (Henan) + station code (6) + year (2) + level (1) + serial (6)

Reading of the first letter: `Y` (院校) for a 院校类职业技能等级评价机构, `S` (社会) for an institution
that evaluates people from society (面向社会人员的…评价机构). The other two institution kinds (考核鉴定机构,
专项职业能力考核机构) are not college institutions and get `S`. Other kinds and provinces plug in their own
`NumberFormat` through `FORMATS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from chizheng.core.errors import DomainError

HENAN_SKILL_PATTERN = re.compile(r"^[YS]\d{4}41\d{6}\d{2}[1-5]\d{6}$")
MAX_SERIAL = 999_999


@dataclass(frozen=True)
class NumberParts:
    """What a number is made of; `serial` is the gap-free counter per station, year and level."""

    institution_kind: str
    institution_code: str
    station_code: str
    year: int
    level: int
    serial: int


def prefix_for(institution_kind: str) -> str:
    """`Y` for a college institution (院校类), `S` otherwise (面向社会人员 and the rest)."""
    return "Y" if institution_kind == "college" else "S"


def henan_skill_number(parts: NumberParts) -> str:
    """The Henan 职业技能等级证书 number; DomainError when a part does not fit."""
    if not re.fullmatch(r"\d{4}", parts.institution_code):
        raise DomainError("bad_institution_code", f"机构代码“{parts.institution_code}”不是 4 位数字。")
    if not re.fullmatch(r"\d{6}", parts.station_code):
        raise DomainError("bad_station_code", f"站点代码“{parts.station_code}”不是 6 位数字。")
    if not 1 <= parts.level <= 5:
        raise DomainError("bad_level", f"等级 {parts.level} 不在 1–5 之间。")
    if not 1 <= parts.serial <= MAX_SERIAL:
        raise DomainError("serial_exhausted", f"序号 {parts.serial} 超出 6 位（站点、年份、等级的序号已用完）。")
    number = (
        f"{prefix_for(parts.institution_kind)}{parts.institution_code}41{parts.station_code}"
        f"{parts.year % 100:02d}{parts.level}{parts.serial:06d}"
    )
    assert HENAN_SKILL_PATTERN.fullmatch(number)
    return number


def parse_henan_skill_number(number: str) -> NumberParts:
    """The parts of a Henan skill-level number; DomainError when it does not match the format."""
    if not HENAN_SKILL_PATTERN.fullmatch(number or ""):
        raise DomainError(
            "bad_number", f"证书编号“{number}”不符合格式（22 位：Y/S + 机构代码 + 41 + 站点 + 年 + 等级 + 序号）。"
        )
    return NumberParts(
        institution_kind="college" if number[0] == "Y" else "social",
        institution_code=number[1:5],
        station_code=number[7:13],
        year=2000 + int(number[13:15]),
        level=int(number[15]),
        serial=int(number[16:22]),
    )


NumberFormat = Callable[[NumberParts], str]

#: Certificate kind → number format. Kinds without their own format use the Henan skill-level one.
FORMATS: dict[str, NumberFormat] = {"skill_level": henan_skill_number}


def format_number(kind: str, parts: NumberParts) -> str:
    return FORMATS.get(kind, henan_skill_number)(parts)


def is_valid_number(number: str) -> bool:
    return bool(HENAN_SKILL_PATTERN.fullmatch(number or ""))

"""Pure rules of the org tree."""

from __future__ import annotations

import datetime as dt
import re

from .choices import OrgKind
from .errors import DomainError

CITY_CODE = "410800"
_COUNTY_CODE = re.compile(r"^4108\d{2}$")


def check_org_placement(*, kind: str, parent_kind: str | None, code: str) -> None:
    """City at the root, counties under the city, schools under a county."""
    expected_parent = {OrgKind.CITY: None, OrgKind.COUNTY: OrgKind.CITY, OrgKind.SCHOOL: OrgKind.COUNTY}[OrgKind(kind)]
    if parent_kind != expected_parent:
        where = {None: "顶层", OrgKind.CITY: "市", OrgKind.COUNTY: "县（市、区）"}[expected_parent]
        raise DomainError("org_parent", f"{OrgKind(kind).label}只能设在{where}之下。", field="parent")
    if kind == OrgKind.COUNTY and not _COUNTY_CODE.match(code):
        raise DomainError("org_county_code", f"县区代码“{code}”应为焦作市 GB/T 2260 代码（4108xx）。", field="code")
    if kind == OrgKind.CITY and code != CITY_CODE:
        raise DomainError("org_city_code", f"焦作市代码应为 {CITY_CODE}。", field="code")


def check_school_fields(
    *, school_kind: str, ownership: str, opened_on: dt.date | None, closed_on: dt.date | None
) -> None:
    if not school_kind:
        raise DomainError("school_kind_missing", "院校须选择学校类型（中职/高职/本科）。", field="school_kind")
    if not ownership:
        raise DomainError("school_ownership_missing", "院校须选择办学性质（公办/民办）。", field="ownership")
    if opened_on and closed_on and closed_on < opened_on:
        raise DomainError("school_dates", "停办日期不能早于开办日期。", field="closed_on")

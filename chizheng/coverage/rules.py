"""R9 graduation coverage: who counts as a graduate, what counts as holding a certificate, the share.

Pure values, no ORM (the selectors turn them into aggregate queries). See docs/coverage.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from chizheng.certification.choices import CertificateStatus
from chizheng.core.errors import DomainError
from chizheng.people.choices import StudentStatus

#: A student record counts in its graduation-year cohort while enrolled (在读, the graduating year still
#: under way) or graduated (已毕业); a student who left (离校: withdrew or transferred out) does not.
COUNTED_STUDENT_STATUSES: tuple[str, ...] = (StudentStatus.ENROLLED, StudentStatus.GRADUATED)

#: A certificate covers its holder once issued (numbered). Publicised ones may still fall to an objection;
#: revoked ones are void; a replaced one has an issued reissue, which covers instead (so a reissue counts once).
#: 1+X certificates are separate records (R11) and never appear here.
COVERING_CERTIFICATE_STATUSES: tuple[str, ...] = (CertificateStatus.ISSUED,)

_TENTH = Decimal("0.1")
_ALMOST_ALL = Decimal("99.9")


def coverage_share(covered: int, graduates: int) -> Decimal | None:
    """The covered share in percent, one decimal, half up; None without graduates (nothing to divide).

    The share never reads 100.0 while someone is still without a certificate (99.95 % shows 99.9), nor
    0.0 when someone holds one (0.04 % shows 0.1): the page exists to find the last gaps.
    """
    if graduates < 0 or covered < 0 or covered > graduates:
        raise DomainError("bad_counts", f"持证人数 {covered} 与毕业生人数 {graduates} 不一致。")
    if graduates == 0:
        return None
    share = (Decimal(covered * 100) / Decimal(graduates)).quantize(_TENTH, rounding=ROUND_HALF_UP)
    if covered < graduates:
        share = min(share, _ALMOST_ALL)
    if covered > 0:
        share = max(share, _TENTH)
    return share


def check_year(value: str | None, years: list[int], default: int) -> int:
    """The cohort asked for: a graduation year among `years` (the default when not given)."""
    if value in (None, ""):
        return default
    try:
        year = int(value)
    except ValueError:
        raise DomainError("bad_year", f"毕业年份“{value}”不是年份。", field="year") from None
    if year not in years:
        raise DomainError("unknown_year", f"没有 {year} 届毕业生的记录。", field="year")
    return year


def default_year(years: list[int], this_year: int) -> int:
    """This year's cohort when it has records, else the latest cohort not after it, else the earliest."""
    if not years:
        return this_year
    past = [y for y in years if y <= this_year]
    return max(past) if past else min(years)

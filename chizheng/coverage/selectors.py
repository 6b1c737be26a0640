"""Reads of graduation coverage (R9), always from the actor's scope, as a few aggregate queries.

A coverage table is one GROUP BY over the cohort's student records with a correlated EXISTS on the
holder's issued certificates (`holds_certificate`), plus one query for the units' names: no
per-student work in Python, the same SQL on SQLite and PostgreSQL. The list of graduates without a
certificate is the same cohort filtered on NOT EXISTS, so it always matches the table's counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chizheng.certification.models import Certificate
from chizheng.core.choices import OrgKind
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import scope_of
from chizheng.people.choices import Stage
from chizheng.people.models import Student

from . import rules


@dataclass(frozen=True)
class CoverageRow:
    """One row of the table: a county, a school, or a major × stage of a school."""

    label: str
    graduates: int
    covered: int
    unit_id: int | None = None
    major: str = ""
    stage: str = ""

    @property
    def without(self) -> int:
        return self.graduates - self.covered

    @property
    def share(self) -> Decimal | None:
        return rules.coverage_share(self.covered, self.graduates)


@dataclass
class Coverage:
    """The table for one unit and cohort: `level` names what the rows are (county, school or major)."""

    year: int
    unit: OrgUnit | None  # None: the whole city
    level: str
    stage: str = ""
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def lowest(self) -> list[CoverageRow]:
        """The three rows with the lowest share (units with graduates only): where to look first."""
        return sorted((r for r in self.rows if r.graduates), key=lambda r: (r.share, r.label))[:3]

    @property
    def total(self) -> CoverageRow:
        return CoverageRow(
            label=self.unit.name if self.unit else "全市",
            graduates=sum(r.graduates for r in self.rows),
            covered=sum(r.covered for r in self.rows),
            unit_id=self.unit.pk if self.unit else None,
        )


def holds_certificate() -> Exists:
    """True where the student's person holds a covering certificate: any institution, any date, any school."""
    return Exists(
        Certificate.objects.filter(person_id=OuterRef("person_id"), status__in=rules.COVERING_CERTIFICATE_STATUSES)
    )


def cohort_years(actor: Any) -> list[int]:
    """The graduation years with student records in the actor's scope, newest first."""
    qs = Student.objects.restrict(actor).order_by("-expected_graduation_year")
    return list(qs.values_list("expected_graduation_year", flat=True).distinct())


def default_year(actor: Any, years: list[int] | None = None) -> int:
    return rules.default_year(cohort_years(actor) if years is None else years, timezone.localdate().year)


def graduating_students(
    actor: Any, *, year: int, county: int | None = None, school: int | None = None, stage: str = ""
) -> QuerySet[Student]:
    """The actor's student records of the `year` cohort that count as graduates (rules.COUNTED_STUDENT_STATUSES)."""
    require(actor, Perm.VIEW_PEOPLE)
    qs = Student.objects.restrict(actor).filter(
        expected_graduation_year=year, status__in=rules.COUNTED_STUDENT_STATUSES
    )
    if county:
        qs = qs.filter(county_id=county)
    if school:
        qs = qs.filter(school_id=school)
    if stage:
        qs = qs.filter(stage=stage)
    return qs


def students_without_certificate(actor: Any, **cohort: Any) -> QuerySet[Student]:
    """Graduates of the cohort whose person holds no covering certificate: the gaps to close."""
    return graduating_students(actor, **cohort).filter(~holds_certificate())


def coverage_for(actor: Any, *, year: int, unit: OrgUnit | None, stage: str = "") -> Coverage:
    """Coverage of `unit` (None or the city: by county; a county: by school; a school: by major × stage).

    Every county or school of the unit in the actor's scope gets a row, with zero graduates if it has none.
    """
    if stage and stage not in Stage.values:
        stage = ""
    if unit is None or unit.kind == OrgKind.CITY:
        children = OrgUnit.objects.restrict(actor).filter(kind=OrgKind.COUNTY)
        qs, key, level = graduating_students(actor, year=year, stage=stage), "county_id", "county"
        unit = None
    elif unit.kind == OrgKind.COUNTY:
        children = OrgUnit.objects.restrict(actor).filter(kind=OrgKind.SCHOOL, county=unit)
        qs, key, level = graduating_students(actor, year=year, county=unit.pk, stage=stage), "school_id", "school"
    else:
        qs = graduating_students(actor, year=year, school=unit.pk, stage=stage)
        by_major = _counts(qs, ["major", "stage"])
        labels = dict(Stage.choices)
        rows = [
            CoverageRow(
                label=f"{major}（{labels.get(st, st)}）", graduates=g, covered=c, unit_id=unit.pk, major=major, stage=st
            )
            for (major, st), (g, c) in by_major.items()
        ]
        rows.sort(key=lambda r: (r.share if r.share is not None else Decimal(101), r.label))
        return Coverage(year=year, unit=unit, level="major", stage=stage, rows=rows)
    counts: dict[Any, tuple[int, int]] = {k[0]: v for k, v in _counts(qs, [key]).items()}
    rows = []
    for pk, name, closed_on in children.order_by("code").values_list("pk", "name", "closed_on"):
        graduates, covered = counts.pop(pk, (0, 0))
        if closed_on is not None and graduates == 0:
            continue  # a closed school without this cohort is no gap
        rows.append(CoverageRow(label=name, graduates=graduates, covered=covered, unit_id=pk))
    if counts:  # records whose unit is not a listed child (data moved between units): shown, never lost
        for pk, other in OrgUnit.objects.in_bulk(list(counts)).items():
            graduates, covered = counts[pk]
            rows.append(CoverageRow(label=other.name, graduates=graduates, covered=covered, unit_id=pk))
    return Coverage(year=year, unit=unit, level=level, stage=stage, rows=rows)


def _counts(qs: QuerySet[Student], keys: list[str]) -> dict[tuple[Any, ...], tuple[int, int]]:
    """One GROUP BY: key → (graduates, covered). Student records, not persons (see docs/coverage.md)."""
    rows = (
        qs.order_by()
        .values(*keys)
        .annotate(graduates=Count("id"), covered=Count("id", filter=Q(holds_certificate())))
        .values_list(*keys, "graduates", "covered")
    )
    return {tuple(r[: len(keys)]): (r[-2], r[-1]) for r in rows}


def scope_root(actor: Any) -> OrgUnit | None:
    """The unit whose coverage an actor sees first: None (city-wide), their county, or their school."""
    scope = scope_of(actor)
    if scope.kind in ("county", "school") and scope.unit_id is not None:
        return OrgUnit.objects.get(pk=scope.unit_id)
    return None


def home_summary(actor: Any) -> Coverage | None:
    """This cohort's coverage of a city or county admin's unit, for the home dashboard (None for others)."""
    if scope_of(actor).kind not in ("all", "county") or not has_perm(actor, Perm.VIEW_PEOPLE):
        return None
    years = cohort_years(actor)
    if not years:
        return None
    return coverage_for(actor, year=default_year(actor, years), unit=scope_root(actor))

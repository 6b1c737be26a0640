"""Thin views of graduation coverage (R9): the table with drill-down, and the list of graduates without one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from chizheng.core.choices import OrgKind
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for
from chizheng.people.choices import Stage
from chizheng.people.models import Student

from . import rules, selectors


def _cohort(request: HttpRequest) -> tuple[int, list[int], str]:
    years = selectors.cohort_years(request.user)
    year = rules.check_year(request.GET.get("year"), years, selectors.default_year(request.user, years))
    stage = request.GET.get("stage", "")
    return year, years, stage if stage in Stage.values else ""


def _query(year: int, stage: str, **extra: Any) -> str:
    params = {"year": year, **({"stage": stage} if stage else {}), **{k: v for k, v in extra.items() if v}}
    return urlencode(params)


@login_required
def overview(request: HttpRequest) -> HttpResponseBase:
    """The actor's own unit (city, county or school); `county`/`school` in the query jump to that unit."""
    require(request.user, Perm.VIEW_PEOPLE)
    picked = request.GET.get("school") or request.GET.get("county")
    if picked:
        unit = get_for(request.user, OrgUnit, pk=picked)
        year, _, stage = _cohort(request)
        return redirect(f"{reverse('coverage:unit', args=[unit.pk])}?{_query(year, stage)}")
    return _coverage_page(request, selectors.scope_root(request.user))


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Coverage of one county (by school) or school (by major); 404 outside the actor's scope."""
    require(request.user, Perm.VIEW_PEOPLE)
    return _coverage_page(request, get_for(request.user, OrgUnit, pk=pk))


def _coverage_page(request: HttpRequest, unit: OrgUnit | None) -> HttpResponseBase:
    year, years, stage = _cohort(request)
    coverage = selectors.coverage_for(request.user, year=year, unit=unit, stage=stage)
    total = coverage.total
    list_url = reverse("coverage:students_without")
    rows = []
    for row in coverage.rows:
        drill = ""
        if coverage.level in ("county", "school") and row.unit_id:
            drill = f"{reverse('coverage:unit', args=[row.unit_id])}?{_query(year, stage)}"
        if coverage.level == "major":
            gaps = f"{list_url}?{_query(year, row.stage, school=row.unit_id, major=row.major)}"
        else:
            gaps = f"{list_url}?{_query(year, stage, **{coverage.level: row.unit_id})}"
        rows.append({"row": row, "drill": drill, "gaps": gaps if row.without else ""})
    breadcrumbs = _breadcrumbs(request, unit, year, stage)
    unit_where = {unit.kind: unit.pk} if unit is not None and unit.kind != OrgKind.CITY else {}
    context = {
        "coverage": coverage,
        "total": total,
        "rows": rows,
        "years": years,
        "stages": Stage.choices,
        "year": year,
        "stage": stage,
        "breadcrumbs": breadcrumbs,
        "level_label": {"county": "县区", "school": "院校", "major": "专业（学段）"}[coverage.level],
        "gaps_url": f"{list_url}?{_query(year, stage, **unit_where)}",
        "unit_choices": _unit_choices(request.user),
        "unit": unit,
    }
    return render(request, "coverage/coverage.html", context)


def _breadcrumbs(request: HttpRequest, unit: OrgUnit | None, year: int, stage: str) -> list[tuple[str, str]]:
    """Up the tree as far as the actor's scope reaches: 全市 → county → school."""
    root = selectors.scope_root(request.user)
    trail: list[tuple[str, str]] = []
    if root is None:
        trail.append(("全市", f"{reverse('coverage:overview')}?{_query(year, stage)}"))
    if unit is not None and unit.kind == OrgKind.SCHOOL and unit.county_id and (root is None or root.kind == "county"):
        county = OrgUnit.objects.get(pk=unit.county_id)
        trail.append((county.name, f"{reverse('coverage:unit', args=[county.pk])}?{_query(year, stage)}"))
    if unit is not None and unit.kind != OrgKind.CITY:
        trail.append((unit.name, ""))
    return trail


def _unit_choices(user: Any, at_least: int = 2) -> dict[str, list[tuple[int, str]]]:
    """Counties and schools in scope, each list only when it offers a choice (`at_least` entries)."""
    units = OrgUnit.objects.restrict(user).filter(kind__in=[OrgKind.COUNTY, OrgKind.SCHOOL]).order_by("code")
    counties = [(u.pk, u.name) for u in units if u.kind == OrgKind.COUNTY]
    schools = [(u.pk, u.name) for u in units if u.kind == OrgKind.SCHOOL]
    return {
        "counties": counties if len(counties) >= at_least else [],
        "schools": schools if len(schools) >= at_least else [],
    }


def _person_link(s: Student) -> str:
    return reverse("people:person_detail", args=[s.person_id])


@login_required
def students_without(request: HttpRequest) -> HttpResponseBase:
    """未持证毕业生: the cohort's graduates whose person holds no issued certificate; filterable, exportable."""
    require(request.user, Perm.VIEW_PEOPLE)
    year, years, _ = _cohort(request)
    if not request.GET.get("year"):  # the default cohort, shown as chosen in the year filter
        params = request.GET.copy()
        params["year"] = str(year)
        request.GET = params  # type: ignore[assignment]
    units = _unit_choices(request.user, at_least=1)
    # Majors are offered within one school (the table's major rows link with their school): a city-wide
    # list of every major name would cost a scan of the whole cohort and help nobody.
    root = selectors.scope_root(request.user)
    school = request.GET.get("school", "")
    one_school = int(school) if school.isdigit() else (root.pk if root and root.kind == OrgKind.SCHOOL else None)
    majors: list[str] = []
    if one_school:
        majors = list(
            selectors.graduating_students(request.user, year=year, school=one_school)
            .order_by("major")
            .values_list("major", flat=True)
            .distinct()
        )
    filters = [Filter("year", "毕业年份", "expected_graduation_year", [(str(y), f"{y} 届") for y in years])]
    if units["counties"]:
        filters.append(Filter("county", "县区", "county", [(str(pk), name) for pk, name in units["counties"]]))
    if units["schools"]:
        filters.append(Filter("school", "院校", "school", [(str(pk), name) for pk, name in units["schools"]]))
    filters += [
        Filter("stage", "学段", "stage", Stage.choices),
        *([Filter("major", "专业", "major", [(m, m) for m in majors])] if majors else []),
        Filter("status", "学籍状态", "status", [(s, label) for s, label in _counted_status_choices()]),
    ]
    qs = (
        selectors.students_without_certificate(request.user, year=year)
        .select_related("person", "school", "county")
        .order_by("county_id", "school_id", "id")  # the (county, school, id) index: a page stops early
    )
    page = ListPage(
        title="未持证毕业生",
        queryset=qs,
        columns=[
            Column("姓名", lambda s: s.person.name, link=_person_link),
            Column("身份证号", lambda s: s.person.masked_id_number),
            Column("县区", lambda s: s.county.name),
            Column("院校", lambda s: s.school.name),
            Column("专业", lambda s: s.major),
            Column("学段", lambda s: s.get_stage_display()),
            Column("学号", lambda s: s.student_number),
            Column("毕业年份", lambda s: s.expected_graduation_year),
            Column("学籍状态", lambda s: s.get_status_display()),
        ],
        filters=filters,
        search_fields=["person__name", "person__id_number", "student_number"],
        search_placeholder="姓名、完整身份证号或学号",
        export_name="未持证毕业生",
        breadcrumbs=[("毕业生持证覆盖", f"{reverse('coverage:overview')}?{_query(year, '')}")],
        full_columns={"身份证号": Column("身份证号", lambda s: s.person.id_number)},
        allow_full=has_perm(request.user, Perm.VIEW_FULL_ID),
    )
    return page.render(request)


def _counted_status_choices() -> list[tuple[str, str]]:
    from chizheng.people.choices import StudentStatus

    labels = dict(StudentStatus.choices)
    return [(s, str(labels[s])) for s in rules.COUNTED_STUDENT_STATUSES]

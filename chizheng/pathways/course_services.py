"""R6 source data: a school's course-certificate mappings (课证融通方案) and their courses.

course_mapping_create / course_mapping_update   a mapping with its full list of courses (replaced on update)
course_mapping_set_active                       deactivate (no new batches) or reactivate a mapping

Course results are written by the `course_results` import (`course_imports.py`), all or nothing.
School admins maintain their own school's mappings (Perm.ISSUE_CERTIFICATES, like running batches);
everyone following certificates reads them within their scope.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import require
from chizheng.core.scoping import get_for
from chizheng.occupations.models import Occupation, Trade

from . import rules
from .models import CourseCertMapping, MappedCourse
from .services import RUN_PERM

_FIELDS = ["name", "occupation_id", "trade_id", "major", "active"]


def school_of(actor: Any, school: OrgUnit | None = None) -> OrgUnit:
    """The school a mapping (or a course result) belongs to: the given one (in the actor's scope) or the
    actor's own school."""
    if school is None:
        unit = getattr(actor, "org_unit", None)
        if unit is None or unit.kind != "school":
            raise DomainError("no_school", "只有院校管理员可以维护课证融通方案和课程成绩。", field="school")
        return unit
    if actor is not None:
        school = get_for(actor, OrgUnit, pk=school.pk)
    if school.kind != "school":
        raise DomainError("no_school", f"“{school.name}”不是院校。", field="school")
    return school


def clean_courses(courses: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The courses of a mapping: code and name required, no code twice (1-based rows in the errors)."""
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for row, (code, name) in enumerate(courses, start=1):
        code, name = "".join((code or "").split()), " ".join((name or "").split())
        if not code and not name:
            continue
        if not code:
            raise DomainError("course_code_required", f"第 {row} 门课程：请填写课程代码。", field="courses", row=row)
        if not name:
            raise DomainError("course_name_required", f"第 {row} 门课程：请填写课程名称。", field="courses", row=row)
        key = rules.course_key(code)
        if key in seen:
            raise DomainError(
                "course_twice", f"第 {row} 门课程的代码 {code} 与第 {seen[key]} 门重复。", field="courses", row=row
            )
        seen[key] = row
        out.append((code[:30], name[:100]))
    if not out:
        raise DomainError("no_courses", "请至少填写一门融通课程（课程代码和名称）。", field="courses")
    return out


def _clean(
    school: OrgUnit, name: str, occupation: Occupation, trade: Trade | None, major: str, exclude: int | None = None
) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("name_required", "请填写方案名称。", field="name")
    if trade is not None and trade.occupation_id != occupation.pk:
        raise DomainError("bad_trade", f"工种“{trade.name}”不属于职业“{occupation.name}”。", field="trade")
    taken = CourseCertMapping.objects.filter(school=school, name=name[:100])
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise DomainError("mapping_exists", f"本校已有名为“{name}”的课证融通方案。", field="name")
    return name[:100], " ".join((major or "").split())[:60]


def _snapshot(mapping: CourseCertMapping) -> dict[str, Any]:
    data = audit.snapshot(mapping, _FIELDS)
    data["courses"] = [f"{c.code} {c.name}" for c in mapping.courses.order_by("code")]
    return data


def set_courses(mapping: CourseCertMapping, courses: list[tuple[str, str]]) -> None:
    existing = {rules.course_key(c.code): c for c in mapping.courses.all()}
    wanted = {rules.course_key(code): (code, name) for code, name in courses}
    MappedCourse.objects.filter(pk__in=[c.pk for k, c in existing.items() if k not in wanted]).delete()
    changed = []
    for key, (code, name) in wanted.items():
        course = existing.get(key)
        if course is not None and (course.code, course.name) != (code, name):
            course.code, course.name = code, name
            changed.append(course)
    MappedCourse.objects.bulk_update(changed, ["code", "name"])
    MappedCourse.objects.bulk_create(
        MappedCourse(mapping=mapping, code=code, name=name)
        for key, (code, name) in wanted.items()
        if key not in existing
    )


@transaction.atomic
def course_mapping_create(
    *,
    actor: Any,
    name: str,
    occupation: Occupation,
    courses: list[tuple[str, str]],
    trade: Trade | None = None,
    major: str = "",
    school: OrgUnit | None = None,
) -> CourseCertMapping:
    """A school's course-certificate mapping (R6): passing every course (theory and practical) recognises a
    graduate or graduating-year student (of `major`, blank = any) in `occupation`."""
    if actor is not None:
        require(actor, RUN_PERM)
    unit = school_of(actor, school)
    name, major = _clean(unit, name, occupation, trade, major)
    cleaned = clean_courses(courses)
    mapping = CourseCertMapping.objects.create(
        school=unit,
        county_id=unit.county_id,  # type: ignore[misc]
        name=name,
        occupation=occupation,
        trade=trade,
        major=major,
        created_by=actor,
    )
    set_courses(mapping, cleaned)
    audit.record(actor, AuditAction.CREATE, mapping, after=_snapshot(mapping))
    return mapping


@transaction.atomic
def course_mapping_update(
    *,
    actor: Any,
    mapping: CourseCertMapping,
    name: str,
    occupation: Occupation,
    courses: list[tuple[str, str]],
    trade: Trade | None = None,
    major: str = "",
) -> CourseCertMapping:
    """Change a mapping and replace its courses. Confirmed batches keep their certificates and evidence;
    later previews use the new definition."""
    if actor is not None:
        require(actor, RUN_PERM)
        mapping = get_for(actor, CourseCertMapping, pk=mapping.pk)
    mapping = CourseCertMapping.objects.select_for_update().get(pk=mapping.pk)
    name, major = _clean(mapping.school, name, occupation, trade, major, exclude=mapping.pk)
    cleaned = clean_courses(courses)
    before = _snapshot(mapping)
    mapping.name, mapping.occupation, mapping.trade, mapping.major = name, occupation, trade, major
    mapping.updated_at = timezone.now()
    mapping.save(update_fields=["name", "occupation", "trade", "major", "updated_at"])
    set_courses(mapping, cleaned)
    b, a = audit.diff(before, _snapshot(mapping))
    if a:
        audit.record(actor, AuditAction.UPDATE, mapping, before=b, after=a)
    return mapping


@transaction.atomic
def course_mapping_set_active(*, actor: Any, mapping: CourseCertMapping, active: bool) -> CourseCertMapping:
    """Deactivate a mapping (no new batches can name it; its batches and certificates stay) or reactivate it."""
    if actor is not None:
        require(actor, RUN_PERM)
        mapping = get_for(actor, CourseCertMapping, pk=mapping.pk)
    mapping = CourseCertMapping.objects.select_for_update().get(pk=mapping.pk)
    if mapping.active != active:
        mapping.active = active
        mapping.updated_at = timezone.now()
        mapping.save(update_fields=["active", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            mapping,
            before={"active": not active},
            after={"active": active},
            note="启用课证融通方案" if active else "停用课证融通方案",
        )
    return mapping

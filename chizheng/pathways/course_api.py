"""The R6 API: a school's course-certificate mappings (list, read, create, change, deactivate) and its course
results (list). Imports go through the one import endpoint: POST /imports/course_mappings, /imports/course_results.
Batches over a mapping use /recognition-batches with `{"pathway": "process", "course_mapping_id": …}`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from chizheng.core.api import actor, paginated
from chizheng.core.permissions import require
from chizheng.core.scoping import get_for
from chizheng.occupations.selectors import occupation_by_code, trade_by_name

from . import course_services, services
from .course_views import mappings_for, results_for
from .models import CourseCertMapping, CourseResult

router = Router(tags=["认定取证"])


class CourseOut(Schema):
    code: str
    name: str


class CourseMappingOut(Schema):
    id: int
    school_id: int
    name: str
    occupation_code: str = Field(..., alias="occupation.code")
    occupation_name: str = Field(..., alias="occupation.name")
    trade_id: int | None
    major: str
    active: bool
    courses: list[CourseOut]

    @staticmethod
    def resolve_courses(obj: CourseCertMapping) -> list[CourseOut]:
        return [CourseOut(code=c.code, name=c.name) for c in obj.courses.order_by("code")]


class CourseMappingIn(Schema):
    name: str
    occupation_code: str
    trade_name: str = ""
    major: str = ""
    courses: list[CourseOut]
    active: bool | None = None  # PUT only: false deactivates, true reactivates


class CourseResultOut(Schema):
    id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    masked_id_number: str = Field(..., alias="person.masked_id_number")
    school_id: int
    course_code: str
    course_name: str
    theory_score: Decimal | None
    theory_passed: bool
    practical_score: Decimal | None
    practical_passed: bool
    term: str
    year: int
    updated_at: dt.datetime


def _args(payload: CourseMappingIn) -> dict[str, object]:
    occupation = occupation_by_code(payload.occupation_code)
    trade = trade_by_name(occupation, payload.trade_name)
    return {
        "name": payload.name,
        "occupation": occupation,
        "trade": trade,
        "major": payload.major,
        "courses": [(c.code, c.name) for c in payload.courses],
    }


@router.get("/course-mappings", response=list[CourseMappingOut], summary="课证融通方案列表（R6）")
@paginated
def course_mapping_list(request: HttpRequest, active: bool | None = None) -> QuerySet[CourseCertMapping]:
    require(actor(request), services.VIEW_PERM)
    qs = mappings_for(actor(request)).prefetch_related("courses")
    return qs.filter(active=active) if active is not None else qs


@router.post("/course-mappings", response={201: CourseMappingOut}, summary="新建课证融通方案（院校）")
def course_mapping_create(request: HttpRequest, payload: CourseMappingIn) -> Status[CourseCertMapping]:
    require(actor(request), services.RUN_PERM)
    mapping = course_services.course_mapping_create(actor=actor(request), **_args(payload))  # type: ignore[arg-type]
    return Status(201, mapping)


@router.get("/course-mappings/{course_mapping_id}", response=CourseMappingOut, summary="课证融通方案详情")
def course_mapping_detail(request: HttpRequest, course_mapping_id: int) -> CourseCertMapping:
    require(actor(request), services.VIEW_PERM)
    return get_for(actor(request), mappings_for(actor(request)), pk=course_mapping_id)


@router.put(
    "/course-mappings/{course_mapping_id}", response=CourseMappingOut, summary="修改课证融通方案（课程整体替换）"
)
def course_mapping_update(request: HttpRequest, course_mapping_id: int, payload: CourseMappingIn) -> CourseCertMapping:
    user = actor(request)
    require(user, services.RUN_PERM)
    mapping = get_for(user, CourseCertMapping, pk=course_mapping_id)
    mapping = course_services.course_mapping_update(actor=user, mapping=mapping, **_args(payload))  # type: ignore[arg-type]
    if payload.active is not None:
        mapping = course_services.course_mapping_set_active(actor=user, mapping=mapping, active=payload.active)
    return mapping


@router.delete(
    "/course-mappings/{course_mapping_id}", response={204: None}, summary="停用课证融通方案（批次与证书保留）"
)
def course_mapping_deactivate(request: HttpRequest, course_mapping_id: int) -> Status[None]:
    user = actor(request)
    require(user, services.RUN_PERM)
    mapping = get_for(user, CourseCertMapping, pk=course_mapping_id)
    course_services.course_mapping_set_active(actor=user, mapping=mapping, active=False)
    return Status(204, None)


@router.get(
    "/course-results", response=list[CourseResultOut], summary="课程成绩列表（?q=姓名或身份证号，?course_code=）"
)
@paginated
def course_result_list(
    request: HttpRequest, q: str | None = None, course_code: str | None = None
) -> QuerySet[CourseResult]:
    require(actor(request), services.VIEW_PERM)
    qs = results_for(actor(request))
    if course_code:
        qs = qs.filter(course_code=course_code.strip())
    if q:
        qs = qs.filter(person__name=q.strip()) | qs.filter(person__id_number=q.strip().upper())
    return qs

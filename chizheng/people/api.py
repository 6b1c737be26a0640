"""The person registry API: lists and details in the actor's scope, ID numbers masked."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from chizheng.core.api import actor, paginated
from chizheng.core.permissions import Perm, require

from . import selectors, services
from .models import Person, SocialLearner, Student, Teacher
from .schemas import (
    PersonDetailOut,
    PersonFilter,
    PersonOut,
    RevealedIdOut,
    SocialLearnerFilter,
    SocialLearnerOut,
    StudentFilter,
    StudentOut,
    TeacherFilter,
    TeacherOut,
)

router = Router(tags=["人员库"])


@router.get("/persons", response=list[PersonOut], summary="人员列表")
@paginated
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> QuerySet[Person]:
    require(actor(request), Perm.VIEW_PEOPLE)
    qs = Person.objects.restrict(actor(request)).select_related("school", "county").order_by("-id")
    return filters.filter(qs)


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="人员详情（学员只能看自己）")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return selectors.get_person_for(actor(request), person_id)


@router.post("/persons/{person_id}/reveal-id", response=RevealedIdOut, summary="查看完整身份证号（记录审计日志）")
def person_reveal_id(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = selectors.get_person_for(actor(request), person_id)
    return {"id": person.pk, "id_number": services.person_reveal_id(actor=actor(request), person=person)}


@router.get("/students", response=list[StudentOut], summary="在校生列表")
@paginated
def student_list(request: HttpRequest, filters: Query[StudentFilter]) -> QuerySet[Student]:
    require(actor(request), Perm.VIEW_PEOPLE)
    qs = Student.objects.restrict(actor(request)).select_related("person", "school", "county").order_by("-id")
    return filters.filter(qs)


@router.get("/teachers", response=list[TeacherOut], summary="教师列表")
@paginated
def teacher_list(request: HttpRequest, filters: Query[TeacherFilter]) -> QuerySet[Teacher]:
    require(actor(request), Perm.VIEW_PEOPLE)
    qs = Teacher.objects.restrict(actor(request)).select_related("person", "school", "county").order_by("-id")
    return filters.filter(qs)


@router.get("/social-learners", response=list[SocialLearnerOut], summary="社会学员列表")
@paginated
def social_learner_list(request: HttpRequest, filters: Query[SocialLearnerFilter]) -> QuerySet[SocialLearner]:
    require(actor(request), Perm.VIEW_PEOPLE)
    qs = SocialLearner.objects.restrict(actor(request)).select_related("person", "org_unit", "county")
    return filters.filter(qs.order_by("-id"))

"""The exam pathway API (R4): sessions, registration, score entry. Same services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from chizheng.core.api import actor, paginated
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.permissions import Perm, require
from chizheng.institutions.models import EvaluationInstitution
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import rules, selectors, services
from .models import AssessmentSession, Registration
from .schemas import (
    DateIn,
    IssuedOut,
    RegistrationIn,
    RegistrationOut,
    ScoreIn,
    ScoreOut,
    SessionDetailOut,
    SessionIn,
    SessionOut,
)

router = Router(tags=["考试考核"])


def _detail(session: AssessmentSession) -> AssessmentSession:
    """The session with its candidates and current staffing problems attached for SessionDetailOut."""
    candidates = []
    for r in session.registrations.select_related("person", "score").order_by("id"):
        score = getattr(r, "score", None)
        candidates.append(
            {
                "registration_id": r.pk,
                "person_id": r.person_id,
                "name": r.person.name,
                "masked_id_number": r.person.masked_id_number,
                "theory": score.theory if score else None,
                "skill": score.skill if score else None,
                "passed": score.passed if score else None,
                "confirmed": bool(score and score.confirmed),
            }
        )
    problems = (
        rules.staffing_problems(services.staffing_facts(session), session.staffing_policy)
        if session.status in ("planned", "staffed")
        else []
    )
    session.candidates = candidates  # type: ignore[attr-defined]
    session.staffing_problems = problems  # type: ignore[attr-defined]
    return session


@router.get("/assessment-sessions", response=list[SessionOut], summary="考核场次列表")
@paginated
def session_list(request: HttpRequest, status: str | None = None) -> QuerySet[AssessmentSession]:
    require(actor(request), Perm.VIEW_ASSESSMENTS)
    qs = selectors.sessions_for(actor(request))
    return qs.filter(status=status) if status else qs


@router.post("/assessment-sessions", response={201: SessionDetailOut}, summary="计划考核场次（经 R2/R3 核验）")
def session_create(request: HttpRequest, payload: SessionIn) -> Status[AssessmentSession]:
    user = actor(request)
    require(user, Perm.PLAN_ASSESSMENT)
    institutions = EvaluationInstitution.objects.restrict(user)
    if payload.institution_id is not None:
        institution = institutions.filter(pk=payload.institution_id).first()
    else:
        institution = institutions.filter(school_id=user.org_unit_id).order_by("code").first()
    if institution is None:
        raise NotFound()
    occupation = Occupation.objects.filter(code=payload.occupation_code.strip()).first()
    if occupation is None:
        raise DomainError("occupation_missing", f"职业编码“{payload.occupation_code}”不存在。", field="occupation_code")
    data = payload.dict(exclude={"institution_id", "occupation_code"})
    session = services.session_plan(actor=user, institution=institution, occupation=occupation, **data)
    return Status(201, _detail(session))


@router.get(
    "/assessment-sessions/{session_id}", response=SessionDetailOut, summary="考核场次详情（考生、成绩、配备问题）"
)
def session_detail(request: HttpRequest, session_id: int) -> AssessmentSession:
    require(actor(request), Perm.VIEW_ASSESSMENTS)
    return _detail(selectors.get_session_for(actor(request), session_id))


@router.post(
    "/assessment-sessions/{session_id}/registrations",
    response={201: RegistrationOut},
    summary="考生报名（R4 资格核验）",
)
def registration_create(request: HttpRequest, session_id: int, payload: RegistrationIn) -> Status[Registration]:
    user = actor(request)
    require(user, Perm.PLAN_ASSESSMENT)
    session = selectors.get_session_for(user, session_id)
    person = Person.objects.filter(id_number=normalize_id_number(payload.id_number)).first()
    if person is None:
        raise DomainError("person_missing", "人员库中没有该身份证号。", field="id_number")
    return Status(201, services.registration_add(actor=user, session=session, person=person))


@router.post("/assessment-registrations/{registration_id}/score", response=ScoreOut, summary="录入成绩（本场次考评员）")
def score_enter(request: HttpRequest, registration_id: int, payload: ScoreIn) -> dict[str, Any]:
    user = actor(request)
    require(user, Perm.ENTER_SCORES)
    registration = Registration.objects.filter(pk=registration_id).select_related("person").first()
    if registration is None:
        raise NotFound()
    selectors.get_session_for(user, registration.session_id)
    score = services.score_enter(actor=user, registration=registration, theory=payload.theory, skill=payload.skill)
    return {
        "registration_id": registration.pk,
        "theory": score.theory,
        "skill": score.skill,
        "passed": score.passed,
        "confirmed": score.confirmed,
    }


def _plan_session(request: HttpRequest, session_id: int) -> AssessmentSession:
    require(actor(request), Perm.PLAN_ASSESSMENT)
    return selectors.get_session_for(actor(request), session_id)


@router.post(
    "/assessment-sessions/{session_id}/start", response=SessionDetailOut, summary="开始考核（核对考评人员配备）"
)
def session_start(request: HttpRequest, session_id: int) -> AssessmentSession:
    session = services.session_start(actor=actor(request), session=_plan_session(request, session_id))
    return _detail(session)


@router.post("/assessment-sessions/{session_id}/confirm", response=SessionDetailOut, summary="确认成绩")
def session_confirm(request: HttpRequest, session_id: int) -> AssessmentSession:
    session = services.session_confirm(actor=actor(request), session=_plan_session(request, session_id))
    return _detail(session)


@router.post("/assessment-sessions/{session_id}/publicise", response=SessionDetailOut, summary="公示考核结果")
def session_publicise(request: HttpRequest, session_id: int, payload: DateIn) -> AssessmentSession:
    session = services.session_publicise(
        actor=actor(request), session=_plan_session(request, session_id), on_date=payload.on_date
    )
    return _detail(session)


@router.post("/assessment-sessions/{session_id}/issue", response=IssuedOut, summary="公示期满后为合格考生发证")
def session_issue(request: HttpRequest, session_id: int, payload: DateIn) -> dict[str, Any]:
    certificates = services.session_issue(
        actor=actor(request), session=_plan_session(request, session_id), today=payload.on_date
    )
    return {"session_id": session_id, "issued": len(certificates), "numbers": [c.number for c in certificates]}

"""The exam pathway API (R4): sessions, registration, score entry. Same services as the pages."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router, Status

from chizheng.core import audit
from chizheng.core.api import actor, paginated
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.excel import attachment
from chizheng.core.permissions import Perm, require
from chizheng.institutions.selectors import institution_for
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import imports, rules, selectors, services
from .models import AssessmentSession, Registration
from .schemas import (
    DateIn,
    EntryBoardOut,
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
    for row in selectors.entry_board(session):
        r, score = row["registration"], row["score"]
        candidates.append(
            {
                "registration_id": r.pk,
                "ticket": r.ticket,
                "person_id": r.person_id,
                "name": r.person.name,
                "masked_id_number": r.person.masked_id_number,
                "entry_state": row["state"],
                "theory": score.theory if score else None,
                "skill": score.skill if score else None,
                "passed": score.passed if score else None,
                "confirmed": bool(score and score.confirmed),
            }
        )
    info = services.staffing_policy_for(session)
    problems = (
        rules.staffing_problems(services.staffing_facts(session), info.policy)
        if session.status in ("planned", "staffed")
        else []
    )
    session.candidates = candidates  # type: ignore[attr-defined]
    session.staffing_policy = {**asdict(info.policy), "source": info.source}  # type: ignore[attr-defined]
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
    institution = institution_for(user, payload.institution_id)
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
    entered = services.score_enter(actor=user, registration=registration, theory=payload.theory, skill=payload.skill)
    score = entered.score
    return {
        "registration_id": registration.pk,
        "entry_theory": entered.entry.theory,
        "entry_skill": entered.entry.skill,
        "state": entered.state,
        "theory": score.theory if score else None,
        "skill": score.skill if score else None,
        "passed": score.passed if score else None,
        "confirmed": bool(score and score.confirmed),
    }


@router.get(
    "/assessment-sessions/{session_id}/score-entries",
    response=list[EntryBoardOut],
    summary="双人录入情况与不一致清单（?state=disagreed 只列不一致）",
)
def score_entries(request: HttpRequest, session_id: int, state: str | None = None) -> list[dict[str, Any]]:
    user = actor(request)
    require(user, Perm.VIEW_ASSESSMENTS)
    session = selectors.get_session_for(user, session_id)
    out = []
    for row in selectors.entry_board(session):
        if state and row["state"] != state:
            continue
        r, score = row["registration"], row["score"]
        # While a candidate waits for the second entry, another examiner's values stay hidden so the
        # second entry is independent; once two disagree, the values are shown to be resolved.
        hide = row["state"] == rules.PENDING
        entries = [
            {
                "examiner": e["examiner"],
                "theory": None if hide and e["user_id"] != user.pk else e["theory"],
                "skill": None if hide and e["user_id"] != user.pk else e["skill"],
                "mine": e["user_id"] == user.pk,
            }
            for e in row["entries"]
        ]
        out.append(
            {
                "registration_id": r.pk,
                "ticket": r.ticket,
                "name": r.person.name,
                "state": row["state"],
                "entries": entries,
                "theory": score.theory if score else None,
                "skill": score.skill if score else None,
                "passed": score.passed if score else None,
            }
        )
    return out


@router.get(
    "/assessment-sessions/{session_id}/score-sheet",
    response={200: bytes},
    summary="下载本场次成绩录入模板（本场次考评员；填好后 POST /imports/exam_scores 上传）",
)
def score_sheet(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = actor(request)
    require(user, Perm.ENTER_SCORES)
    session = selectors.get_session_for(user, session_id)
    if not selectors.assigned_examiner(user, session):
        raise PermissionDenied("只有本场次安排的考评员可以录入成绩。")
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    n = imports.write_score_template(tmp, session)
    tmp.seek(0)
    audit.record(user, AuditAction.EXPORT, session, after={"rows": n}, note="下载成绩录入模板（含考生名单）")
    return attachment(tmp, f"成绩录入-场次{session.pk}.xlsx")


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

"""The only writers of the exam pathway (R4). Each entry point is one transaction with an audit row.

plan → register → assign staff → start (staffing checks) → enter scores (assigned examiners) → confirm
→ (correct with reason) → publicise → objections → issue passers through the certification service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.permissions import Perm, require
from chizheng.institutions.choices import ExaminerRole, InstitutionKind
from chizheng.institutions.models import EvaluationInstitution, Examiner
from chizheng.institutions.selectors import check_institution_may_assess, examiner_conflict_with, institution_facts
from chizheng.occupations.models import Occupation
from chizheng.people.choices import StudentStatus
from chizheng.people.models import Person, Student

from . import rules
from .choices import ObjectionStatus, SessionStatus, StaffRole
from .models import AssessmentSession, Objection, Registration, Score, ScoreCorrection, SessionStaff

_SNAPSHOT = [
    "title",
    "level",
    "held_on",
    "rooms",
    "theory_weight",
    "skill_weight",
    "theory_pass_mark",
    "skill_pass_mark",
    "publicity_days",
    "status",
    "publicised_on",
    "issued_on",
]


def _lock(actor: Any, session: AssessmentSession, perm: Perm) -> AssessmentSession:
    """Permission, scope, and the session row locked for the rest of the transaction."""
    require(actor, perm)
    if not AssessmentSession.objects.restrict(actor).filter(pk=session.pk).exists():
        raise NotFound()
    return AssessmentSession.objects.select_for_update().select_related("institution", "occupation").get(pk=session.pk)


def _set_status(actor: Any, session: AssessmentSession, target: str, note: str, **fields: Any) -> None:
    before = audit.snapshot(session, _SNAPSHOT)
    rules.check_transition(session.status, target)
    session.status = target
    for name, value in fields.items():
        setattr(session, name, value)
    session.save()
    b, a = audit.diff(before, audit.snapshot(session, _SNAPSHOT))
    audit.record(actor, AuditAction.UPDATE, session, before=b, after=a, note=note)


def _scope_highest(institution: EvaluationInstitution, occupation: Occupation, on_date: dt.date) -> int | None:
    for scope in institution_facts(institution).scopes:
        if (
            scope.occupation_id == occupation.pk
            and scope.added_on <= on_date
            and (scope.removed_on is None or on_date < scope.removed_on)
        ):
            return scope.highest_level
    return None


@transaction.atomic
def session_plan(
    *,
    actor: Any,
    institution: EvaluationInstitution,
    occupation: Occupation,
    level: int,
    held_on: dt.date,
    title: str = "",
    rooms: int = 1,
    theory_weight: int = 30,
    skill_weight: int = 70,
    theory_pass_mark: object = rules.DEFAULT_PASS_MARK,
    skill_pass_mark: object = rules.DEFAULT_PASS_MARK,
    publicity_days: int = rules.DEFAULT_PUBLICITY_DAYS,
) -> AssessmentSession:
    """Plan a session of `institution` for `occupation` at `level` on `held_on`; refused unless the
    institution may assess it on that day (R2 + R3 gate)."""
    require(actor, Perm.PLAN_ASSESSMENT)
    if not EvaluationInstitution.objects.restrict(actor).filter(pk=institution.pk).exists():
        raise NotFound()
    if rooms < 1:
        raise DomainError("bad_rooms", "考场数至少为 1。", field="rooms")
    if not 1 <= publicity_days <= 60:
        raise DomainError("bad_publicity_days", "公示天数应在 1–60 天之间。", field="publicity_days")
    rules.check_weighting(theory_weight, skill_weight)
    theory_mark = rules.check_pass_mark(theory_pass_mark, column="理论合格线")
    skill_mark = rules.check_pass_mark(skill_pass_mark, column="技能合格线")
    check_institution_may_assess(institution, occupation, level, held_on)
    session = AssessmentSession.objects.create(
        institution=institution,
        school_id=institution.school_id,
        county_id=institution.county_id,
        title=(title or f"{held_on.isoformat()} {occupation.name} {rules.level_label(level)}")[:100],
        occupation=occupation,
        level=level,
        held_on=held_on,
        rooms=rooms,
        theory_weight=theory_weight,
        skill_weight=skill_weight,
        theory_pass_mark=theory_mark,
        skill_pass_mark=skill_mark,
        publicity_days=publicity_days,
        created_by=actor,
    )
    audit.record(actor, AuditAction.CREATE, session, after=audit.snapshot(session, _SNAPSHOT), note="计划考核场次")
    return session


def candidate_facts(person: Person, session_year: int) -> rules.CandidateFacts:
    """The candidate's facts for R4: their latest student record (any school), or a social learner."""
    student = Student.objects.filter(person=person).order_by("-expected_graduation_year", "-entry_year", "-id").first()
    if student is None:
        return rules.CandidateFacts(name=person.name, stage=None)
    return rules.CandidateFacts(
        name=person.name,
        stage=student.stage,
        expected_graduation_year=student.expected_graduation_year,
        graduated=student.status == StudentStatus.GRADUATED,
        outstanding=student.outstanding,
    )


@transaction.atomic
def registration_add(*, actor: Any, session: AssessmentSession, person: Person) -> Registration:
    """Register `person` for `session` after the R4 eligibility checks (one registration per session)."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    rules.check_registration_open(session.status)
    facts = candidate_facts(person, session.held_on.year)
    rules.check_eligible(
        facts,
        level=session.level,
        session_year=session.held_on.year,
        scope_highest=_scope_highest(session.institution, session.occupation, session.held_on),
    )
    rules.check_not_registered(
        name=person.name, already=Registration.objects.filter(session=session, person=person).exists()
    )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                session=session,
                person=person,
                school_id=session.school_id,
                county_id=session.county_id,
                candidate_kind=facts.stage or "social",
            )
    except IntegrityError:
        rules.check_not_registered(name=person.name, already=True)
        raise
    if session.status == SessionStatus.STAFFED:
        _set_status(actor, session, SessionStatus.PLANNED, "考生变更，须重新核对考评人员配备")
    audit.record(actor, AuditAction.CREATE, registration, after={"person": person.pk}, note="考核报名")
    return registration


@transaction.atomic
def registration_remove(*, actor: Any, registration: Registration) -> None:
    """Withdraw a candidate before the session starts."""
    session = _lock(actor, registration.session, Perm.PLAN_ASSESSMENT)
    rules.check_registration_open(session.status)
    audit.record(actor, AuditAction.DELETE, registration, before={"person": registration.person_id}, note="取消报名")
    registration.delete()
    if session.status == SessionStatus.STAFFED:
        _set_status(actor, session, SessionStatus.PLANNED, "考生变更，须重新核对考评人员配备")


@transaction.atomic
def staff_assign(*, actor: Any, session: AssessmentSession, examiner: Examiner) -> SessionStaff:
    """Assign a registered examiner, invigilator or supervisor to the session in their registry role.
    Any filed institution's registry may supply staff (external examiners avoid own-student conflicts)."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    rules.check_registration_open(session.status)
    if not examiner.is_valid_on(session.held_on):
        raise DomainError(
            "examiner_expired", f"{examiner.person.name} 的资格在考核日期 {session.held_on} 不在有效期内。"
        )
    if SessionStaff.objects.filter(session=session, examiner=examiner).exists():
        raise DomainError("already_assigned", f"{examiner.person.name} 已安排在本场次。")
    staff = SessionStaff.objects.create(session=session, examiner=examiner, role=examiner.role)
    if session.status == SessionStatus.STAFFED:
        _set_status(actor, session, SessionStatus.PLANNED, "考评人员变更，须重新核对")
    audit.record(actor, AuditAction.CREATE, staff, after={"examiner": examiner.pk, "role": examiner.role})
    return staff


@transaction.atomic
def staff_remove(*, actor: Any, staff: SessionStaff) -> None:
    """Take a staff member off the session before it starts."""
    session = _lock(actor, staff.session, Perm.PLAN_ASSESSMENT)
    rules.check_registration_open(session.status)
    audit.record(actor, AuditAction.DELETE, staff, before={"examiner": staff.examiner_id, "role": staff.role})
    staff.delete()
    if session.status == SessionStatus.STAFFED:
        _set_status(actor, session, SessionStatus.PLANNED, "考评人员变更，须重新核对")


def is_qualified(examiner: Examiner, session: AssessmentSession) -> bool:
    """Qualified for the session's occupation and level on its day (level 1 is the highest)."""
    return (
        examiner.role == ExaminerRole.EXAMINER
        and examiner.occupation_id == session.occupation_id
        and examiner.highest_level is not None
        and examiner.highest_level <= session.level
        and examiner.is_valid_on(session.held_on)
    )


def staffing_facts(session: AssessmentSession) -> rules.StaffingFacts:
    """The staffing facts of a session as assigned now (qualification and conflicts per examiner)."""
    staff = list(session.staff.select_related("examiner__person"))
    person_ids = list(session.registrations.values_list("person_id", flat=True))
    names = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "name"))
    examiners = []
    for row in staff:
        if row.role != StaffRole.EXAMINER:
            continue
        conflicts = []
        for pid in person_ids:
            reason = examiner_conflict_with(row.examiner, pid)
            if reason:
                conflicts.append(f"{names.get(pid, pid)}：{reason}")
        examiners.append(
            rules.ExaminerFact(
                name=row.examiner.person.name, qualified=is_qualified(row.examiner, session), conflicts=tuple(conflicts)
            )
        )
    return rules.StaffingFacts(
        candidates=len(person_ids),
        rooms=session.rooms,
        invigilators=sum(1 for r in staff if r.role == StaffRole.INVIGILATOR),
        supervisors=sum(1 for r in staff if r.role == StaffRole.SUPERVISOR),
        examiners=tuple(examiners),
    )


@transaction.atomic
def session_staffed(*, actor: Any, session: AssessmentSession) -> AssessmentSession:
    """Run the staffing checks and mark the session staffed (planned → staffed)."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    rules.check_transition(session.status, SessionStatus.STAFFED)
    rules.check_staffing(staffing_facts(session), session.staffing_policy)
    _set_status(actor, session, SessionStatus.STAFFED, "考评人员配备核对通过")
    return session


@transaction.atomic
def session_start(*, actor: Any, session: AssessmentSession) -> AssessmentSession:
    """Start the session (staffed → in progress), re-running the gate and the staffing checks."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    if session.status == SessionStatus.PLANNED:
        rules.check_staffing(staffing_facts(session), session.staffing_policy)
        _set_status(actor, session, SessionStatus.STAFFED, "考评人员配备核对通过")
    rules.check_transition(session.status, SessionStatus.IN_PROGRESS)
    check_institution_may_assess(session.institution, session.occupation, session.level, session.held_on)
    rules.check_staffing(staffing_facts(session), session.staffing_policy)
    _set_status(actor, session, SessionStatus.IN_PROGRESS, "考核开始")
    return session


def _assigned_examiner(actor: Any, session: AssessmentSession) -> None:
    require(actor, Perm.ENTER_SCORES)
    if (
        not getattr(actor, "person_id", None)
        or not SessionStaff.objects.filter(
            session=session, role=StaffRole.EXAMINER, examiner__person_id=actor.person_id
        ).exists()
    ):
        raise DomainError("not_assigned", "只有本场次安排的考评员可以录入成绩。")


@transaction.atomic
def score_enter(*, actor: Any, registration: Registration, theory: object, skill: object) -> Score:
    """An assigned examiner enters a candidate's scores. A second examiner's entry that agrees marks the
    score double-checked; one that disagrees is refused naming both values. Confirmed scores are refused
    (use `score_correct`)."""
    session = AssessmentSession.objects.select_for_update().get(pk=registration.session_id)
    _assigned_examiner(actor, session)
    if session.status not in (SessionStatus.IN_PROGRESS, SessionStatus.SCORED):
        raise DomainError("not_in_progress", "考核未开始或成绩已确认，不能录入成绩。")
    t = rules.parse_score(theory, column="理论成绩")
    s = rules.parse_score(skill, column="技能成绩")
    is_pass = rules.passed(t, s, theory_pass=session.theory_pass_mark, skill_pass=session.skill_pass_mark)
    existing = Score.objects.select_for_update().filter(registration=registration).first()
    who = registration.person.name
    if existing is None:
        score = Score.objects.create(registration=registration, theory=t, skill=s, passed=is_pass, entered_by=actor)
        audit.record(
            actor, AuditAction.CREATE, score, after={"theory": str(t), "skill": str(s)}, note=f"录入成绩：{who}"
        )
    elif existing.confirmed:
        raise DomainError("score_confirmed", f"{who} 的成绩已确认，只能通过更正（须填写原因）修改。")
    elif existing.entered_by_id == actor.pk:
        before = {"theory": str(existing.theory), "skill": str(existing.skill)}
        existing.theory, existing.skill, existing.passed = t, s, is_pass
        existing.checked_by = None
        existing.entered_at = timezone.now()
        existing.save()
        score = existing
        audit.record(actor, AuditAction.UPDATE, score, before=before, after={"theory": str(t), "skill": str(s)})
    elif existing.theory != t or existing.skill != s:
        raise DomainError(
            "score_disagreement",
            f"{who}：两次录入不一致（已录入 理论 {existing.theory}、技能 {existing.skill}；"
            f"本次 理论 {t}、技能 {s}），请核对后由首次录入人更正。",
        )
    else:
        existing.checked_by = actor
        existing.save(update_fields=["checked_by"])
        score = existing
        audit.record(actor, AuditAction.UPDATE, score, after={"checked_by": actor.pk}, note=f"复核成绩：{who}")
    if session.status == SessionStatus.IN_PROGRESS and not session.registrations.filter(score__isnull=True).exists():
        _set_status(actor, session, SessionStatus.SCORED, "成绩已全部录入")
    return score


@transaction.atomic
def session_confirm(*, actor: Any, session: AssessmentSession) -> AssessmentSession:
    """Confirm every score of the session (scored → confirmed); from now on only corrections change them."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    missing = session.registrations.filter(score__isnull=True).count()
    if missing:
        raise DomainError("scores_missing", f"尚有 {missing} 名考生未录入成绩。")
    rules.check_transition(session.status, SessionStatus.CONFIRMED)
    Score.objects.filter(registration__session=session).update(
        confirmed=True, confirmed_by=actor, confirmed_at=timezone.now()
    )
    _set_status(actor, session, SessionStatus.CONFIRMED, "确认成绩")
    return session


@transaction.atomic
def score_correct(*, actor: Any, registration: Registration, theory: object, skill: object, reason: str) -> Score:
    """Change a confirmed score, recording old and new values and the reason. Not after issuance."""
    session = _lock(actor, registration.session, Perm.PLAN_ASSESSMENT)
    return _correct(actor, session, registration, theory, skill, reason)


def _correct(
    actor: Any, session: AssessmentSession, registration: Registration, theory: object, skill: object, reason: str
) -> Score:
    if session.status not in (SessionStatus.CONFIRMED, SessionStatus.PUBLICISED):
        raise DomainError("not_correctable", "只有已确认、未发证的成绩可以更正。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "更正成绩须填写原因。", field="reason")
    score = Score.objects.select_for_update().get(registration=registration)
    t = rules.parse_score(theory, column="理论成绩")
    s = rules.parse_score(skill, column="技能成绩")
    if (t, s) == (score.theory, score.skill):
        raise DomainError("no_change", "新成绩与原成绩相同。")
    ScoreCorrection.objects.create(
        score=score,
        old_theory=score.theory,
        old_skill=score.skill,
        new_theory=t,
        new_skill=s,
        reason=reason[:300],
        actor=actor,
    )
    before = {"theory": str(score.theory), "skill": str(score.skill), "passed": score.passed}
    score.theory, score.skill = t, s
    score.passed = rules.passed(t, s, theory_pass=session.theory_pass_mark, skill_pass=session.skill_pass_mark)
    score.save()
    audit.record(
        actor,
        AuditAction.UPDATE,
        score,
        before=before,
        after={"theory": str(t), "skill": str(s), "passed": score.passed},
        note=f"更正成绩：{reason}",
    )
    return score


@transaction.atomic
def session_publicise(*, actor: Any, session: AssessmentSession, on_date: dt.date) -> AssessmentSession:
    """Publicise the confirmed results from `on_date` for the session's publicity days."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    if on_date < session.held_on:
        raise DomainError("bad_date", "公示日期不能早于考核日期。", field="on_date")
    _set_status(actor, session, SessionStatus.PUBLICISED, "公示考核结果", publicised_on=on_date)
    return session


@transaction.atomic
def objection_record(*, actor: Any, registration: Registration, text: str) -> Objection:
    """Record an objection to a publicised result (by the school on the candidate's behalf)."""
    session = _lock(actor, registration.session, Perm.PLAN_ASSESSMENT)
    if session.status != SessionStatus.PUBLICISED:
        raise DomainError("not_publicised", "只能在结果公示期间登记异议。")
    text = (text or "").strip()
    if not text:
        raise DomainError("text_required", "请填写异议内容。", field="text")
    objection = Objection.objects.create(session=session, registration=registration, text=text[:500], raised_by=actor)
    audit.record(actor, AuditAction.CREATE, objection, after={"text": objection.text}, note="登记成绩异议")
    return objection


@transaction.atomic
def objection_resolve(
    *,
    actor: Any,
    objection: Objection,
    upheld: bool,
    resolution: str,
    theory: object = None,
    skill: object = None,
) -> Objection:
    """Resolve an objection; an upheld one with new scores corrects the score (reason = the resolution)."""
    session = _lock(actor, objection.session, Perm.PLAN_ASSESSMENT)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise DomainError("already_resolved", "该异议已处理。")
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError("resolution_required", "请填写处理意见。", field="resolution")
    if upheld and theory is not None and skill is not None:
        _correct(actor, session, objection.registration, theory, skill, f"异议成立：{resolution}")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolution = resolution[:500]
    objection.resolved_by = actor
    objection.resolved_at = timezone.now()
    objection.save()
    audit.record(actor, AuditAction.UPDATE, objection, after={"status": objection.status}, note="处理成绩异议")
    return objection


def certificate_kind_for(institution: EvaluationInstitution) -> str:
    from chizheng.certification.choices import CertificateKind

    if institution.kind == InstitutionKind.SPECIAL:
        return CertificateKind.SPECIAL
    if institution.kind == InstitutionKind.APPRAISAL:
        return CertificateKind.QUALIFICATION
    return CertificateKind.SKILL_LEVEL


@transaction.atomic
def session_issue(*, actor: Any, session: AssessmentSession, today: dt.date) -> list[Any]:
    """After the publicity period, with every objection resolved: the passers' certificates are created
    through the certification service (publicity = the results' publicity) and numbered and issued at once.
    Returns the issued certificates. A passer already holding a valid certificate is refused by R8."""
    from chizheng.certification import services as certification
    from chizheng.certification.choices import EvidenceType, Pathway

    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    rules.check_transition(session.status, SessionStatus.ISSUED)
    assert session.publicised_on is not None
    rules.check_publicity_over(
        publicised_on=session.publicised_on,
        days=session.publicity_days,
        today=today,
        open_objections=session.objections.filter(status=ObjectionStatus.OPEN).count(),
    )
    passers = list(
        Registration.objects.filter(session=session, score__passed=True, score__confirmed=True)
        .select_related("score")
        .order_by("id")
    )
    items = [
        certification.IssueItem(
            person_id=r.person_id,
            evidence={
                "session": session.pk,
                "theory": str(r.score.theory),
                "skill": str(r.score.skill),
                "total": str(r.score.total(session)),
            },
            evidence_type=EvidenceType.EXAM_REGISTRATION,
            evidence_id=str(r.pk),
        )
        for r in passers
    ]
    issued: list[Any] = []
    if items:
        created = certification.certificate_publicise(
            actor=actor,
            institution=session.institution,
            occupation=session.occupation,
            level=session.level,
            kind=certificate_kind_for(session.institution),
            pathway=Pathway.EXAM,
            items=items,
            on_date=session.publicised_on,
            publicity_days=session.publicity_days,
        )
        ids = {c.pk for c in created}
        issued = [
            c
            for c in certification.certificate_issue_due(actor=actor, institution=session.institution, on_date=today)
            if c.pk in ids
        ]
    _set_status(actor, session, SessionStatus.ISSUED, f"为 {len(issued)} 名合格考生发证", issued_on=today)
    return issued


def passing_count(session: AssessmentSession) -> tuple[int, int]:
    """(passers, candidates with a score)."""
    scores = Score.objects.filter(registration__session=session)
    return scores.filter(passed=True).count(), scores.count()

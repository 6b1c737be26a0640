"""The only writers of the exam pathway (R4). Each entry point is one transaction with an audit row.

plan → register → assign staff → start (staffing checks, with the occupation's staffing policy) → enter
scores (assigned examiners, twice: double entry, by page, API or Excel) → confirm (every score agreed)
→ (correct with reason) → publicise → objections → issue passers through the certification service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.permissions import Perm, require
from chizheng.institutions.choices import ExaminerRole, InstitutionKind
from chizheng.institutions.models import EvaluationInstitution, Examiner
from chizheng.institutions.rules import examiner_conflict
from chizheng.institutions.selectors import check_institution_may_assess, institution_facts
from chizheng.occupations import spec_rules
from chizheng.occupations.models import EvaluationSpec, Occupation
from chizheng.occupations.specs import active_specs
from chizheng.people.choices import StudentStatus
from chizheng.people.models import Person, Student

from . import rules, selectors
from .choices import ObjectionStatus, SessionStatus, StaffRole
from .models import AssessmentSession, Objection, Registration, Score, ScoreCorrection, ScoreEntry, SessionStaff

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


@dataclass(frozen=True)
class PolicyInfo:
    """The staffing policy a session runs under and where it comes from (shown on the session page)."""

    policy: rules.StaffingPolicy
    source: str


def _standard_layer(occupation: Occupation, on_date: dt.date) -> tuple[dict[str, object], str]:
    """The occupation's own staffing values: its national standard's, else its active evaluation spec's
    (the latest filed one in force on `on_date`), else none."""
    if occupation.has_national_standard:
        layer = {name: getattr(occupation, name) for name in rules.POLICY_FIELDS}
        label = f"国家职业技能标准 {occupation.standard_number}".strip()
    else:
        specs = active_specs(occupation, on_date)
        if not specs:
            return {}, "默认配比（无国家标准、无生效评价规范）"
        spec = specs[-1]
        layer = {name: getattr(spec, name, None) for name in rules.POLICY_FIELDS}
        label = f"评价规范《{spec.title}》（{spec.filing_number}）"
    if all(value is None for value in layer.values()):
        return layer, f"默认配比（{label}未另行规定）"
    return layer, label


def staffing_policy_for(session: AssessmentSession) -> PolicyInfo:
    """The session's staffing policy: each field from the session's own override, else the occupation's
    standard (or, without one, its active evaluation spec), else DESIGN.md's default."""
    layer, source = _standard_layer(session.occupation, session.held_on)
    overrides = session.staffing_overrides
    if any(value is not None for value in overrides.values()):
        source += "；本场次另有设定"
    return PolicyInfo(rules.resolve_policy(overrides, layer), source)


_POLICY_SNAPSHOT = list(rules.POLICY_FIELDS)


@transaction.atomic
def standard_staffing_set(*, actor: Any, occupation: Occupation, **values: object) -> Occupation:
    """Set the exam staffing of an occupation's national standard (city admin, who maintains the
    catalog); a value left empty means DESIGN.md's default."""
    require(actor, Perm.MANAGE_OCCUPATIONS)
    occupation = Occupation.objects.select_for_update().get(pk=occupation.pk)
    if not occupation.has_national_standard:
        raise DomainError(
            "no_national_standard",
            f"{occupation.code} {occupation.name} 没有国家职业技能标准，考评人员配比在其评价规范中设定。",
        )
    cleaned = rules.check_policy_values(values)
    before = audit.snapshot(occupation, _POLICY_SNAPSHOT)
    for name, value in cleaned.items():
        setattr(occupation, name, value)
    occupation.save(update_fields=list(rules.POLICY_FIELDS))
    old, new = audit.diff(before, audit.snapshot(occupation, _POLICY_SNAPSHOT))
    if new:
        audit.record(actor, AuditAction.UPDATE, occupation, before=old, after=new, note="设定考评人员配比")
    return occupation


@transaction.atomic
def spec_staffing_set(*, actor: Any, spec: EvaluationSpec, **values: object) -> EvaluationSpec:
    """Set the exam staffing of an evaluation spec (the drafting school, while the spec may still be
    amended: the experts review it with the rest of the spec). The two ratios are required, as on the
    spec form; the others may be left to DESIGN.md's defaults."""
    require(actor, Perm.DRAFT_SPEC)
    if not EvaluationSpec.objects.restrict(actor).filter(pk=spec.pk).exists():
        raise NotFound()
    spec = EvaluationSpec.objects.select_for_update().get(pk=spec.pk)
    spec_rules.check_editable(spec.status, opinions=spec.opinions.count())
    cleaned = rules.check_policy_values(values)
    for name in ("candidates_per_invigilator", "candidates_per_examiner"):
        if cleaned[name] is None:
            raise DomainError("policy_required", f"{rules.POLICY_LABELS[name]}：评价规范须填写。", field=name)
    before = audit.snapshot(spec, _POLICY_SNAPSHOT)
    for name, value in cleaned.items():
        setattr(spec, name, value)
    spec.updated_at = timezone.now()
    spec.save(update_fields=[*rules.POLICY_FIELDS, "updated_at"])
    old, new = audit.diff(before, audit.snapshot(spec, _POLICY_SNAPSHOT))
    if new:
        audit.record(actor, AuditAction.UPDATE, spec, before=old, after=new, note="设定考评人员配比")
    return spec


def staffing_facts(session: AssessmentSession) -> rules.StaffingFacts:
    """The staffing facts of a session as assigned now (qualification and conflicts per examiner).
    Conflicts come from two queries for the whole session, not two per examiner and candidate."""
    staff = list(session.staff.select_related("examiner__person"))
    names = dict(Person.objects.filter(exam_registrations__session=session).order_by("pk").values_list("pk", "name"))
    person_ids = list(names)
    examiner_rows = [row for row in staff if row.role == StaffRole.EXAMINER]
    relatives: set[tuple[int, int]] = set()
    own_students: set[tuple[int, int]] = set()
    if examiner_rows and person_ids:
        through = Examiner.relatives.through
        relatives = set(
            through.objects.filter(
                examiner_id__in=[r.examiner_id for r in examiner_rows], person_id__in=person_ids
            ).values_list("examiner_id", "person_id")
        )
        schools = {r.examiner.school_id for r in examiner_rows}
        own_students = set(
            Student.objects.filter(person_id__in=person_ids, school_id__in=schools).values_list(
                "school_id", "person_id"
            )
        )
    examiners = []
    for row in examiner_rows:
        conflicts = []
        for pid in person_ids:
            reason = examiner_conflict(
                is_relative=(row.examiner_id, pid) in relatives,
                is_own_student=(row.examiner.school_id, pid) in own_students,
            )
            if reason:
                conflicts.append(f"{names[pid]}：{reason}")
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
    rules.check_staffing(staffing_facts(session), staffing_policy_for(session).policy)
    _set_status(actor, session, SessionStatus.STAFFED, "考评人员配备核对通过")
    return session


@transaction.atomic
def session_start(*, actor: Any, session: AssessmentSession) -> AssessmentSession:
    """Start the session (staffed → in progress), re-running the gate and the staffing checks."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    if session.status == SessionStatus.PLANNED:
        rules.check_staffing(staffing_facts(session), staffing_policy_for(session).policy)
        _set_status(actor, session, SessionStatus.STAFFED, "考评人员配备核对通过")
    rules.check_transition(session.status, SessionStatus.IN_PROGRESS)
    check_institution_may_assess(session.institution, session.occupation, session.level, session.held_on)
    rules.check_staffing(staffing_facts(session), staffing_policy_for(session).policy)
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


@dataclass(frozen=True)
class Entered:
    """What one examiner's entry did: `change` is created / updated / unchanged; `state` the candidate's
    double-entry state afterwards; `score` the accepted score (None unless the entries agree)."""

    entry: ScoreEntry
    change: str
    state: str
    score: Score | None


def _enter(actor: Any, session: AssessmentSession, registration: Registration, t: Decimal, s: Decimal) -> Entered:
    """Write the actor's own entry for `registration` (replacing their earlier one) and reconcile the
    accepted score. The caller holds the session lock and has checked assignment and status."""
    who = registration.person.name
    score = Score.objects.select_for_update().filter(registration=registration).first()
    if score is not None and score.confirmed:
        raise DomainError("score_confirmed", f"{who} 的成绩已确认，只能通过更正（须填写原因）修改。")
    entry = ScoreEntry.objects.select_for_update().filter(registration=registration, entered_by=actor).first()
    values = {"theory": str(t), "skill": str(s)}
    if entry is None:
        entry = ScoreEntry.objects.create(registration=registration, entered_by=actor, theory=t, skill=s)
        change = "created"
        audit.record(actor, AuditAction.CREATE, entry, after=values, note=f"录入成绩：{who}")
    elif (entry.theory, entry.skill) != (t, s):
        before = {"theory": str(entry.theory), "skill": str(entry.skill)}
        entry.theory, entry.skill, entry.entered_at = t, s, timezone.now()
        entry.save(update_fields=["theory", "skill", "entered_at"])
        change = "updated"
        audit.record(actor, AuditAction.UPDATE, entry, before=before, after=values, note=f"重新录入成绩：{who}")
    else:
        change = "unchanged"
    state, score = _reconcile(actor, session, registration, score)
    return Entered(entry=entry, change=change, state=state, score=score)


def _reconcile(
    actor: Any, session: AssessmentSession, registration: Registration, score: Score | None
) -> tuple[str, Score | None]:
    """Accept the score when two or more examiners' entries all agree; withdraw an unconfirmed accepted
    score when they no longer do."""
    entries = list(ScoreEntry.objects.filter(registration=registration).order_by("entered_at", "id"))
    state = rules.entry_state([(e.theory, e.skill) for e in entries])
    who = registration.person.name
    if state == rules.AGREED:
        t, s = entries[0].theory, entries[0].skill
        is_pass = rules.passed(t, s, theory_pass=session.theory_pass_mark, skill_pass=session.skill_pass_mark)
        if score is None:
            score = Score.objects.create(
                registration=registration,
                theory=t,
                skill=s,
                passed=is_pass,
                entered_by_id=entries[0].entered_by_id,
                checked_by_id=entries[1].entered_by_id,
            )
            audit.record(
                actor,
                AuditAction.CREATE,
                score,
                after={"theory": str(t), "skill": str(s), "passed": is_pass},
                note=f"双人录入一致，成绩生效：{who}",
            )
        elif (score.theory, score.skill) != (t, s):
            before = {"theory": str(score.theory), "skill": str(score.skill)}
            score.theory, score.skill, score.passed = t, s, is_pass
            score.save(update_fields=["theory", "skill", "passed"])
            audit.record(actor, AuditAction.UPDATE, score, before=before, after={"theory": str(t), "skill": str(s)})
        return state, score
    if score is not None:
        audit.record(
            actor,
            AuditAction.DELETE,
            score,
            before={"theory": str(score.theory), "skill": str(score.skill)},
            note=f"两次录入不一致，成绩撤回待核对：{who}",
        )
        score.delete()
    return state, None


def _sync_scored(actor: Any, session: AssessmentSession) -> None:
    """in progress → scored once every candidate has an accepted score; back when one is withdrawn."""
    complete = not session.registrations.filter(score__isnull=True).exists()
    if session.status == SessionStatus.IN_PROGRESS and complete:
        _set_status(actor, session, SessionStatus.SCORED, "成绩已全部双人录入一致")
    elif session.status == SessionStatus.SCORED and not complete:
        _set_status(actor, session, SessionStatus.IN_PROGRESS, "有考生两次录入不一致，待核对")


def _lock_for_scoring(actor: Any, session_id: int) -> AssessmentSession:
    session = AssessmentSession.objects.select_for_update().get(pk=session_id)
    _assigned_examiner(actor, session)
    rules.check_scoring_open(session.status)
    return session


@transaction.atomic
def score_enter(*, actor: Any, registration: Registration, theory: object, skill: object) -> Entered:
    """An assigned examiner enters a candidate's scores (double entry, 双人录入): each examiner's entry is
    kept; the score is accepted once a second examiner's independent entry agrees, and a disagreement is
    listed for the examiners to re-enter. Confirmed scores are refused (use `score_correct`)."""
    session = _lock_for_scoring(actor, registration.session_id)
    t = rules.parse_score(theory, column="理论成绩")
    s = rules.parse_score(skill, column="技能成绩")
    entered = _enter(actor, session, registration, t, s)
    _sync_scored(actor, session)
    return entered


@transaction.atomic
def session_confirm(*, actor: Any, session: AssessmentSession) -> AssessmentSession:
    """Confirm every score of the session (scored → confirmed); refused while any candidate's score is
    missing or its two entries disagree. From now on only corrections change them."""
    session = _lock(actor, session, Perm.PLAN_ASSESSMENT)
    board = selectors.entry_board(session)
    disagreements = sum(1 for row in board if row["state"] == rules.DISAGREED)
    missing = sum(1 for row in board if row["score"] is None) - disagreements
    rules.check_may_confirm(candidates=len(board), missing=missing, disagreements=disagreements)
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

"""Demo exam sessions (R4): per filed institution, sessions in every state from planned to issued, with
candidates (the school's 中职 students), staff from OTHER institutions' registries (an examiner never
judges the students of their own school), scores entered twice by two examiners (double entry), a
correction, an objection; the session in progress has a double-entry disagreement pending and a
candidate still waiting for the second entry; issued sessions have their passers' certificates (through
the certification service). The demo `examiner` account is one of the examiners of the session in
progress, so it can log in and resolve the disagreement. Deterministic for a seed. Like the other
builders it writes without per-row audit (the `demo` command records the load as one event), so audit
rows the services write here are removed at the end.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from chizheng.assessments import rules
from chizheng.assessments.choices import ObjectionStatus, SessionStatus
from chizheng.assessments.models import (
    AssessmentSession,
    Objection,
    Registration,
    Score,
    ScoreCorrection,
    ScoreEntry,
    SessionStaff,
)
from chizheng.core.choices import Role
from chizheng.core.errors import DomainError
from chizheng.core.models import AuditEvent, User
from chizheng.institutions.choices import ExaminerRole, InstitutionStatus
from chizheng.institutions.models import EvaluationInstitution, Examiner, InstitutionScope
from chizheng.institutions.selectors import institution_may_assess
from chizheng.people.models import Student

STATES = [s for s, _ in SessionStatus.choices]
CANDIDATES = 12  # → 2 invigilators, 3 examiners, 1 supervisor under the default ratios


def _external_staff(
    registry: list[Examiner], *, school_id: int, occupation_id: int, level: int, on: dt.date, prefer: int | None
) -> list[Examiner]:
    """Staff for a session from other schools' registries, valid on the day: qualified examiners (the
    demo examiner account's school first), invigilators and a supervisor, as many as the ratios need."""

    def pick(role: str, k: int, ok: object = None) -> list[Examiner]:
        rows = [
            e
            for e in registry
            if e.role == role
            and e.school_id != school_id
            and e.valid_from <= on
            and (e.valid_until is None or on <= e.valid_until)
            and (ok is None or ok(e))  # type: ignore[operator]
        ]
        rows.sort(key=lambda e: (e.school_id != prefer, e.pk))
        return rows[:k]

    need_exa = rules.required_examiners(CANDIDATES)
    need_inv = rules.required_invigilators(CANDIDATES, 1)
    examiners = pick(
        ExaminerRole.EXAMINER,
        need_exa,
        lambda e: e.occupation_id == occupation_id and e.highest_level is not None and e.highest_level <= level,
    )
    return examiners + pick(ExaminerRole.INVIGILATOR, need_inv) + pick(ExaminerRole.SUPERVISOR, 1)


def _users_for(examiners: list[Examiner], demo: User | None, users: dict[int, User]) -> list[User]:
    """A login per examiner; the demo `examiner` account, while it has no person, becomes the first
    examiner of its own school here (an earlier login of that person stays on its earlier sessions)."""
    out = []
    for e in examiners:
        if demo is not None and demo.person_id is None and e.school_id == demo.org_unit_id:
            demo.person_id = e.person_id
            demo.display_name = e.person.name
            demo.save(update_fields=["person", "display_name"])
            users[e.person_id] = demo
        elif e.person_id not in users:
            users[e.person_id] = User.objects.create(
                username=f"kp{e.pk}",
                role=Role.EXAMINER,
                org_unit_id=e.school_id,
                person_id=e.person_id,
                password="!demo",  # unusable: only the demo `examiner` account logs in
            )
        out.append(users[e.person_id])
    return out


def _score(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(350, 1000)) / 10


@transaction.atomic
def build(seed: int, institutions: int = 14, first_state: int = 0) -> dict[str, int]:
    """Sessions across up to `institutions` filed institutions, cycling through every state
    (starting at STATES[first_state])."""
    rng = random.Random(f"assessments-{seed}")
    today = timezone.localdate()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    creator = User.objects.filter(role="school_admin").order_by("pk").first()
    demo_examiner = User.objects.filter(username="examiner", role=Role.EXAMINER).first()
    registry = list(
        Examiner.objects.filter(institution__status=InstitutionStatus.FILED).select_related("person").order_by("pk")
    )
    users: dict[int, User] = {
        u.person_id: u for u in User.objects.filter(role=Role.EXAMINER, person__isnull=False) if u.person_id
    }
    sessions = 0
    candidates = 0
    chosen = list(
        EvaluationInstitution.objects.filter(status=InstitutionStatus.FILED)
        .prefetch_related("scopes__occupation")
        .order_by("code")[:institutions]
    )

    def one(
        inst: EvaluationInstitution,
        state: str,
        scope: InstitutionScope,
        level: int,
        staff: list[Examiner],
        held_on: dt.date,
    ) -> int:
        """One session of `inst` in `state`; the number of candidates (0: the school has too few students)."""
        students = list(
            Student.objects.filter(school=inst.school_id, stage="secondary", status="enrolled")
            .select_related("person")
            .order_by("pk")[: CANDIDATES * 3]
        )
        if len(students) < 3:
            return 0
        picked = rng.sample(students, min(CANDIDATES, len(students)))
        session = AssessmentSession.objects.create(
            institution=inst,
            school_id=inst.school_id,
            county_id=inst.county_id,
            title=f"{held_on:%Y-%m} {scope.occupation.name} {rules.level_label(level)}",
            occupation=scope.occupation,
            level=level,
            held_on=held_on,
            rooms=1,
            status=state,
            created_by=creator,
        )
        regs = Registration.objects.bulk_create(
            Registration(
                session=session,
                person=s.person,
                school_id=inst.school_id,
                county_id=inst.county_id,
                candidate_kind=s.stage,
            )
            for s in picked
        )
        if state != SessionStatus.PLANNED:
            SessionStaff.objects.bulk_create(SessionStaff(session=session, examiner=e, role=e.role) for e in staff)
        scored_states = STATES[STATES.index(SessionStatus.IN_PROGRESS) :]
        markers = [e for e in staff if e.role == ExaminerRole.EXAMINER][:2]
        if state in scored_states and creator is not None and len(markers) == 2:
            first_user, second_user = _users_for(
                markers, demo_examiner if state == SessionStatus.IN_PROGRESS else None, users
            )
            confirmed = STATES.index(state) >= STATES.index(SessionStatus.CONFIRMED)
            partial = state == SessionStatus.IN_PROGRESS
            scores = []
            entries = []
            for n, reg in enumerate(regs):
                t, s = _score(rng), _score(rng)
                entries.append(ScoreEntry(registration=reg, entered_by=first_user, theory=t, skill=s))
                if partial and n == 0:  # the second examiner read the skill sheet differently: to be resolved
                    other = s + Decimal(5) if s <= 95 else s - Decimal(5)
                    entries.append(ScoreEntry(registration=reg, entered_by=second_user, theory=t, skill=other))
                    continue
                if partial and n % 2:  # waiting for the second, independent entry
                    continue
                entries.append(ScoreEntry(registration=reg, entered_by=second_user, theory=t, skill=s))
                scores.append(
                    Score(
                        registration=reg,
                        theory=t,
                        skill=s,
                        passed=rules.passed(
                            t, s, theory_pass=rules.DEFAULT_PASS_MARK, skill_pass=rules.DEFAULT_PASS_MARK
                        ),
                        entered_by=first_user,
                        checked_by=second_user,
                        confirmed=confirmed,
                        confirmed_by=creator if confirmed else None,
                        confirmed_at=timezone.now() if confirmed else None,
                    )
                )
            ScoreEntry.objects.bulk_create(entries)
            Score.objects.bulk_create(scores)
            if confirmed and scores:
                first = scores[0]
                ScoreCorrection.objects.create(
                    score=first,
                    old_theory=first.theory,
                    old_skill=first.skill,
                    new_theory=first.theory,
                    new_skill=min(Decimal(100), first.skill + Decimal(2)),
                    reason="复核发现技能评分表漏计一项",
                    actor=creator,
                )
                new_skill = min(Decimal(100), first.skill + Decimal(2))
                Score.objects.filter(pk=first.pk).update(
                    skill=new_skill,
                    passed=rules.passed(
                        first.theory, new_skill, theory_pass=rules.DEFAULT_PASS_MARK, skill_pass=rules.DEFAULT_PASS_MARK
                    ),
                )
        if state in (SessionStatus.PUBLICISED, SessionStatus.ISSUED):
            publicised_on = today - dt.timedelta(days=2) if state == SessionStatus.PUBLICISED else held_on
            session.publicised_on = publicised_on
            session.save(update_fields=["publicised_on"])
            if creator is not None:
                Objection.objects.create(
                    session=session,
                    registration=regs[0],
                    text="对技能成绩有异议，申请复核",
                    status=ObjectionStatus.OPEN if state == SessionStatus.PUBLICISED else ObjectionStatus.DISMISSED,
                    resolution="" if state == SessionStatus.PUBLICISED else "经复核，评分无误",
                    raised_by=creator,
                    resolved_by=None if state == SessionStatus.PUBLICISED else creator,
                    resolved_at=None if state == SessionStatus.PUBLICISED else timezone.now(),
                )
        if state == SessionStatus.ISSUED:
            _issue(session)
        return len(regs)

    Option = tuple[bool, InstitutionScope, int, list[Examiner]]

    def options_for(inst: EvaluationInstitution, held_on: dt.date, prefer: int | None) -> list[Option]:
        """The scopes other schools' registries can staff, those with an examiner of `prefer`'s school first."""
        options: list[Option] = []
        for scope in (s for s in inst.scopes.all() if s.is_active_on(today)):
            level = 4 if scope.highest_level <= 4 else 5
            if not institution_may_assess(inst, scope.occupation, level, held_on):
                continue
            staff = _external_staff(
                registry,
                school_id=inst.school_id,
                occupation_id=scope.occupation_id,
                level=level,
                on=held_on,
                prefer=prefer,
            )
            markers = [e for e in staff if e.role == ExaminerRole.EXAMINER]
            if len(markers) >= rules.required_examiners(CANDIDATES):
                options.append((prefer is not None and markers[0].school_id != prefer, scope, level, staff))
        options.sort(key=lambda o: o[0])
        return options

    for index, inst in enumerate(chosen):
        state = STATES[(sessions + first_state) % len(STATES)]  # skipped institutions do not skip a state
        future = state in (SessionStatus.PLANNED, SessionStatus.STAFFED)
        held_on = today + dt.timedelta(days=14 + index) if future else today - dt.timedelta(days=40 + index)
        prefer = demo_examiner.org_unit_id if demo_examiner and state == SessionStatus.IN_PROGRESS else None
        options = options_for(inst, held_on, prefer)
        if not options:  # no other school's registry can staff it: no session here
            continue
        _, scope, level, staff = options[0]
        n = one(inst, state, scope, level, staff, held_on)
        if n:
            sessions += 1
            candidates += n
    if demo_examiner is not None and demo_examiner.person_id is None:
        # One more session in progress where the demo examiner account (its school's registry) is staffed,
        # so that it can log in and resolve a disagreement.
        held_on = today - dt.timedelta(days=30)
        others = (
            EvaluationInstitution.objects.filter(status=InstitutionStatus.FILED)
            .exclude(school_id=demo_examiner.org_unit_id)
            .prefetch_related("scopes__occupation")
            .order_by("code")
        )
        for inst in others:
            options = options_for(inst, held_on, demo_examiner.org_unit_id)
            if options and not options[0][0] and (n := one(inst, SessionStatus.IN_PROGRESS, *options[0][1:], held_on)):
                sessions += 1
                candidates += n
                break
    AuditEvent.objects.filter(pk__gt=last_audit).delete()
    return {"assessment_sessions": sessions, "assessment_candidates": candidates}


def _issue(session: AssessmentSession) -> None:
    """Passers' certificates through the certification service (skipping holders of a valid one)."""
    from chizheng.assessments.services import certificate_kind_for
    from chizheng.certification import services as certification

    assert session.publicised_on is not None
    passers = Registration.objects.filter(session=session, score__passed=True).order_by("pk")
    items = [
        certification.IssueItem(
            person_id=r.person_id,
            evidence={"session": session.pk, "demo": True},
            evidence_type="exam_registration",
            evidence_id=str(r.pk),
        )
        for r in passers
    ]
    issue_on = session.publicised_on + dt.timedelta(days=session.publicity_days + 1)
    try:
        with transaction.atomic():
            if items:
                certification.certificate_publicise(
                    actor=None,
                    institution=session.institution,
                    occupation=session.occupation,
                    level=session.level,
                    kind=certificate_kind_for(session.institution),
                    pathway="exam",
                    items=items,
                    on_date=session.publicised_on,
                    publicity_days=session.publicity_days,
                    skip_existing=True,
                )
                certification.certificate_issue_due(actor=None, institution=session.institution, on_date=issue_on)
    except DomainError:
        return
    AssessmentSession.objects.filter(pk=session.pk).update(issued_on=issue_on)

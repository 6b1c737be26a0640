"""R4 services on the database: plan (gate), register (eligibility, once), staff and start, scores,
confirmation and correction, publicity, objections, issuance through the certification service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent

from .. import services
from ..choices import SessionStatus
from ..models import Registration, Score, ScoreCorrection
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst(world):
    return f.institution(world)


def _staffed(world, inst, n=3, **kw):
    session = f.planned_session(world, inst, **kw)
    persons = f.students(world, n)
    for p in persons:
        services.registration_add(actor=world.user("school"), session=session, person=p)
    staff = f.external_staff(world, examiners=f_required(n))
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    return session, persons, staff


def f_required(n):
    from ..rules import required_examiners

    return required_examiners(n)


def _scored(world, inst, marks):
    session, _persons, staff = _staffed(world, inst, n=len(marks))
    services.session_start(actor=world.user("school"), session=session)
    first, second = (staff.users[e.pk] for e in staff.examiners[:2])
    regs = list(session.registrations.order_by("id"))
    for examiner in (first, second):  # double entry: two examiners, the same marks
        for reg, (t, s) in zip(regs, marks, strict=True):
            services.score_enter(actor=examiner, registration=reg, theory=t, skill=s)
    session.refresh_from_db()
    return session, regs, staff


def test_r04_plan_passes_the_gate(world, inst):
    session = f.planned_session(world, inst)
    assert session.status == SessionStatus.PLANNED
    assert session.theory_pass_mark == Decimal("60")
    assert session.school_id == world.school.pk
    with pytest.raises(DomainError) as exc:  # scope is up to level 3: 技师 refused by the R2 gate
        f.planned_session(world, inst, level=2)
    assert "高级工" in exc.value.message or "等级" in exc.value.message
    with pytest.raises(NotFound):
        services.session_plan(
            actor=world.user("sibling_school"), institution=inst, occupation=f.occupation(), level=4, held_on=f.HELD_ON
        )
    with pytest.raises(PermissionDenied):
        services.session_plan(
            actor=world.user("examiner"), institution=inst, occupation=f.occupation(), level=4, held_on=f.HELD_ON
        )
    with pytest.raises(DomainError) as exc:
        f.planned_session(world, inst, theory_weight=50, skill_weight=60)
    assert exc.value.code == "bad_weighting"


def test_r04_register_checks_eligibility_and_once(world, inst):
    session = f.planned_session(world, inst, level=3)
    plain, star = f.students(world, 1), f.students(world, 1, start=2, outstanding=True, expected_graduation_year=2023)
    with pytest.raises(DomainError) as exc:
        services.registration_add(actor=world.user("school"), session=session, person=plain[0])
    assert exc.value.code == "ineligible_level"
    services.registration_add(actor=world.user("school"), session=session, person=star[0])
    with pytest.raises(DomainError) as exc:
        services.registration_add(actor=world.user("school"), session=session, person=star[0])
    assert exc.value.code == "already_registered"
    assert Registration.objects.filter(session=session).count() == 1


def test_r04_start_refused_until_staffed(world, inst):
    session = f.planned_session(world, inst)
    persons = f.students(world, 16)
    for p in persons:
        services.registration_add(actor=world.user("school"), session=session, person=p)
    staff = f.external_staff(world, examiners=4)
    for e in staff.examiners + staff.invigilators:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    with pytest.raises(DomainError) as exc:
        services.session_start(actor=world.user("school"), session=session)
    problems = exc.value.extra["problems"]
    assert any("至少需要 5 人" in p for p in problems)
    assert any("督导员" in p for p in problems)
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_r04_own_school_examiner_conflicts(world, inst):
    from chizheng.institutions.models import Examiner

    session, persons, _staff = _staffed(world, inst, n=3)
    own = Examiner.objects.create(
        institution=inst,
        school=world.school,
        county=world.county,
        person=persons[0],
        role="examiner",
        occupation=f.occupation(),
        highest_level=3,
        qualification_number="OWN",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2026, 1, 1),
    )
    services.staff_assign(actor=world.user("school"), session=session, examiner=own)
    with pytest.raises(DomainError) as exc:
        services.session_start(actor=world.user("school"), session=session)
    assert any("须回避" in p for p in exc.value.extra["problems"])


def test_r04_unqualified_examiner_refused(world, inst):
    session, _, staff = _staffed(world, inst, n=3)
    staff.examiners[0].highest_level = 5
    staff.examiners[0].save()
    with pytest.raises(DomainError) as exc:
        services.session_start(actor=world.user("school"), session=session)
    assert any("不具备" in p for p in exc.value.extra["problems"])


def test_r04_full_flow_to_certificates(world, inst):
    session, regs, staff = _scored(world, inst, [("60", "60"), ("59.9", "90"), ("88.5", "71")])
    assert session.status == SessionStatus.SCORED
    school = world.user("school")
    services.session_confirm(actor=school, session=session)
    assert Score.objects.filter(registration__session=session, confirmed=True).count() == 3
    examiner = staff.users[staff.examiners[0].pk]
    with pytest.raises(DomainError) as exc:
        services.score_enter(actor=examiner, registration=regs[1], theory="70", skill="90")
    assert exc.value.code in ("not_in_progress", "score_confirmed")
    with pytest.raises(DomainError) as exc:
        services.score_correct(actor=school, registration=regs[1], theory="70", skill="90", reason=" ")
    assert exc.value.code == "reason_required"
    services.score_correct(actor=school, registration=regs[1], theory="60.5", skill="90", reason="阅卷漏计一题")
    correction = ScoreCorrection.objects.get()
    assert (correction.old_theory, correction.new_theory) == (Decimal("59.9"), Decimal("60.5"))
    assert Score.objects.get(registration=regs[1]).passed
    publicised = dt.date(2023, 6, 5)
    services.session_publicise(actor=school, session=session, on_date=publicised)
    objection = services.objection_record(actor=school, registration=regs[2], text="技能成绩有误")
    with pytest.raises(DomainError) as exc:
        services.session_issue(actor=school, session=session, today=dt.date(2023, 6, 12))
    assert exc.value.code == "publicity_running"
    with pytest.raises(DomainError) as exc:
        services.session_issue(actor=school, session=session, today=dt.date(2023, 6, 14))
    assert exc.value.code == "objections_open"
    services.objection_resolve(actor=school, objection=objection, upheld=False, resolution="经复核成绩无误")
    certs = services.session_issue(actor=school, session=session, today=dt.date(2023, 6, 14))
    assert sorted(c.person_id for c in certs) == sorted(r.person_id for r in regs)
    assert all(c.number and c.pathway == "exam" for c in certs)
    session.refresh_from_db()
    assert session.status == SessionStatus.ISSUED
    with pytest.raises(DomainError):
        services.session_issue(actor=school, session=session, today=dt.date(2023, 6, 14))
    notes = set(AuditEvent.objects.values_list("note", flat=True))
    assert {"计划考核场次", "考核开始", "确认成绩", "公示考核结果"} <= notes
    assert any(n.startswith("更正成绩：阅卷漏计一题") for n in notes)


def test_r04_failers_get_no_certificate(world, inst):
    session, regs, _ = _scored(world, inst, [("60", "59.9"), ("100", "100"), ("0", "0")])
    school = world.user("school")
    services.session_confirm(actor=school, session=session)
    services.session_publicise(actor=school, session=session, on_date=dt.date(2023, 6, 5))
    certs = services.session_issue(actor=school, session=session, today=dt.date(2023, 6, 20))
    assert [c.person_id for c in certs] == [regs[1].person_id]


def test_r04_scores_only_by_assigned_examiners_and_double_entry(world, inst):
    session, _persons, staff = _staffed(world, inst, n=3)
    services.session_start(actor=world.user("school"), session=session)
    reg = session.registrations.order_by("id").first()
    with pytest.raises(DomainError) as exc:  # the school admin is not an examiner
        services.score_enter(actor=world.user("school"), registration=reg, theory="70", skill="70")
    with pytest.raises(DomainError) as exc:  # an examiner of the school not assigned here
        services.score_enter(actor=world.user("examiner"), registration=reg, theory="70", skill="70")
    assert exc.value.code == "not_assigned"
    first, second = (staff.users[e.pk] for e in staff.examiners[:2])
    with pytest.raises(DomainError) as exc:
        services.score_enter(actor=first, registration=reg, theory="100.5", skill="70")
    assert exc.value.code == "score_out_of_range"
    assert not Score.objects.exists()
    services.score_enter(actor=first, registration=reg, theory="70", skill="80")
    assert not Score.objects.exists()  # one entry is not a score yet
    entered = services.score_enter(actor=second, registration=reg, theory="70", skill="81")
    assert entered.state == "disagreed"
    assert entered.score is None
    assert not Score.objects.exists()
    entered = services.score_enter(actor=second, registration=reg, theory="70.0", skill="80")
    assert entered.state == "agreed"
    score = Score.objects.get()
    assert (score.entered_by, score.checked_by, score.theory, score.skill) == (first, second, 70, 80)


def test_r04_registration_closed_after_start(world, inst):
    session, _, _ = _staffed(world, inst, n=3)
    services.session_start(actor=world.user("school"), session=session)
    late = f.students(world, 1, start=50)
    with pytest.raises(DomainError) as exc:
        services.registration_add(actor=world.user("school"), session=session, person=late[0])
    assert exc.value.code == "registration_closed"


def test_r04_staffed_session_back_to_planned_when_candidates_change(world, inst):
    session, _, _ = _staffed(world, inst, n=3)
    services.session_staffed(actor=world.user("school"), session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.STAFFED
    services.registration_add(actor=world.user("school"), session=session, person=f.students(world, 1, start=60)[0])
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_r04_an_examiner_who_staffed_a_session_cannot_be_removed_from_the_registry(world, inst):
    from chizheng.institutions import services as institution_services
    from chizheng.institutions.models import Examiner

    session, persons, _staff = _staffed(world, inst, n=3)
    own = Examiner.objects.create(
        institution=inst,
        school=world.school,
        county=world.county,
        person=persons[0],
        role="examiner",
        occupation=f.occupation(),
        highest_level=3,
        qualification_number="KEEP",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2026, 1, 1),
    )
    services.staff_assign(actor=world.user("school"), session=session, examiner=own)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        institution_services.examiner_remove(actor=world.user("school"), examiner=own)
    assert exc.value.code == "examiner_in_use"
    assert Examiner.objects.filter(pk=own.pk).exists()
    assert AuditEvent.objects.count() == audits

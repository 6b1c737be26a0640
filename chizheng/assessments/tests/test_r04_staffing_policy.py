"""R4 staffing per occupation standard / evaluation spec: custom ratios at their boundaries, the layers
(session override → standard or spec → DESIGN.md default), who may set them, and their bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from chizheng.core.errors import DomainError, PermissionDenied
from chizheng.core.models import AuditEvent
from chizheng.occupations.choices import SpecStatus
from chizheng.occupations.models import EvaluationSpec, Occupation

from .. import rules, services
from ..choices import SessionStatus
from ..models import AssessmentSession
from . import factories as f

ONE_PER_TEN = rules.StaffingPolicy(
    candidates_per_invigilator=10, invigilators_per_room=1, candidates_per_examiner=10, min_examiners=2
)
EVEN_OK = rules.StaffingPolicy(candidates_per_examiner=5, min_examiners=2, examiners_odd=False)


def _facts(n: int, *, invigilators: int, examiners: int, rooms: int = 1) -> rules.StaffingFacts:
    return rules.StaffingFacts(
        candidates=n,
        rooms=rooms,
        invigilators=invigilators,
        supervisors=1,
        examiners=tuple(rules.ExaminerFact(name=f"考评员{i}", qualified=True) for i in range(examiners)),
    )


# --- rules, no database ---------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "need"), [(1, 1), (10, 1), (11, 2), (20, 2), (21, 3)])
def test_r04_staffing_custom_one_invigilator_per_ten_candidates(n, need):
    assert rules.required_invigilators(n, 1, ONE_PER_TEN) == need
    assert not any(
        "监考员" in p for p in rules.staffing_problems(_facts(n, invigilators=need, examiners=3), ONE_PER_TEN)
    )
    short = rules.staffing_problems(_facts(n, invigilators=need - 1, examiners=3), ONE_PER_TEN)
    assert any("监考员" in p and "每 10 名考生 1 人" in p for p in short)


def test_r04_staffing_custom_per_room_minimum_still_applies():
    policy = rules.StaffingPolicy(candidates_per_invigilator=10, invigilators_per_room=3)
    assert rules.required_invigilators(5, 2, policy) == 6  # 2 rooms × 3 beats ceil(5/10)
    assert rules.required_invigilators(70, 2, policy) == 7  # ceil(70/10) beats 2 × 3


@pytest.mark.parametrize(("n", "need"), [(1, 2), (10, 2), (11, 3), (15, 3), (16, 4), (20, 4)])
def test_r04_staffing_even_examiner_count_allowed_when_odd_not_required(n, need):
    assert rules.required_examiners(n, EVEN_OK) == need
    assert not rules.staffing_problems(_facts(n, invigilators=2, examiners=need), EVEN_OK)
    problems = rules.staffing_problems(_facts(n, invigilators=2, examiners=need - 1), EVEN_OK)
    assert any(f"至少需要 {need} 人" in p and "单数" not in p for p in problems)


def test_r04_staffing_odd_rule_still_default():
    odd = rules.StaffingPolicy(candidates_per_examiner=5, min_examiners=2)  # examiners_odd defaults to True
    assert rules.required_examiners(10, odd) == 3
    assert any("须为单数" in p for p in rules.staffing_problems(_facts(3, invigilators=2, examiners=4), odd))
    assert not rules.staffing_problems(_facts(3, invigilators=2, examiners=4), EVEN_OK)


def test_r04_staffing_policy_layers_field_by_field():
    standard = {"candidates_per_invigilator": 10, "examiners_odd": False, "min_examiners": None}
    session = {"candidates_per_invigilator": 12, "min_examiners": None}
    policy = rules.resolve_policy(session, standard)
    assert policy.candidates_per_invigilator == 12  # the session's own value wins
    assert policy.examiners_odd is False  # from the standard
    assert policy.min_examiners == 3  # nobody set it: DESIGN.md's default
    assert policy.invigilators_per_room == 2
    assert rules.resolve_policy({}, {}) == rules.DEFAULT_STAFFING


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"candidates_per_invigilator": 0}, "candidates_per_invigilator"),
        ({"candidates_per_invigilator": "101"}, "candidates_per_invigilator"),
        ({"invigilators_per_room": "两"}, "invigilators_per_room"),
        ({"min_examiners": 1}, "min_examiners"),  # double entry needs two examiners
        ({"candidates_per_examiner": 1.5}, "candidates_per_examiner"),
        ({"examiners_odd": "yes"}, "examiners_odd"),
    ],
)
def test_r04_staffing_policy_values_refused(values, field):
    with pytest.raises(DomainError) as exc:
        rules.check_policy_values(values)
    assert exc.value.field == field


def test_r04_staffing_policy_values_accepted_at_bounds():
    cleaned = rules.check_policy_values(
        {"candidates_per_invigilator": "1", "invigilators_per_room": 10, "min_examiners": 2, "examiners_odd": False}
    )
    assert cleaned == {
        "candidates_per_invigilator": 1,
        "invigilators_per_room": 10,
        "candidates_per_examiner": None,
        "min_examiners": 2,
        "examiners_odd": False,
    }


# --- on the database ------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def inst(world):
    return f.institution(world)


def _session_with(world, inst, n, *, examiners, invigilators):
    session = f.planned_session(world, inst)
    for p in f.students(world, n):
        services.registration_add(actor=world.user("school"), session=session, person=p)
    staff = f.external_staff(world, examiners=examiners, invigilators=invigilators)
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    return session


@pytestmark_db
def test_r04_staffing_session_follows_the_occupations_national_standard(world, inst):
    session = _session_with(world, inst, 10, examiners=2, invigilators=1)
    with pytest.raises(DomainError) as exc:  # the defaults: ≥ 2 invigilators per room, ≥ 3 examiners, odd
        services.session_start(actor=world.user("school"), session=session)
    assert any("监考员" in p for p in exc.value.extra["problems"])
    assert any("考评员 2 人" in p for p in exc.value.extra["problems"])
    services.standard_staffing_set(
        actor=world.user("city"),
        occupation=f.occupation(),
        candidates_per_invigilator=10,
        invigilators_per_room=1,
        candidates_per_examiner=10,
        min_examiners=2,
        examiners_odd=False,
    )
    session.refresh_from_db()
    info = services.staffing_policy_for(session)
    assert info.policy == replace(ONE_PER_TEN, examiners_odd=False)
    assert "国家职业技能标准" in info.source
    services.session_start(actor=world.user("school"), session=session)  # 10 candidates: 1 invigilator, 2 examiners
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(note="设定考评人员配比").exists()


@pytestmark_db
def test_r04_staffing_standard_boundary_eleventh_candidate_needs_a_second_invigilator(world, inst):
    services.standard_staffing_set(
        actor=world.user("city"), occupation=f.occupation(), candidates_per_invigilator=10, invigilators_per_room=1
    )
    session = _session_with(world, inst, 11, examiners=3, invigilators=1)
    with pytest.raises(DomainError) as exc:
        services.session_start(actor=world.user("school"), session=session)
    assert exc.value.extra["problems"] == [
        "理论考试监考员 1 人，至少需要 2 人（每 10 名考生 1 人，且每个考场不少于 1 人）。"
    ]


@pytestmark_db
def test_r04_staffing_session_override_beats_the_standard(world, inst):
    services.standard_staffing_set(actor=world.user("city"), occupation=f.occupation(), candidates_per_invigilator=10)
    session = f.planned_session(world, inst)
    AssessmentSession.objects.filter(pk=session.pk).update(candidates_per_invigilator=20)
    session.refresh_from_db()
    info = services.staffing_policy_for(session)
    assert info.policy.candidates_per_invigilator == 20
    assert "本场次另有设定" in info.source


@pytestmark_db
def test_r04_staffing_standard_set_only_by_the_catalog_maintainer_and_only_with_a_standard(world, inst):
    with pytest.raises(PermissionDenied):
        services.standard_staffing_set(actor=world.user("school"), occupation=f.occupation(), min_examiners=5)
    no_standard = Occupation.objects.get(code="4-04-05-05")
    assert not no_standard.has_national_standard
    with pytest.raises(DomainError) as exc:
        services.standard_staffing_set(actor=world.user("city"), occupation=no_standard, min_examiners=5)
    assert exc.value.code == "no_national_standard"
    with pytest.raises(DomainError) as exc:
        services.standard_staffing_set(actor=world.user("city"), occupation=f.occupation(), min_examiners=1)
    assert exc.value.field == "min_examiners"
    assert f.occupation().min_examiners is None  # nothing written


def _spec(world, occupation, **fields):
    values = {
        "school": world.school,
        "county": world.county,
        "occupation": occupation,
        "title": "人工智能训练师评价规范",
        "levels": [5, 4, 3],
        "theory_weight": Decimal("30"),
        "skill_weight": Decimal("70"),
        "candidates_per_invigilator": 12,
        "candidates_per_examiner": 4,
        **fields,
    }
    return EvaluationSpec.objects.create(**values)


@pytestmark_db
def test_r04_staffing_occupation_without_standard_follows_its_active_spec(world, inst):
    occupation = Occupation.objects.get(code="4-04-05-05")
    session = AssessmentSession(occupation=occupation, held_on=dt.date(2023, 6, 1))  # only read, never saved
    assert services.staffing_policy_for(session).policy == rules.DEFAULT_STAFFING
    _spec(world, occupation, status=SpecStatus.DRAFT)  # a draft does not count
    assert services.staffing_policy_for(session).policy == rules.DEFAULT_STAFFING
    _spec(
        world,
        occupation,
        status=SpecStatus.FILED,
        filing_number="豫人社评备-2023-001",
        filed_on=dt.date(2023, 1, 1),
        examiners_odd=False,
    )
    info = services.staffing_policy_for(session)
    assert (info.policy.candidates_per_invigilator, info.policy.candidates_per_examiner) == (12, 4)
    assert info.policy.examiners_odd is False
    assert info.policy.min_examiners == 3  # left to the default
    assert "评价规范" in info.source
    before = AssessmentSession(occupation=occupation, held_on=dt.date(2022, 12, 31))  # before its filing
    assert services.staffing_policy_for(before).policy == rules.DEFAULT_STAFFING


@pytestmark_db
def test_r04_staffing_spec_values_set_by_its_school_while_amendable(world):
    occupation = Occupation.objects.get(code="4-04-05-05")
    spec = _spec(world, occupation, status=SpecStatus.DRAFT)
    services.spec_staffing_set(
        actor=world.user("school"),
        spec=spec,
        candidates_per_invigilator=10,
        candidates_per_examiner=4,
        min_examiners=2,
        examiners_odd=False,
    )
    spec.refresh_from_db()
    assert (spec.candidates_per_invigilator, spec.min_examiners, spec.examiners_odd) == (10, 2, False)
    with pytest.raises(DomainError) as exc:  # the two ratios of a spec are required
        services.spec_staffing_set(actor=world.user("school"), spec=spec, candidates_per_invigilator=None)
    assert exc.value.code == "policy_required"
    from chizheng.core.errors import NotFound

    with pytest.raises(NotFound):  # another county's school
        services.spec_staffing_set(
            actor=world.user("other_school"), spec=spec, candidates_per_invigilator=10, candidates_per_examiner=4
        )
    EvaluationSpec.objects.filter(pk=spec.pk).update(
        status=SpecStatus.FILED, filing_number="豫人社评备-2023-002", filed_on=dt.date(2023, 1, 1)
    )
    with pytest.raises(DomainError):  # a filed spec is no longer amended
        services.spec_staffing_set(
            actor=world.user("school"), spec=spec, candidates_per_invigilator=20, candidates_per_examiner=4
        )

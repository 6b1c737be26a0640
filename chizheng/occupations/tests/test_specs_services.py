"""R3 workflow through the services: five distinct approvals, one opinion per expert, independent experts,
only a filed spec is active; every refusal leaves nothing written and every change one audit row."""

import datetime as dt

import pytest
from django.utils import timezone

from chizheng.core.choices import Role
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent, User
from chizheng.core.scoping import get_for
from chizheng.occupations import spec_services as svc
from chizheng.occupations.choices import SpecStatus, Verdict
from chizheng.occupations.models import EvaluationSpec, Occupation, SpecOpinion
from chizheng.occupations.specs import spec_active_levels

TODAY = timezone.localdate()


def make_experts(n, start=2):
    return [User.objects.create(username=f"expert_{i}", role=Role.EXPERT) for i in range(start, start + n)]


def draft(world, code="4-04-05-05", **extra):
    values = {
        "occupation": Occupation.objects.get(code=code),
        "title": "人工智能训练师评价规范",
        "levels": [5, 4, 3],
        "theory_weight": "30",
        "skill_weight": "70",
        "candidates_per_invigilator": 15,
        "candidates_per_examiner": 5,
        **extra,
    }
    return svc.spec_create(actor=world.user("school"), **values)


def reviewed(world, verdicts):
    """A spec invited to len(verdicts) fresh experts, each giving the verdict at its position."""
    spec = draft(world)
    experts = make_experts(len(verdicts))
    for expert, verdict in zip(experts, verdicts, strict=True):
        svc.spec_invite(actor=world.user("school"), spec=spec, expert=expert, affiliation="河南理工大学")
        svc.spec_opinion_give(actor=expert, spec=spec, verdict=verdict, comments="意见")
    return spec, experts


def test_r03_create_records_audit_and_starts_as_draft(world):
    spec = draft(world)
    assert spec.status == SpecStatus.DRAFT
    assert spec.county == world.county
    assert spec.levels == [5, 4, 3]
    assert AuditEvent.objects.filter(object_type="occupations.EvaluationSpec", object_id=str(spec.pk)).count() == 1


def test_r03_occupation_with_a_national_standard_is_refused(world):
    occ = Occupation.objects.get(code="6-18-01-01")
    occ.has_national_standard, occ.standard_number, occ.standard_levels = True, "6-18-01-01", [5, 4, 3, 2, 1]
    occ.save()
    with pytest.raises(DomainError) as err:
        draft(world, code="6-18-01-01")
    assert err.value.code == "occupation_has_standard"
    assert not EvaluationSpec.objects.exists()
    assert not AuditEvent.objects.filter(object_type="occupations.EvaluationSpec").exists()


@pytest.mark.parametrize(
    ("theory", "skill", "code"),
    [("30", "60", "weights_not_100"), ("-10", "110", "weight_range"), ("abc", "70", "weight_format")],
)
def test_r03_weights_must_sum_to_100(world, theory, skill, code):
    with pytest.raises(DomainError) as err:
        draft(world, theory_weight=theory, skill_weight=skill)
    assert err.value.code == code


def test_r03_levels_must_be_one_to_five(world):
    with pytest.raises(DomainError) as err:
        draft(world, levels=[6])
    assert err.value.code == "level_unknown"


def test_r03_four_approvals_cannot_be_submitted_five_can(world):
    spec, _ = reviewed(world, [Verdict.APPROVE] * 3 + [Verdict.APPROVE_WITH_CHANGES, Verdict.REJECT])
    assert svc.approvals_of(spec) == 4
    with pytest.raises(DomainError) as err:
        svc.spec_submit(actor=world.user("school"), spec=spec)
    assert err.value.code == "not_enough_approvals"
    assert "4" in err.value.message
    spec.refresh_from_db()
    assert spec.status == SpecStatus.UNDER_REVIEW
    late = make_experts(1, start=50)[0]
    svc.spec_invite(actor=world.user("school"), spec=spec, expert=late)
    svc.spec_opinion_give(actor=late, spec=spec, verdict=Verdict.APPROVE)
    spec = svc.spec_submit(actor=world.user("school"), spec=spec)
    assert spec.status == SpecStatus.SUBMITTED
    assert spec.submitted_on == TODAY


def test_r03_activating_with_four_approvals_is_refused(world):
    spec, experts = reviewed(world, [Verdict.APPROVE] * 5)
    svc.spec_submit(actor=world.user("school"), spec=spec)
    # one approval disappears behind the workflow's back: the filing still counts again
    SpecOpinion.objects.filter(expert=experts[0]).delete()
    with pytest.raises(DomainError) as err:
        svc.spec_file(actor=world.user("hrss"), spec=spec, filing_number="豫人社评规〔2022〕1号", filed_on=TODAY)
    assert err.value.code == "not_enough_approvals"
    spec.refresh_from_db()
    assert spec.status == SpecStatus.SUBMITTED
    assert spec.filing_number == ""
    assert spec_active_levels(spec.occupation, TODAY) == frozenset()


def test_r03_same_expert_twice_is_refused(world):
    spec, experts = reviewed(world, [Verdict.APPROVE])
    with pytest.raises(DomainError) as err:
        svc.spec_opinion_give(actor=experts[0], spec=spec, verdict=Verdict.REJECT, comments="再评一次")
    assert err.value.code == "opinion_exists"
    assert SpecOpinion.objects.filter(spec=spec).count() == 1
    with pytest.raises(DomainError) as err:
        svc.spec_invite(actor=world.user("school"), spec=spec, expert=experts[0])
    assert err.value.code == "already_invited"


def test_r03_two_accounts_of_one_person_count_once(world):
    from chizheng.people.models import Person

    spec, _experts = reviewed(world, [Verdict.APPROVE] * 4)
    person = Person.objects.create(
        id_number="410802196001010011", name="王专家", sex="M", birth_date=dt.date(1960, 1, 1)
    )
    twin_a, twin_b = make_experts(2, start=60)
    for twin in (twin_a, twin_b):
        twin.person = person
        twin.save()
        svc.spec_invite(actor=world.user("school"), spec=spec, expert=twin)
        svc.spec_opinion_give(actor=twin, spec=spec, verdict=Verdict.APPROVE)
    assert svc.approvals_of(spec) == 5


def test_r03_expert_from_the_drafting_school_is_refused(world):
    from chizheng.people.models import Teacher

    spec = draft(world)
    insider = make_experts(1)[0]
    teacher = world.user("learner").person  # any person; make them a teacher of the drafting school
    Teacher.objects.create(person=teacher, school=world.school, county=world.county)
    insider.person = teacher
    insider.save()
    with pytest.raises(DomainError) as err:
        svc.spec_invite(actor=world.user("school"), spec=spec, expert=insider)
    assert err.value.code == "expert_from_drafting_school"
    spec.refresh_from_db()
    assert spec.status == SpecStatus.DRAFT
    assert not spec.invitations.exists()


def test_r03_only_expert_accounts_can_be_invited(world):
    spec = draft(world)
    with pytest.raises(DomainError) as err:
        svc.spec_invite(actor=world.user("school"), spec=spec, expert=world.user("examiner"))
    assert err.value.code == "not_an_expert"


def test_r03_uninvited_expert_cannot_give_an_opinion(world):
    spec, _ = reviewed(world, [Verdict.APPROVE])
    with pytest.raises(DomainError) as err:
        svc.spec_opinion_give(actor=world.user("expert"), spec=spec, verdict=Verdict.APPROVE)
    assert err.value.code == "not_invited"


def test_r03_filed_spec_is_active_from_its_filing_date_reviewed_only_is_not(world):
    spec, _ = reviewed(world, [Verdict.APPROVE] * 5)
    assert spec_active_levels(spec.occupation, TODAY) == frozenset()
    svc.spec_submit(actor=world.user("school"), spec=spec, on_date=TODAY - dt.timedelta(days=10))
    assert spec_active_levels(spec.occupation, TODAY) == frozenset()
    filed_on = TODAY - dt.timedelta(days=3)
    spec = svc.spec_file(actor=world.user("hrss"), spec=spec, filing_number="豫人社评规〔2022〕2号", filed_on=filed_on)
    assert spec.status == SpecStatus.FILED
    assert spec_active_levels(spec.occupation, filed_on - dt.timedelta(days=1)) == frozenset()
    assert spec_active_levels(spec.occupation, filed_on) == frozenset({5, 4, 3})
    svc.spec_withdraw(actor=world.user("hrss"), spec=spec, reason="国家标准已发布")
    assert spec_active_levels(spec.occupation, TODAY - dt.timedelta(days=1)) == frozenset({5, 4, 3})
    assert spec_active_levels(spec.occupation, TODAY) == frozenset()


def test_r03_filing_number_is_unique(world):
    first, _ = reviewed(world, [Verdict.APPROVE] * 5)
    svc.spec_submit(actor=world.user("school"), spec=first)
    svc.spec_file(actor=world.user("hrss"), spec=first, filing_number="豫人社评规〔2022〕3号", filed_on=TODAY)
    second = draft(world, code="4-04-05-01")
    for expert in make_experts(5, start=20):
        svc.spec_invite(actor=world.user("school"), spec=second, expert=expert)
        svc.spec_opinion_give(actor=expert, spec=second, verdict=Verdict.APPROVE)
    svc.spec_submit(actor=world.user("school"), spec=second)
    with pytest.raises(DomainError) as err:
        svc.spec_file(actor=world.user("hrss"), spec=second, filing_number="豫人社评规〔2022〕3号", filed_on=TODAY)
    assert err.value.code == "filing_number_taken"


def test_r03_filing_before_submission_or_in_the_future_is_refused(world):
    spec, _ = reviewed(world, [Verdict.APPROVE] * 5)
    with pytest.raises(DomainError) as err:
        svc.spec_file(actor=world.user("hrss"), spec=spec, filing_number="X-1", filed_on=TODAY)
    assert err.value.code == "spec_not_submitted"
    svc.spec_submit(actor=world.user("school"), spec=spec)
    with pytest.raises(DomainError) as err:
        svc.spec_file(actor=world.user("hrss"), spec=spec, filing_number="X-1", filed_on=TODAY + dt.timedelta(days=1))
    assert err.value.code == "filed_on_future"


def test_r03_edits_stop_after_the_first_opinion(world):
    spec, _ = reviewed(world, [Verdict.APPROVE])
    with pytest.raises(DomainError) as err:
        svc.spec_update(
            actor=world.user("school"),
            spec=spec,
            occupation=spec.occupation,
            title="改名",
            levels=[5],
            theory_weight=50,
            skill_weight=50,
            candidates_per_invigilator=10,
            candidates_per_examiner=3,
        )
    assert err.value.code == "spec_reviewed"


def test_r03_roles_the_services_refuse(world):
    spec = draft(world)
    with pytest.raises(PermissionDenied):
        svc.spec_create(
            actor=world.user("county"),
            occupation=spec.occupation,
            title="t",
            levels=[5],
            theory_weight=50,
            skill_weight=50,
            candidates_per_invigilator=10,
            candidates_per_examiner=3,
        )
    with pytest.raises(PermissionDenied):
        svc.spec_file(actor=world.user("school"), spec=spec, filing_number="Y", filed_on=TODAY)


def test_r03_expert_sees_only_invited_specs(world):
    spec, experts = reviewed(world, [Verdict.APPROVE])
    other = draft(world, code="4-04-05-01")
    assert list(EvaluationSpec.objects.restrict(experts[0])) == [spec]
    assert get_for(experts[0], EvaluationSpec, pk=spec.pk) == spec
    with pytest.raises(NotFound):
        get_for(experts[0], EvaluationSpec, pk=other.pk)
    assert list(EvaluationSpec.objects.restrict(world.user("expert"))) == []


def test_r03_scopes_of_school_county_city_and_hrss(world):
    spec = draft(world)
    assert list(EvaluationSpec.objects.restrict(world.user("school"))) == [spec]
    assert list(EvaluationSpec.objects.restrict(world.user("county"))) == [spec]
    assert list(EvaluationSpec.objects.restrict(world.user("city"))) == [spec]
    assert list(EvaluationSpec.objects.restrict(world.user("other_school"))) == []
    assert list(EvaluationSpec.objects.restrict(world.user("other_county"))) == []
    assert list(EvaluationSpec.objects.restrict(world.user("examiner"))) == []
    assert list(EvaluationSpec.objects.restrict(world.user("hrss"))) == []  # not submitted yet


def test_r03_expert_account_of_the_drafting_school_or_its_student_is_refused(world):
    from chizheng.people.models import Person, Student

    spec = draft(world)
    staff_expert = User.objects.create(username="expert_staff", role=Role.EXPERT, org_unit=world.school)
    student = Person.objects.create(
        id_number="410802199001010012", name="赵同学", sex="M", birth_date=dt.date(1990, 1, 1)
    )
    Student.objects.create(
        person=student,
        school=world.school,
        county=world.county,
        major="软件与信息服务",
        stage="secondary",
        entry_year=2022,
        expected_graduation_year=2025,
    )
    student_expert = User.objects.create(username="expert_student", role=Role.EXPERT, person=student)
    for insider in (staff_expert, student_expert):
        with pytest.raises(DomainError) as err:
            svc.spec_invite(actor=world.user("school"), spec=spec, expert=insider)
        assert err.value.code == "expert_from_drafting_school"
    other = User.objects.create(username="expert_outside", role=Role.EXPERT, org_unit=world.other_school)
    svc.spec_invite(actor=world.user("school"), spec=spec, expert=other, affiliation="温县职业中专")
    assert spec.invitations.count() == 1

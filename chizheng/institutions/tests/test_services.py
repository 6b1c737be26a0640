"""Services: the filing life and the bad-input list of issue 3 (clear errors, nothing half-written, audit intact)."""

from __future__ import annotations

import datetime as dt

import pytest

from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person

from .. import selectors, services
from ..models import EvaluationInstitution, Examiner, InstitutionEvent, SubsidyListEntry
from .factories import STANDARD, file_institution, give_standard

pytestmark = pytest.mark.django_db
D = dt.date


def _draft(world, code="0009", school=None, actor="school"):
    return services.institution_file(
        actor=world.user(actor),
        school=school or world.school,
        kind="social",
        name="评价中心",
        code=code,
        contact="王",
        phone="0391",
    )


def test_r02_file_submit_return_resubmit_approve_keeps_the_full_history(world):
    school, hrss = world.user("school"), world.user("hrss")
    inst = _draft(world)
    occ = give_standard()
    services.institution_scope_add(actor=school, institution=inst, occupation=occ, highest_level=4)
    services.institution_submit(actor=school, institution=inst)
    services.institution_return(actor=hrss, institution=inst, reason="缺少场地证明")
    inst.refresh_from_db()
    assert inst.status == "returned"
    assert inst.returned_reason == "缺少场地证明"
    services.institution_update(actor=school, institution=inst, sites="实训楼 A 座")
    services.institution_submit(actor=school, institution=inst)
    services.institution_approve(actor=hrss, institution=inst, filing_number="N-1", filed_on=D(2022, 5, 1))
    inst.refresh_from_db()
    assert inst.status == "filed"
    assert inst.review_due_on == D(2023, 5, 1)
    kinds = list(inst.events.values_list("kind", flat=True))
    assert kinds == ["created", "scope_added", "submitted", "returned", "amended", "resubmitted", "approved"]
    assert (
        AuditEvent.objects.filter(object_type="institutions.EvaluationInstitution", object_id=str(inst.pk)).count() == 6
    )


def test_r02_private_schools_file_too(world):
    inst = _draft(world, school=world.sibling_school, actor="sibling_school")
    assert inst.school == world.sibling_school
    assert inst.county == world.county


def test_r02_filing_for_a_school_outside_your_scope_is_refused(world):
    with pytest.raises(NotFound):
        _draft(world, school=world.other_school)
    with pytest.raises(PermissionDenied):
        _draft(world, actor="county")
    assert not EvaluationInstitution.objects.exists()


def test_r02_duplicate_filing_numbers_are_refused(world):
    school, hrss = world.user("school"), world.user("hrss")
    file_institution(school, hrss, number="N-1")
    other = _draft(world, code="0002")
    services.institution_scope_add(actor=school, institution=other, occupation=STANDARD, highest_level=4)
    services.institution_submit(actor=school, institution=other)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        services.institution_approve(actor=hrss, institution=other, filing_number="N-1", filed_on=D(2022, 5, 1))
    assert err.value.code == "duplicate_filing_number"
    other.refresh_from_db()
    assert other.status == "submitted"
    assert other.filing_number == ""
    assert AuditEvent.objects.count() == audits
    assert not other.events.filter(kind="approved").exists()


def test_r02_duplicate_institution_codes_and_bad_codes_are_refused(world):
    _draft(world, code="0007")
    with pytest.raises(DomainError, match="已被其他机构使用"):
        _draft(world, code="0007")
    with pytest.raises(DomainError, match="4 位数字"):
        _draft(world, code="12A4")


def test_r02_a_scope_with_an_unknown_occupation_or_an_undefined_level_is_refused(world):
    inst = _draft(world)
    give_standard(STANDARD, (5, 4, 3))
    school = world.user("school")
    with pytest.raises(DomainError) as err:
        services.institution_scope_add(actor=school, institution=inst, occupation="9-99-99-99", highest_level=4)
    assert err.value.code == "unknown_occupation"
    with pytest.raises(DomainError) as err:
        services.institution_scope_add(actor=school, institution=inst, occupation=STANDARD, highest_level=1)
    assert err.value.code == "level_not_defined"
    with pytest.raises(DomainError) as err:
        services.institution_scope_add(actor=school, institution=inst, occupation="4-01-02-05", highest_level=5)
    assert err.value.code == "occupation_without_standard"
    assert not inst.scopes.exists()


def test_r02_suspending_an_already_revoked_institution_is_refused(world):
    hrss = world.user("hrss")
    inst = file_institution(world.user("school"), hrss)
    services.institution_revoke(actor=hrss, institution=inst, on_date=D(2023, 1, 1), reason="违规")
    events, audits = InstitutionEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        services.institution_suspend(actor=hrss, institution=inst, from_date=D(2023, 2, 1), reason="再次检查")
    assert err.value.code == "invalid_transition"
    assert "已撤销" in err.value.message
    inst.refresh_from_db()
    assert inst.status == "revoked"
    assert (InstitutionEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_r02_suspension_and_revocation_need_a_reason(world):
    hrss = world.user("hrss")
    inst = file_institution(world.user("school"), hrss)
    with pytest.raises(DomainError, match="请填写原因"):
        services.institution_suspend(actor=hrss, institution=inst, from_date=D(2023, 2, 1), reason=" ")
    with pytest.raises(DomainError, match="请填写原因"):
        services.institution_revoke(actor=hrss, institution=inst, on_date=D(2023, 2, 1), reason="")


def test_r02_only_the_hrss_officer_approves_and_the_school_cannot_change_a_filed_scope(world):
    school, hrss = world.user("school"), world.user("hrss")
    inst = file_institution(school, hrss)
    with pytest.raises(PermissionDenied):
        services.institution_suspend(actor=school, institution=inst, from_date=D(2023, 2, 1), reason="x")
    with pytest.raises(PermissionDenied):
        services.institution_scope_add(actor=school, institution=inst, occupation=STANDARD, highest_level=5)
    with pytest.raises(NotFound):
        services.institution_update(actor=world.user("other_school"), institution=inst, name="x")


def test_r02_a_scope_level_change_closes_the_old_row_on_the_same_day(world):
    hrss = world.user("hrss")
    inst = file_institution(world.user("school"), hrss, level=4)
    services.institution_scope_add(
        actor=hrss, institution=inst, occupation=STANDARD, highest_level=3, added_on=D(2023, 1, 1)
    )
    occ = Occupation.objects.get(code=STANDARD)
    assert not selectors.institution_may_assess(inst, occ, 3, D(2022, 12, 31))
    assert selectors.institution_may_assess(inst, occ, 3, D(2023, 1, 1))


def test_subsidy_list_once_per_year_and_only_filed_institutions(world):
    hrss = world.user("hrss")
    inst = file_institution(world.user("school"), hrss)
    services.subsidy_list_add(actor=hrss, year=2022, institution=inst)
    with pytest.raises(DomainError, match="已在 2022 年补贴名单"):
        services.subsidy_list_add(actor=hrss, year=2022, institution=inst)
    draft = _draft(world, code="0003")
    with pytest.raises(DomainError, match="不能列入补贴名单"):
        services.subsidy_list_add(actor=hrss, year=2022, institution=draft)
    assert SubsidyListEntry.objects.count() == 1


def test_examiners_and_their_conflicts(world):
    school = world.user("school")
    inst = file_institution(school, world.user("hrss"))
    student = Person.objects.get(name="李明")
    from chizheng.core.testing import make_id_number

    teacher = Person.objects.create(
        id_number=make_id_number(birth="19800101", seq=5), name="张考评", sex="M", birth_date=D(1980, 1, 1)
    )
    relative = Person.objects.create(
        id_number=make_id_number(birth="20050101", seq=6), name="张小", sex="M", birth_date=D(2005, 1, 1)
    )
    occ = Occupation.objects.get(code=STANDARD)
    examiner = services.examiner_add(
        actor=school,
        institution=inst,
        person=teacher,
        role="examiner",
        occupation=occ,
        highest_level=3,
        qualification_number="KP-001",
        valid_from=D(2022, 1, 1),
        valid_until=D(2025, 12, 31),
        relatives=[relative],
    )
    assert selectors.examiner_conflict_with(examiner, relative.pk) == "考生是该考评员登记的亲属，须回避。"
    assert "学生" in (selectors.examiner_conflict_with(examiner, student.pk) or "")
    assert selectors.examiner_conflict_with(examiner, teacher.pk) is None
    with pytest.raises(DomainError, match="考评员须填写职业"):
        services.examiner_add(
            actor=school,
            institution=inst,
            person=relative,
            role="examiner",
            occupation=None,
            highest_level=None,
            qualification_number="KP-2",
            valid_from=D(2022, 1, 1),
            valid_until=D(2023, 1, 1),
        )
    with pytest.raises(DomainError, match="有效期止"):
        services.examiner_add(
            actor=school,
            institution=inst,
            person=relative,
            role="supervisor",
            occupation=None,
            highest_level=None,
            qualification_number="DD-1",
            valid_from=D(2022, 1, 1),
            valid_until=D(2021, 1, 1),
        )
    assert Examiner.objects.count() == 1


def test_r01_progress_counts_filed_institutions_by_county(world):
    inst = file_institution(world.user("school"), world.user("hrss"))
    progress = selectors.r1_progress(world.user("city"), today=D(2023, 2, 15))
    assert progress["filed"] == 1
    assert not progress["met"]
    assert progress["line"] == 11
    assert progress["by_county"] == [{"county": "解放区", "n": 1}, {"county": "温县", "n": 0}]
    assert progress["due"] == [inst]
    assert selectors.r1_progress(world.user("other_county"))["filed"] == 0


def test_r01_the_line_is_judged_at_its_deadline_31_december_2022(world):
    from chizheng.core.models import OrgUnit

    hrss = world.user("hrss")
    schools = [world.school, world.sibling_school, world.other_school]
    admins = [world.user("school"), world.user("sibling_school"), world.user("other_school")]
    days = [D(2022, 12, 31), D(2023, 1, 1), D(2022, 6, 1)]
    made = [
        file_institution(admin, hrss, school=school, code=f"00{i}1", number=f"N{i}", filed_on=day)
        for i, (admin, school, day) in enumerate(zip(admins, schools, days, strict=True))
    ]
    # The one filed in June 2022 is revoked before the deadline: it does not count either.
    services.institution_revoke(actor=hrss, institution=made[2], on_date=D(2022, 11, 30), reason="不再具备条件")
    progress = selectors.r1_progress(world.user("city"), today=D(2023, 3, 1))
    assert progress["at_deadline"] == 1  # only the one filed on 31 December 2022
    assert progress["filed"] == 2  # both still on the list today
    assert not progress["met"]
    assert OrgUnit.objects.filter(kind="county").count() == len(progress["by_county"])


def test_qualified_examiners_by_occupation_level_and_validity(world):
    school = world.user("school")
    inst = file_institution(school, world.user("hrss"))
    occ = Occupation.objects.get(code=STANDARD)
    person = Person.objects.get(name="李明")
    services.examiner_add(
        actor=school,
        institution=inst,
        person=person,
        role="examiner",
        occupation=occ,
        highest_level=4,
        qualification_number="KP-9",
        valid_from=D(2023, 1, 1),
        valid_until=D(2023, 12, 31),
    )
    assert selectors.examiners_qualified(inst, occ, 4, D(2023, 6, 1)).count() == 1
    assert selectors.examiners_qualified(inst, occ, 5, D(2023, 6, 1)).count() == 1
    assert selectors.examiners_qualified(inst, occ, 3, D(2023, 6, 1)).count() == 0  # above their level
    assert selectors.examiners_qualified(inst, occ, 4, D(2024, 1, 1)).count() == 0  # expired

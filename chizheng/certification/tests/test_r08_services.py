"""R8: one valid certificate per person × occupation × level, gap-free numbers, frozen holder data."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from chizheng.core.errors import DomainError, NotFound
from chizheng.core.models import AuditEvent
from chizheng.people.models import Person

from .. import services
from ..models import Certificate, NumberSequence
from ..numbering import is_valid_number, parse_henan_skill_number
from . import factories as f

pytestmark = pytest.mark.django_db


def test_r08_publicise_then_issue_numbers_in_format_without_gaps(world) -> None:
    inst = f.institution(world)
    persons = f.people(world, 5)
    certs = f.publicise(world, inst, persons)
    assert [c.status for c in certs] == ["publicised"] * 5
    assert all(c.number is None for c in certs)
    assert certs[0].publicity_ends == f.PUBLICISE_ON + dt.timedelta(days=7)
    issued = services.certificate_issue_due(actor=world.user("school"), institution=inst, on_date=f.ISSUE_ON)
    numbers = sorted(c.number or "" for c in issued)
    assert all(is_valid_number(n) for n in numbers)
    assert [parse_henan_skill_number(n).serial for n in numbers] == [1, 2, 3, 4, 5]
    first = parse_henan_skill_number(numbers[0])
    assert (first.station_code, first.year, first.level, first.institution_code) == ("410802", 2023, 4, "0001")
    assert numbers[0].startswith("Y0001")  # a college institution
    # a second batch continues the same sequence: 6, 7
    more = f.issued(world, inst, f.people(world, 2, start=100))
    assert sorted(parse_henan_skill_number(c.number or "").serial for c in more) == [6, 7]
    assert NumberSequence.objects.get(station_code="410802", year=2023, level=4).last_serial == 7
    assert AuditEvent.objects.filter(object_type="certification.Certificate").count() == 4


def test_r08_issue_waits_for_the_end_of_publicity(world) -> None:
    inst = f.institution(world)
    f.publicise(world, inst, f.people(world, 2))
    last_day = f.PUBLICISE_ON + dt.timedelta(days=7)
    assert services.certificate_issue_due(actor=world.user("school"), institution=inst, on_date=last_day) == []
    assert len(services.certificate_issue_due(actor=None, institution=inst, on_date=last_day + dt.timedelta(1))) == 2


def test_r08_db_constraint_one_valid_certificate_per_person_occupation_level(world) -> None:
    inst = f.institution(world)
    (cert,) = f.issued(world, inst, f.people(world, 1))
    copy = Certificate.objects.get(pk=cert.pk)
    copy.pk = None
    copy.number = None
    copy.status = "publicised"
    copy.verify_token = "another-token"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.level = 5  # another level is another certificate
    copy.save()


def test_r08_db_constraint_numbers_unique(world) -> None:
    inst = f.institution(world)
    a, b = f.issued(world, inst, f.people(world, 2))
    b.number = a.number
    with pytest.raises(IntegrityError), transaction.atomic():
        b.save(update_fields=["number"])


def test_r08_service_refuses_an_already_certified_person_naming_the_row(world) -> None:
    inst = f.institution(world)
    persons = f.people(world, 3)
    f.issued(world, inst, persons[1:2])
    with pytest.raises(DomainError) as err:
        f.publicise(world, inst, persons)
    assert err.value.code == "already_certified"
    assert "第 2 条" in err.value.message
    assert "学员2" in err.value.message
    assert Certificate.objects.count() == 1  # nothing half-written


def test_r08_same_person_twice_in_one_batch_is_refused(world) -> None:
    inst = f.institution(world)
    (p,) = f.people(world, 1)
    with pytest.raises(DomainError) as err:
        f.publicise(world, inst, [p, p])
    assert err.value.code == "duplicate_person"
    assert "第 2 条" in err.value.message


def test_r08_rerun_batch_issues_nothing_twice(world) -> None:
    inst = f.institution(world)
    persons = f.people(world, 4)
    first = f.issued(world, inst, persons[:2])
    again = f.publicise(world, inst, persons, skip_existing=True)
    assert sorted(c.person_id for c in again) == sorted(p.pk for p in persons[2:])
    second = services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON)
    assert len(second) == 2
    assert services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON) == []
    numbers = [c.number for c in Certificate.objects.all()]
    assert len(set(numbers)) == 4
    assert {c.pk for c in first}.isdisjoint({c.pk for c in second})


def test_r08_revoked_then_recertified_is_allowed(world) -> None:
    inst = f.institution(world)
    (p,) = f.people(world, 1)
    (cert,) = f.issued(world, inst, [p])
    revoked = services.certificate_revoke(
        actor=world.user("hrss"), certificate=cert, reason="考试作弊", on_date=dt.date(2023, 7, 1)
    )
    assert revoked.status == "revoked"
    assert revoked.number == cert.number  # kept
    (again,) = f.issued(world, inst, [p])
    assert again.number != cert.number
    assert Certificate.objects.filter(person=p).count() == 2


def test_r08_revoke_needs_a_reason_and_a_valid_certificate(world) -> None:
    inst = f.institution(world)
    (cert,) = f.issued(world, inst, f.people(world, 1))
    with pytest.raises(DomainError) as err:
        services.certificate_revoke(actor=world.user("school"), certificate=cert, reason=" ", on_date=f.ISSUE_ON)
    assert err.value.code == "reason_required"
    services.certificate_revoke(actor=world.user("school"), certificate=cert, reason="错发", on_date=f.ISSUE_ON)
    with pytest.raises(DomainError) as err:
        services.certificate_revoke(actor=world.user("school"), certificate=cert, reason="再撤", on_date=f.ISSUE_ON)
    assert err.value.code == "not_revocable"


def test_r08_holder_data_frozen_at_issue(world) -> None:
    inst = f.institution(world)
    (p,) = f.people(world, 1)
    f.publicise(world, inst, [p])
    Person.objects.filter(pk=p.pk).update(name="改名前")  # changed during publicity: issue takes it
    (cert,) = services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON)
    Person.objects.filter(pk=p.pk).update(name="改名后", birth_date=dt.date(1999, 9, 9))
    cert.refresh_from_db()
    assert cert.holder_name == "改名前"
    assert cert.holder_birth_date == dt.date(2005, 1, 1)
    assert cert.holder_id_number == p.id_number


def test_r08_reissue_gets_a_new_number_linked_to_the_old(world) -> None:
    inst = f.institution(world)
    (p,) = f.people(world, 1)
    (old,) = f.issued(world, inst, [p])
    Person.objects.filter(pk=p.pk).update(name="更正姓名")
    new = services.certificate_reissue(
        actor=world.user("school"), certificate=old, reason="姓名更正", on_date=dt.date(2023, 8, 1)
    )
    old.refresh_from_db()
    assert old.status == "replaced"
    assert new.reissue_of_id == old.pk
    assert new.number != old.number
    assert parse_henan_skill_number(new.number or "").serial == 2
    assert new.holder_name == "更正姓名"
    assert old.holder_name == "学员1"
    with pytest.raises(DomainError):
        services.certificate_reissue(actor=world.user("school"), certificate=old, reason="再换")


def test_r08_open_objection_holds_back_issue(world) -> None:
    inst = f.institution(world)
    a, b = f.publicise(world, inst, f.people(world, 2))
    objection = services.objection_raise(
        actor=world.user("school"), certificate=a, text="成绩有误", on_date=f.PUBLICISE_ON
    )
    issued = services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON)
    assert [c.pk for c in issued] == [b.pk]
    services.objection_resolve(
        actor=world.user("school"), objection=objection, upheld=False, resolution="复核无误", on_date=f.ISSUE_ON
    )
    assert [c.pk for c in services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON)] == [a.pk]


def test_r08_upheld_objection_revokes_before_a_number_is_used(world) -> None:
    inst = f.institution(world)
    (a,) = f.publicise(world, inst, f.people(world, 1))
    objection = services.objection_raise(actor=None, certificate=a, text="冒名顶替", on_date=f.PUBLICISE_ON)
    services.objection_resolve(actor=None, objection=objection, upheld=True, resolution="查实", on_date=f.ISSUE_ON)
    a.refresh_from_db()
    assert a.status == "revoked"
    assert a.number is None
    assert services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON) == []


def test_r08_gate_refuses_a_level_outside_the_institution_scope(world) -> None:
    inst = f.institution(world)  # scope up to level 3
    with pytest.raises(DomainError):
        f.publicise(world, inst, f.people(world, 1), level=2)
    with pytest.raises(DomainError):  # before the filing
        f.publicise(world, inst, f.people(world, 1, start=50), on_date=dt.date(2021, 1, 1))
    assert Certificate.objects.count() == 0


def test_r08_issuance_for_an_institution_outside_the_actor_scope(world) -> None:
    inst = f.institution(world)
    with pytest.raises(NotFound):
        f.publicise(world, inst, f.people(world, 1), actor=world.user("other_school"))
    with pytest.raises(DomainError):  # 人社 may revoke, not issue
        services.certificate_issue_due(actor=world.user("hrss"), institution=inst, on_date=f.ISSUE_ON)

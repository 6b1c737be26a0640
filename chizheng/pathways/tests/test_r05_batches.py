"""R5 direct recognition through the shared batch machinery: preview → confirm (publicise) → issue."""

import datetime as dt

import pytest

from chizheng.certification import services as certification
from chizheng.certification.models import Certificate
from chizheng.certification.tests.factories import items
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent

from .. import batches, rules, services
from ..models import BatchCandidate, RecognitionBatch
from . import factories as f

pytestmark = pytest.mark.django_db


def _outcomes(batch: RecognitionBatch) -> dict[str, tuple[str, int | None, str]]:
    return {
        c.person.name: (c.outcome, c.level, c.reason_code)
        for c in BatchCandidate.objects.filter(batch=batch).select_related("person")
    }


def test_r05_preview_shows_each_level_and_the_reason_for_everyone_else(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    senior, intermediate, junior, unmapped = f.students(world, 4)
    f.xcert(world, senior, "senior")
    f.xcert(world, intermediate, "intermediate")
    f.xcert(world, junior, "junior")
    f.xcert(world, unmapped, "senior", name="云计算平台运维与开发")
    batch = f.previewed(world, inst)
    assert batch.status == "previewed"
    assert (batch.qualified_count, batch.refused_count) == (3, 1)
    assert _outcomes(batch) == {
        senior.name: ("qualifies", 3, ""),
        intermediate.name: ("qualifies", 3, ""),
        junior.name: ("qualifies", 4, ""),
        unmapped.name: ("refused", None, rules.NO_MAPPING),
    }
    refused = BatchCandidate.objects.get(batch=batch, outcome="refused")
    assert "云计算平台运维与开发" in refused.reason
    assert refused.x_certificate is not None
    assert not Certificate.objects.exists()  # a preview writes no certificate


def test_r05_confirm_publicises_with_the_1x_record_as_evidence_then_issue_numbers_them(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    a, b = f.students(world, 2)
    xa = f.xcert(world, a, "intermediate")
    f.xcert(world, b, "junior")
    batch = f.previewed(world, inst)
    certs = batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert len(certs) == 2
    cert = Certificate.objects.get(person=a)
    assert (cert.status, cert.pathway, cert.level, cert.kind) == ("publicised", "direct", 3, "skill_level")
    assert (cert.evidence_type, cert.evidence_id) == ("one_x", str(xa.pk))
    assert cert.evidence["number"] == xa.number
    assert cert.evidence["organisation"] == xa.organisation
    assert cert.publicity_ends == f.CONFIRM_ON + dt.timedelta(days=7)
    assert BatchCandidate.objects.get(batch=batch, person=a).certificate == cert
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_on, batch.certificate_count) == ("confirmed", f.CONFIRM_ON, 2)

    with pytest.raises(DomainError) as err:  # the publicity has not ended yet
        batches.batch_issue(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON + dt.timedelta(days=7))
    assert err.value.code == "publicity_not_over"
    issued = batches.batch_issue(actor=world.user("school"), batch=batch, on_date=f.ISSUE_ON)
    assert {c.person_id for c in issued} == {a.pk, b.pk}
    assert all(c.number for c in issued)
    batch.refresh_from_db()
    assert (batch.status, batch.issued_on) == ("issued", f.ISSUE_ON)
    notes = set(AuditEvent.objects.filter(object_type="pathways.RecognitionBatch").values_list("note", flat=True))
    assert {"预览认定批次", "确认认定批次并公示", "认定批次发证"} <= notes


def test_r05_r08_someone_already_holding_the_certificate_is_refused(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    holder, other_level = f.students(world, 2)
    f.xcert(world, holder, "senior")
    f.xcert(world, other_level, "senior")
    # holder already has 车工 level 3 (from an exam); other_level has level 4 only: another certificate
    certification.certificate_publicise(
        actor=None, institution=inst, occupation=f.occupation(), level=3, kind="skill_level",
        pathway="exam", items=items([holder]), on_date=dt.date(2024, 3, 1),
    )  # fmt: skip
    certification.certificate_publicise(
        actor=None, institution=inst, occupation=f.occupation(), level=4, kind="skill_level",
        pathway="exam", items=items([other_level]), on_date=dt.date(2024, 3, 1),
    )  # fmt: skip
    batch = f.previewed(world, inst)
    outcomes = _outcomes(batch)
    assert outcomes[holder.name] == ("refused", 3, rules.ALREADY_CERTIFIED)
    assert outcomes[other_level.name] == ("qualifies", 3, "")


def test_r05_two_1x_records_earning_the_same_certificate_count_once(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    f.mapping(world, name="数控车铣加工")  # another 1+X certificate, same occupation
    (person,) = f.students(world, 1)
    f.xcert(world, person, "senior")
    f.xcert(world, person, "intermediate", name="数控车铣加工")  # also 高级工 车工
    f.xcert(world, person, "junior", name="数控车铣加工", org="另一组织")  # 中级工: a different certificate
    batch = f.previewed(world, inst)
    codes = sorted(c.reason_code for c in BatchCandidate.objects.filter(batch=batch))
    assert codes == ["", "", rules.DUPLICATE_IN_BATCH]
    certs = batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert sorted(c.level for c in certs) == [3, 4]


def test_r05_r02_the_gate_refuses_an_occupation_outside_the_institutions_scope(world) -> None:
    inst = f.institution(world)  # filed for 车工 up to level 3
    f.mapping(world, name="铣削加工", occ=f.other_occupation())
    (person,) = f.students(world, 1)
    f.xcert(world, person, "senior", name="铣削加工")
    batch = f.previewed(world, inst)
    candidate = BatchCandidate.objects.get(batch=batch)
    assert (candidate.outcome, candidate.reason_code) == ("refused", rules.GATE)
    assert "评价机构不能认定" in candidate.reason
    with pytest.raises(DomainError) as err:
        batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert err.value.code == "nobody_qualifies"


def test_r05_re_running_issues_nothing_twice(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    persons = f.students(world, 3)
    for p in persons:
        f.xcert(world, p, "senior")
    batch = f.previewed(world, inst)
    batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    # the same batch again: refused, nothing written
    for call in (batches.batch_confirm, batches.batch_preview):
        with pytest.raises(DomainError) as err:
            call(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
        assert err.value.code == "batch_closed"
    # a new batch over the same 1+X records: everyone already holds the certificate
    again = f.previewed(world, inst)
    assert set(_outcomes(again).values()) == {("refused", 3, rules.ALREADY_CERTIFIED)}
    with pytest.raises(DomainError):
        batches.batch_confirm(actor=world.user("school"), batch=again, on_date=f.CONFIRM_ON)
    assert Certificate.objects.count() == 3
    # a new record for one more person: only that one is certified
    (late,) = f.students(world, 1, start=50)
    f.xcert(world, late, "senior")
    third = f.previewed(world, inst)
    assert batches.batch_confirm(actor=world.user("school"), batch=third, on_date=f.CONFIRM_ON)[0].person_id == late.pk
    assert Certificate.objects.count() == 4


def test_r05_confirm_skips_whoever_got_the_certificate_after_the_preview(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    a, b = f.students(world, 2)
    f.xcert(world, a, "senior")
    f.xcert(world, b, "senior")
    batch = f.previewed(world, inst)
    certification.certificate_publicise(
        actor=None, institution=inst, occupation=f.occupation(), level=3, kind="skill_level",
        pathway="exam", items=items([a]), on_date=f.PREVIEW_ON,
    )  # fmt: skip
    certs = batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert [c.person_id for c in certs] == [b.pk]
    late = BatchCandidate.objects.get(batch=batch, person=a)
    assert (late.outcome, late.reason_code, late.certificate) == ("refused", rules.ALREADY_CERTIFIED, None)
    batch.refresh_from_db()
    assert (batch.qualified_count, batch.refused_count, batch.certificate_count) == (1, 1, 1)


def test_r05_preview_can_be_rerun_until_confirmed_and_follows_the_mapping(world) -> None:
    inst = f.institution(world)
    (person,) = f.students(world, 1)
    f.xcert(world, person, "junior")
    batch = f.previewed(world, inst)
    assert _outcomes(batch)[person.name] == ("refused", None, rules.NO_MAPPING)
    f.mapping(world)  # the city adds the mapping
    batch = batches.batch_preview(actor=world.user("school"), batch=batch, on_date=f.PREVIEW_ON)
    assert _outcomes(batch)[person.name] == ("qualifies", 4, "")
    assert BatchCandidate.objects.filter(batch=batch).count() == 1


def test_r05_a_batch_narrowed_to_an_occupation_and_level(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    f.mapping(world, name="铣削加工", occ=f.other_occupation())
    a, b, c = f.students(world, 3)
    f.xcert(world, a, "senior")
    f.xcert(world, b, "junior")
    f.xcert(world, c, "senior", name="铣削加工")
    batch = f.previewed(world, inst, occupation=f.occupation(), level=3)
    assert _outcomes(batch) == {a.name: ("qualifies", 3, ""), b.name: ("refused", 4, rules.LEVEL_NOT_SELECTED)}


def test_r05_scope_other_schools_records_and_batches_stay_out(world) -> None:
    inst = f.institution(world)
    f.mapping(world)
    (own,) = f.students(world, 1)
    (foreign,) = f.students(world, 1, start=70, school=world.other_school)
    f.xcert(world, own, "senior")
    services.xcertificate_create(
        actor=world.user("other_school"), person=foreign, organisation="组织", name="工业机器人应用编程",
        level="senior", number="X-FOREIGN", issued_on=f.X_ISSUED_ON,
    )  # fmt: skip
    with pytest.raises(NotFound):  # a school cannot record another school's person
        f.xcert(world, foreign, "junior")
    batch = f.previewed(world, inst)
    assert list(_outcomes(batch)) == [own.name]  # the other school's record is not in this school's batch
    with pytest.raises(NotFound):
        batches.batch_preview(actor=world.user("other_school"), batch=batch, on_date=f.PREVIEW_ON)
    with pytest.raises(NotFound):
        batches.batch_create(actor=world.user("other_school"), pathway="direct", institution=inst, title="越权")
    with pytest.raises(PermissionDenied):  # the county follows, but does not run batches
        batches.batch_confirm(actor=world.user("county"), batch=batch, on_date=f.CONFIRM_ON)
    batch.refresh_from_db()
    assert batch.status == "previewed"
    assert not Certificate.objects.exists()


def test_r05_r02_confirm_after_a_suspension_is_refused_and_writes_nothing(world) -> None:
    from chizheng.institutions import services as institutions

    inst = f.institution(world)
    f.mapping(world)
    (person,) = f.students(world, 1)
    f.xcert(world, person, "senior")
    batch = f.previewed(world, inst)
    institutions.institution_suspend(
        actor=world.user("hrss"), institution=inst, from_date=f.PREVIEW_ON, reason="年度审核发现问题"
    )
    with pytest.raises(DomainError):
        batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    batch.refresh_from_db()
    assert (batch.status, batch.certificate_count) == ("previewed", 0)
    assert not Certificate.objects.exists()
    assert BatchCandidate.objects.get(batch=batch).certificate is None
    # previewing again shows the gate's reason for the candidate
    batch = batches.batch_preview(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert BatchCandidate.objects.get(batch=batch).reason_code == rules.GATE

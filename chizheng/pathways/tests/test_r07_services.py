"""R7 services and the batch flow: competitions with rules, entries, results; preview → confirm → issue with the
result kept as evidence; every refusal named; nothing issued twice; nothing half-written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from chizheng.certification import services as certification
from chizheng.certification.models import Certificate
from chizheng.certification.tests.factories import items
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent
from chizheng.people.models import Student

from .. import batches, rules
from .. import competition_services as cs
from ..models import BatchCandidate, Competition, CompetitionBand, CompetitionEntry, RecognitionBatch
from ..rules import Band
from . import factories as f
from . import r07_factories as r7

pytestmark = pytest.mark.django_db


def _outcomes(batch: RecognitionBatch) -> dict[str, tuple[str, int | None, str]]:
    return {
        c.person.name: (c.outcome, c.level, c.reason_code)
        for c in BatchCandidate.objects.filter(batch=batch).select_related("person")
    }


def test_r07_competition_is_stored_with_its_bands_and_audited(world) -> None:
    comp = r7.competition(world)
    assert (comp.school, comp.county, comp.basis, comp.audience) == (world.school, world.county, "rank", "students")
    assert list(CompetitionBand.objects.filter(competition=comp).values_list("rank_from", "rank_to", "level")) == [
        (1, 3, 3),
        (4, 10, 4),
    ]
    assert cs.bands_of(comp) == r7.RANK_BANDS
    event = AuditEvent.objects.get(object_type="pathways.Competition", action="create")
    assert event.after is not None
    assert event.after["bands"] == ["第 1–3 名 → 三级/高级工", "第 4–10 名 → 四级/中级工"]
    scored = r7.competition(world, name="成绩赛", basis="score")
    assert list(scored.bands.values_list("score_min", "score_max", "level")) == [
        (D("90.0"), D("100.0"), 3),
        (D("75.0"), D("89.9"), 4),
    ]


def test_r07_overlapping_bands_are_refused_naming_both_rows_nothing_written(world) -> None:
    with pytest.raises(DomainError) as err:
        r7.competition(world, bands=[Band(D(1), D(3), 3), Band(D(5), D(8), 4), Band(D(3), D(4), 4)])
    assert err.value.code == "bands_overlap"
    assert err.value.extra["rows"] == [1, 3]
    assert "第 1 条与第 3 条" in err.value.message
    assert not Competition.objects.exists()
    assert not AuditEvent.objects.filter(object_type="pathways.Competition").exists()


def test_r07_a_students_competition_cannot_award_technician(world) -> None:
    with pytest.raises(DomainError) as err:
        r7.competition(world, bands=[Band(D(1), D(1), 2), Band(D(2), D(5), 3)])
    assert (err.value.code, err.value.extra["row"]) == ("student_level_cap", 1)
    assert "二级/技师" in err.value.message
    r7.competition(world, audience="both", bands=[Band(D(1), D(1), 2), Band(D(2), D(5), 3)])  # teachers may get it


def test_r07_update_replaces_the_rules_until_a_batch_is_confirmed(world) -> None:
    inst = f.institution(world)
    comp = r7.competition(world)
    new_bands = [Band(D(1), D(5), 3)]
    cs.competition_update(
        actor=world.user("school"), competition=comp, name=comp.name, occupation=comp.occupation,
        held_on=comp.held_on, audience="students", basis="rank", bands=new_bands,
    )  # fmt: skip
    assert cs.bands_of(comp) == new_bands
    (s,) = f.students(world, 1)
    r7.enter(world, comp, s, rank=1)
    batch = r7.previewed(world, inst, comp)
    batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    with pytest.raises(DomainError) as err:
        cs.competition_update(
            actor=world.user("school"), competition=comp, name=comp.name, occupation=comp.occupation,
            held_on=comp.held_on, audience="students", basis="rank", bands=r7.RANK_BANDS,
        )  # fmt: skip
    assert err.value.code == "competition_closed"
    assert cs.bands_of(comp) == new_bands
    with pytest.raises(DomainError) as err:
        cs.competition_delete(actor=world.user("school"), competition=comp)
    assert err.value.code == "competition_in_batch"
    with pytest.raises(DomainError) as err:  # the certified result is evidence
        cs.entry_set_result(actor=world.user("school"), entry=CompetitionEntry.objects.get(), rank=2, score=None)
    assert err.value.code == "result_certified"


def test_r07_registration_takes_students_and_teachers_of_the_school_by_audience(world) -> None:
    comp = r7.competition(world)  # students
    both = r7.competition(world, name="师生同赛", audience="both")
    (student,) = f.students(world, 1)
    teacher, retired = r7.teachers(world, 2)
    retired.teacher_records.update(active=False)
    assert r7.enter(world, comp, student).participant == "student"
    with pytest.raises(DomainError) as err:
        r7.enter(world, comp, teacher)
    assert err.value.code == "not_eligible_participant"
    assert r7.enter(world, both, teacher).participant == "teacher"
    with pytest.raises(DomainError) as err:
        r7.enter(world, both, retired)
    assert "不是本校在职教师" in err.value.message
    with pytest.raises(DomainError) as err:
        r7.enter(world, comp, student)
    assert err.value.code == "already_entered"
    with pytest.raises(DomainError) as err:  # claimed as a teacher: is not one
        cs.entry_register(actor=world.user("school"), competition=both, person=student, participant="teacher")
    assert err.value.code == "not_eligible_participant"
    (foreign,) = f.students(world, 1, start=90, school=world.other_school)
    with pytest.raises(NotFound):  # another school's person: out of scope
        r7.enter(world, comp, foreign)
    with pytest.raises(NotFound):  # another school's admin cannot touch this competition
        cs.entry_register(actor=world.user("other_school"), competition=comp, person=foreign)
    with pytest.raises(PermissionDenied):
        cs.entry_register(actor=world.user("county"), competition=comp, person=student)


def test_r07_results_duplicate_ranks_and_ranges(world) -> None:
    comp = r7.competition(world)
    a, b = f.students(world, 2)
    ea = r7.enter(world, comp, a, rank=1)
    eb = r7.enter(world, comp, b)
    with pytest.raises(DomainError) as err:
        cs.entry_set_result(actor=world.user("school"), entry=eb, rank=1, score=None)
    assert err.value.code == "duplicate_rank"
    assert a.name in err.value.message
    with pytest.raises(DomainError) as err:
        cs.entry_set_result(actor=world.user("school"), entry=eb, rank=None, score=D("95"))
    assert err.value.code == "rank_required"
    with pytest.raises(DomainError) as err:
        cs.entry_set_result(actor=world.user("school"), entry=eb, rank=2, score=D("101"))
    assert err.value.code == "bad_score"
    eb.refresh_from_db()
    assert (eb.rank, eb.score, eb.result_recorded_at) == (None, None, None)
    cs.entry_set_result(actor=world.user("school"), entry=ea, rank=1, score=D("98.5"))  # same rank, own entry: fine


def test_r07_preview_shows_each_level_and_every_refusal(world) -> None:
    inst = f.institution(world)  # 车工 up to 高级工
    comp = r7.competition(world, name="师生同赛", audience="both", bands=[
        Band(D(1), D(1), 2), Band(D(2), D(3), 3), Band(D(4), D(6), 4),
    ])  # fmt: skip
    first, second, fourth, ninth, absent, left, holder = f.students(world, 7)
    teacher, teacher2 = r7.teachers(world, 2)
    r7.enter(world, comp, first, rank=1)  # student → 技师: refused, students stop at 高级工
    r7.enter(world, comp, second, rank=2)  # 高级工
    r7.enter(world, comp, fourth, rank=4)  # 中级工
    r7.enter(world, comp, ninth, rank=9)  # outside the bands
    r7.enter(world, comp, absent)  # no result
    r7.enter(world, comp, left, rank=5)
    Student.objects.filter(person=left).update(status="left")  # left the school since
    r7.enter(world, comp, holder, rank=3)
    certification.certificate_publicise(
        actor=None, institution=inst, occupation=f.occupation(), level=3, kind="skill_level",
        pathway="exam", items=items([holder]), on_date=dt.date(2024, 3, 1),
    )  # fmt: skip
    r7.enter(world, comp, teacher, rank=7)  # outside
    r7.enter(world, comp, teacher2, rank=6)  # teacher, 中级工
    batch = r7.previewed(world, inst, comp)
    assert _outcomes(batch) == {
        first.name: ("refused", 2, rules.STUDENT_LEVEL_CAP),
        second.name: ("qualifies", 3, ""),
        fourth.name: ("qualifies", 4, ""),
        ninth.name: ("refused", None, rules.OUTSIDE_BANDS),
        absent.name: ("refused", None, rules.NO_RESULT),
        left.name: ("refused", None, rules.NOT_ELIGIBLE_PARTICIPANT),
        holder.name: ("refused", 3, rules.ALREADY_CERTIFIED),
        teacher.name: ("refused", None, rules.OUTSIDE_BANDS),
        teacher2.name: ("qualifies", 4, ""),
    }
    assert (batch.qualified_count, batch.refused_count) == (3, 6)
    c = BatchCandidate.objects.get(batch=batch, person=second)
    assert c.competition_entry is not None
    assert c.evidence == {
        "competition": "师生同赛", "held_on": "2024-05-10", "participant": "学生", "rank": 2,
        "rule": "第 2–3 名 → 三级/高级工",
    }  # fmt: skip
    assert not Certificate.objects.filter(pathway="competition").exists()  # a preview writes no certificate


def test_r07_r02_teacher_at_technician_needs_the_institutions_scope(world) -> None:
    bands = [Band(D(1), D(1), 2), Band(D(2), D(3), 3)]
    inst = f.institution(world)  # scope up to 高级工 only
    comp = r7.competition(world, name="教师赛", audience="teachers", bands=bands)
    teacher, second = r7.teachers(world, 2)
    r7.enter(world, comp, teacher, rank=1)
    r7.enter(world, comp, second, rank=2)
    batch = r7.previewed(world, inst, comp)
    assert _outcomes(batch) == {teacher.name: ("refused", 2, rules.GATE), second.name: ("qualifies", 3, "")}
    assert "最高到 3 级" in BatchCandidate.objects.get(batch=batch, person=teacher).reason
    # the institution's scope is raised to 技师: the teacher qualifies at 技师
    from chizheng.institutions.tests.factories import give_standard

    give_standard(levels=(5, 4, 3, 2))
    inst.scopes.update(highest_level=2)
    batch = batches.batch_preview(actor=world.user("school"), batch=batch, on_date=f.PREVIEW_ON)
    assert _outcomes(batch)[teacher.name] == ("qualifies", 2, "")


def test_r07_confirm_and_issue_keep_the_result_as_evidence_and_never_twice(world) -> None:
    inst = f.institution(world)
    comp = r7.competition(world, name="成绩赛", basis="score")
    a, b, c = f.students(world, 3)
    ea = r7.enter(world, comp, a, score="90")
    r7.enter(world, comp, b, score="89.9")
    r7.enter(world, comp, c, score="74.9")
    batch = r7.previewed(world, inst, comp)
    assert _outcomes(batch) == {
        a.name: ("qualifies", 3, ""),
        b.name: ("qualifies", 4, ""),
        c.name: ("refused", None, rules.OUTSIDE_BANDS),
    }
    certs = batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert len(certs) == 2
    cert = Certificate.objects.get(person=a)
    assert (cert.status, cert.pathway, cert.level, cert.evidence_type, cert.evidence_id) == (
        "publicised", "competition", 3, "competition", str(ea.pk),
    )  # fmt: skip
    assert cert.evidence["score"] == "90.0"
    assert cert.evidence["rule"] == "90–100 分 → 三级/高级工"
    issued = batches.batch_issue(actor=world.user("school"), batch=batch, on_date=f.ISSUE_ON)
    assert {x.person_id for x in issued} == {a.pk, b.pk}
    batch.refresh_from_db()
    assert batch.status == "issued"
    # re-running: the same batch is closed, a new batch over the same competition issues nothing
    with pytest.raises(DomainError) as err:
        batches.batch_preview(actor=world.user("school"), batch=batch, on_date=f.ISSUE_ON)
    assert err.value.code == "batch_closed"
    again = r7.previewed(world, inst, comp)
    outcomes = _outcomes(again)
    assert outcomes[a.name] == ("refused", 3, rules.ALREADY_CERTIFIED)
    assert outcomes[b.name] == ("refused", 4, rules.ALREADY_CERTIFIED)
    with pytest.raises(DomainError) as err:
        batches.batch_confirm(actor=world.user("school"), batch=again, on_date=f.ISSUE_ON)
    assert err.value.code == "nobody_qualifies"
    assert Certificate.objects.filter(pathway="competition").count() == 2


def test_r07_batch_of_another_schools_competition_is_refused(world) -> None:
    inst = f.institution(world)
    other = cs.competition_create(
        actor=world.user("other_school"), name="温县竞赛", occupation=f.occupation(), held_on=r7.HELD_ON,
        audience="students", basis="rank", bands=r7.RANK_BANDS,
    )  # fmt: skip
    with pytest.raises(DomainError) as err:
        batches.batch_create(
            actor=world.user("school"), pathway="competition", institution=inst, title="x", competition=other
        )
    assert err.value.code == "competition_other_school"
    with pytest.raises(NotFound):
        cs.competition_delete(actor=world.user("school"), competition=other)
    assert Competition.objects.restrict(world.user("school")).count() == 0


def test_r07_entry_removal_is_refused_once_a_batch_used_it(world) -> None:
    inst = f.institution(world)
    comp = r7.competition(world)
    a, b = f.students(world, 2)
    ea = r7.enter(world, comp, a, rank=1)
    eb = r7.enter(world, comp, b)
    cs.entry_remove(actor=world.user("school"), entry=eb)
    r7.previewed(world, inst, comp)
    with pytest.raises(DomainError) as err:
        cs.entry_remove(actor=world.user("school"), entry=ea)
    assert err.value.code == "entry_in_batch"
    assert CompetitionEntry.objects.filter(pk=ea.pk).exists()


def test_r07_an_audience_changed_after_registration_shows_in_the_preview(world) -> None:
    inst = f.institution(world)
    comp = r7.competition(world, audience="both")
    (student,) = f.students(world, 1)
    (teacher,) = r7.teachers(world, 1)
    r7.enter(world, comp, student, rank=1)
    r7.enter(world, comp, teacher, rank=2)
    cs.competition_update(
        actor=world.user("school"), competition=comp, name=comp.name, occupation=comp.occupation,
        held_on=comp.held_on, audience="students", basis="rank", bands=r7.RANK_BANDS,
    )  # fmt: skip
    batch = r7.previewed(world, inst, comp)
    assert _outcomes(batch) == {
        student.name: ("qualifies", 3, ""),
        teacher.name: ("refused", None, rules.NOT_ELIGIBLE_PARTICIPANT),
    }
    assert "参赛对象（学生）" in BatchCandidate.objects.get(batch=batch, person=teacher).reason

"""R6 process assessment through the shared batch machinery (preview → confirm → issue) and the mapping services."""

from __future__ import annotations

import datetime as dt

import pytest

from chizheng.certification.models import Certificate
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent
from chizheng.institutions.tests.factories import file_institution
from chizheng.people.models import Student

from .. import batches, course_services, rules
from ..models import BatchCandidate, MappedCourse, RecognitionBatch
from . import factories as f
from . import r06_factories as r6

pytestmark = pytest.mark.django_db


def _outcomes(batch: RecognitionBatch) -> dict[str, tuple[str, int | None, str]]:
    return {
        c.person.name: (c.outcome, c.level, c.reason_code)
        for c in BatchCandidate.objects.filter(batch=batch).select_related("person")
    }


def test_r06_preview_shows_who_qualifies_at_which_level_and_why_the_others_do_not(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    college, secondary, practical_failed, missing = f.students(world, 4)
    Student.objects.filter(person=secondary).update(stage="secondary", entry_year=2021)
    (next_year,) = f.students(world, 1, start=10, grad=2025)
    for p in (college, secondary, next_year):
        r6.passed_all(p)
    r6.result(practical_failed, "JD101")
    r6.result(practical_failed, "JD102", practical=False)
    r6.result(practical_failed, "JD103")
    r6.result(missing, "JD101")
    batch = r6.previewed(world, inst, mapping)
    assert (batch.status, batch.qualified_count, batch.refused_count) == ("previewed", 2, 3)
    assert batch.occupation == mapping.occupation
    assert _outcomes(batch) == {
        college.name: ("qualifies", 3, ""),
        secondary.name: ("qualifies", 4, ""),
        practical_failed.name: ("refused", None, rules.COURSE_PRACTICAL_FAILED),
        missing.name: ("refused", None, rules.COURSE_MISSING),
        next_year.name: ("refused", None, rules.NOT_GRADUATING),
    }
    failed = BatchCandidate.objects.get(batch=batch, person=practical_failed)
    assert "JD102 数控编程 实践考核未通过（48 分）" in failed.reason
    assert "JD102" in BatchCandidate.objects.get(batch=batch, person=missing).reason
    assert not Certificate.objects.exists()


def test_r06_confirm_publicises_with_the_course_results_as_evidence_then_issue_numbers_them(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    a, b = f.students(world, 2)
    Student.objects.filter(person=b).update(stage="secondary")
    r6.passed_all(a)
    r6.passed_all(b)
    batch = r6.previewed(world, inst, mapping)
    certs = batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    assert len(certs) == 2
    cert = Certificate.objects.get(person=a)
    assert (cert.status, cert.pathway, cert.level, cert.occupation) == ("publicised", "process", 3, mapping.occupation)
    assert Certificate.objects.get(person=b).level == 4
    assert (cert.evidence_type, cert.evidence_id) == ("course_results", f"{mapping.pk}:{a.pk}")
    assert cert.evidence["mapping"] == mapping.name
    assert [c["code"] for c in cert.evidence["courses"]] == ["JD101", "JD102", "JD103"]
    assert cert.evidence["courses"][0]["practical_score"] == "75.0"
    issued = batches.batch_issue(actor=world.user("school"), batch=batch, on_date=f.ISSUE_ON)
    assert {c.person_id for c in issued} == {a.pk, b.pk}
    assert all(c.number for c in issued)
    batch.refresh_from_db()
    assert (batch.status, batch.certificate_count) == ("issued", 2)


def test_r06_re_running_issues_nothing_twice(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    (a,) = f.students(world, 1)
    r6.passed_all(a)
    batch = r6.previewed(world, inst, mapping)
    batches.batch_confirm(actor=world.user("school"), batch=batch, on_date=f.CONFIRM_ON)
    with pytest.raises(DomainError) as err:
        batches.batch_preview(actor=world.user("school"), batch=batch, on_date=f.PREVIEW_ON)
    assert err.value.code == "batch_closed"
    again = r6.previewed(world, inst, mapping)  # a second batch over the same mapping
    assert _outcomes(again) == {a.name: ("refused", 3, rules.ALREADY_CERTIFIED)}
    with pytest.raises(DomainError) as err:
        batches.batch_confirm(actor=world.user("school"), batch=again, on_date=f.CONFIRM_ON)
    assert err.value.code == "nobody_qualifies"
    assert Certificate.objects.filter(person=a).count() == 1


def test_r06_the_institution_gate_refuses_a_level_beyond_its_scope(world) -> None:
    inst = file_institution(world.user("school"), world.user("hrss"), code="0002", number="备案-0002", level=4)
    mapping = r6.course_mapping(world)
    college, secondary = f.students(world, 2)
    Student.objects.filter(person=secondary).update(stage="secondary")
    r6.passed_all(college)
    r6.passed_all(secondary)
    batch = r6.previewed(world, inst, mapping)
    assert _outcomes(batch) == {
        college.name: ("refused", 3, rules.GATE),  # 高级工 beyond a scope that stops at 中级工
        secondary.name: ("qualifies", 4, ""),
    }


def test_r06_a_major_restricted_mapping_also_lists_graduating_students_of_the_major_without_results(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world, major="机电一体化技术")
    a, no_results, other_major = f.students(world, 3)
    Student.objects.filter(person=other_major).update(major="会计")
    (not_yet,) = f.students(world, 1, start=20, grad=2026)  # same major, not graduating: not listed
    r6.passed_all(a)
    r6.passed_all(other_major)
    batch = r6.previewed(world, inst, mapping)
    outcomes = _outcomes(batch)
    assert outcomes == {
        a.name: ("qualifies", 3, ""),
        no_results.name: ("refused", None, rules.COURSE_MISSING),
        other_major.name: ("refused", None, rules.MAJOR_NOT_COVERED),
    }
    assert not_yet.name not in outcomes


def test_r06_results_of_a_person_without_a_student_record_at_the_school_are_refused(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    (a,) = f.students(world, 1)
    r6.passed_all(a)
    Student.objects.filter(person=a).delete()
    batch = r6.previewed(world, inst, mapping)
    assert _outcomes(batch) == {a.name: ("refused", None, rules.NOT_A_STUDENT)}


def test_r06_batch_needs_an_active_mapping_of_the_institutions_school(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    with pytest.raises(DomainError) as err:
        batches.batch_create(actor=world.user("school"), pathway="process", institution=inst, title="无方案")
    assert err.value.code == "mapping_required"
    mapping = course_services.course_mapping_set_active(actor=world.user("school"), mapping=mapping, active=False)
    with pytest.raises(DomainError) as err:
        r6.process_batch(world, inst, mapping)
    assert err.value.code == "mapping_inactive"
    other = course_services.course_mapping_create(
        actor=world.user("other_school"), name="他校方案", occupation=f.occupation(), courses=r6.COURSES
    )
    with pytest.raises(DomainError) as err:
        r6.process_batch(world, inst, other)
    assert err.value.code == "mapping_other_school"


def test_r06_mapping_services_create_update_replace_courses_and_deactivate_with_audit(world) -> None:
    mapping = r6.course_mapping(world)
    assert (mapping.school, mapping.county) == (world.school, world.county)
    assert list(mapping.courses.values_list("code", flat=True)) == ["JD101", "JD102", "JD103"]
    course_services.course_mapping_update(
        actor=world.user("school"),
        mapping=mapping,
        name="数控车工课证融通（2024 版）",
        occupation=f.occupation(),
        major="数控技术应用",
        courses=[("JD101", "机械制图与CAD"), ("JD104", "数控加工综合实训")],
    )
    mapping.refresh_from_db()
    assert mapping.major == "数控技术应用"
    assert dict(mapping.courses.values_list("code", "name")) == {"JD101": "机械制图与CAD", "JD104": "数控加工综合实训"}
    course_services.course_mapping_set_active(actor=world.user("school"), mapping=mapping, active=False)
    mapping.refresh_from_db()
    assert not mapping.active
    notes = list(AuditEvent.objects.filter(object_type="pathways.CourseCertMapping").values_list("action", "note"))
    assert ("create", "") in notes
    assert ("update", "停用课证融通方案") in notes
    assert len([n for n in notes if n[0] == "update"]) == 2


@pytest.mark.parametrize(
    ("courses", "code"),
    [
        ([], "no_courses"),
        ([("JD101", "机械制图"), ("jd 101", "数控编程")], "course_twice"),
        ([("JD101", "")], "course_name_required"),
        ([("", "机械制图")], "course_code_required"),
    ],
)
def test_r06_mapping_courses_are_checked_and_nothing_is_written(world, courses, code) -> None:
    with pytest.raises(DomainError) as err:
        course_services.course_mapping_create(
            actor=world.user("school"), name="坏方案", occupation=f.occupation(), courses=courses
        )
    assert err.value.code == code
    assert not MappedCourse.objects.exists()


def test_r06_mapping_names_are_unique_per_school_and_writes_follow_scope(world) -> None:
    mapping = r6.course_mapping(world)
    with pytest.raises(DomainError) as err:
        r6.course_mapping(world)
    assert err.value.code == "mapping_exists"
    with pytest.raises(NotFound):
        course_services.course_mapping_set_active(actor=world.user("other_school"), mapping=mapping, active=False)
    with pytest.raises(PermissionDenied):
        course_services.course_mapping_create(
            actor=world.user("county"), name="县级方案", occupation=f.occupation(), courses=r6.COURSES
        )


def test_r06_preview_on_the_first_day_of_the_school_year_counts_next_summers_graduates(world) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    (a,) = f.students(world, 1, grad=2025)
    r6.passed_all(a)
    late_august = r6.previewed(world, inst, mapping, on_date=dt.date(2024, 8, 31))
    assert _outcomes(late_august) == {a.name: ("refused", None, rules.NOT_GRADUATING)}
    september = r6.previewed(world, inst, mapping, on_date=dt.date(2024, 9, 1))
    assert _outcomes(september) == {a.name: ("qualifies", 3, "")}

"""The R6 part of the pathways demo on the test world: a mapping per school, course results of the graduating
cohort with failures, an issued batch and a previewed one, deterministic for a seed, no audit left behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chizheng.certification.models import Certificate
from chizheng.core.models import AuditEvent
from chizheng.demo import pathways as demo
from chizheng.institutions.tests.factories import file_institution
from chizheng.people.models import Student

from .. import rules
from ..models import BatchCandidate, CourseCertMapping, CourseResult, RecognitionBatch
from . import factories as f

pytestmark = pytest.mark.django_db


def test_r06_demo_builds_an_issued_and_a_previewed_process_batch(world) -> None:
    year = rules.graduating_year_of(timezone.localdate() - dt.timedelta(days=12))
    f.institution(world)  # 车工 up to level 3
    file_institution(world.user("other_school"), world.user("hrss"), code="0002", number="备案-0002")
    f.students(world, 40, grad=year)
    f.students(world, 4, start=100, grad=year + 1)
    f.students(world, 40, start=200, grad=year, school=world.other_school)
    Student.objects.filter(school=world.other_school, person__name__in=[f"学生{i}" for i in range(230, 240)]).update(
        major="会计"
    )
    before = AuditEvent.objects.count()
    counts = demo.build_process(7)
    assert counts["course_mappings"] == 2
    assert counts["course_results"] == CourseResult.objects.count() > 0
    first, second = CourseCertMapping.objects.order_by("pk")
    assert (first.major, second.major) == ("", "机电一体化技术")
    assert first.courses.count() == second.courses.count() == 3
    issued, previewed = RecognitionBatch.objects.filter(pathway="process").order_by("pk")
    assert (issued.status, previewed.status) == ("issued", "previewed")
    certs = Certificate.objects.filter(pathway="process", status="issued")
    assert issued.certificate_count == certs.count() == counts["process_issued"] > 0
    assert all(len(c.evidence["courses"]) == 3 for c in certs)
    reasons = set(BatchCandidate.objects.filter(outcome="refused").values_list("reason_code", flat=True))
    assert {
        rules.COURSE_PRACTICAL_FAILED,
        rules.COURSE_THEORY_FAILED,
        rules.COURSE_MISSING,
        rules.NOT_GRADUATING,
        rules.MAJOR_NOT_COVERED,
    } <= reasons
    assert AuditEvent.objects.count() == before

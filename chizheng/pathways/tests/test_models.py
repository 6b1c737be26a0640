"""The pathway tables' database guarantees (both SQLite and PostgreSQL enforce them)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from chizheng.institutions.tests.factories import STANDARD
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person

from ..models import (
    BatchCandidate,
    Competition,
    CompetitionBand,
    CompetitionEntry,
    CourseResult,
    RecognitionBatch,
    XCertificate,
)

pytestmark = pytest.mark.django_db


def _x(world, number: str, organisation: str = "组织甲") -> XCertificate:
    return XCertificate.objects.create(
        person=Person.objects.get(name="李明"),
        school=world.school,
        county=world.county,
        organisation=organisation,
        name="Web 前端开发",
        level="junior",
        number=number,
        issued_on=dt.date(2023, 1, 1),
    )


def test_r05_a_1x_number_is_unique_per_organisation(world) -> None:
    _x(world, "X-1")
    _x(world, "X-1", organisation="组织乙")  # another organisation may reuse the number
    with pytest.raises(IntegrityError), transaction.atomic():
        _x(world, "X-1")


def test_r06_one_result_per_student_and_course_and_scores_in_range(world) -> None:
    person = Person.objects.get(name="李明")
    values = {"person": person, "school": world.school, "county": world.county, "course_name": "机械制图", "year": 2025}
    CourseResult.objects.create(course_code="C1", theory_passed=True, practical_passed=True, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseResult.objects.create(course_code="C1", theory_passed=True, practical_passed=False, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseResult.objects.create(
            course_code="C2", theory_score=Decimal("100.5"), theory_passed=True, practical_passed=True, **values
        )


def test_r07_a_band_is_a_rank_range_or_a_score_range_never_both(world) -> None:
    comp = Competition.objects.create(
        school=world.school,
        county=world.county,
        name="数控车技能大赛",
        occupation=Occupation.objects.get(code=STANDARD),
        held_on=dt.date(2024, 5, 1),
    )
    CompetitionBand.objects.create(competition=comp, rank_from=1, rank_to=3, level=3)
    CompetitionBand.objects.create(competition=comp, score_min=Decimal("60"), score_max=Decimal("100"), level=4)
    for bad in (
        {"rank_from": 3, "rank_to": 1},
        {"rank_from": 0, "rank_to": 1},
        {"rank_from": 1, "rank_to": 2, "score_min": Decimal("1"), "score_max": Decimal("2")},
        {"score_min": Decimal("80"), "score_max": Decimal("70")},
        {},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CompetitionBand.objects.create(competition=comp, level=4, **bad)
    person = Person.objects.get(name="李明")
    CompetitionEntry.objects.create(
        competition=comp, person=person, school=world.school, county=world.county, participant="student", rank=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetitionEntry.objects.create(
            competition=comp, person=person, school=world.school, county=world.county, participant="student"
        )


def test_batch_source_matches_pathway_and_candidate_outcome_is_consistent(world) -> None:
    from chizheng.certification.tests.factories import institution

    inst = institution(world)
    common = {"institution": inst, "school": world.school, "county": world.county, "title": "批次"}
    with pytest.raises(IntegrityError), transaction.atomic():
        RecognitionBatch.objects.create(pathway="process", **common)  # no course mapping
    batch = RecognitionBatch.objects.create(pathway="direct", **common)
    person = Person.objects.get(name="李明")
    base = {"batch": batch, "person": person, "school": world.school, "county": world.county, "evidence_type": "one_x"}
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchCandidate.objects.create(source_key="a", outcome="refused", **base)  # no reason
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchCandidate.objects.create(source_key="b", outcome="qualifies", **base)  # no occupation/level
    BatchCandidate.objects.create(source_key="c", outcome="refused", reason_code="no_mapping", reason="无对应", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchCandidate.objects.create(source_key="c", outcome="refused", reason_code="x", reason="重复", **base)

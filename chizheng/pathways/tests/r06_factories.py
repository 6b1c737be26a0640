"""R6 test helpers: a course-certificate mapping of the persona school, course results, process batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from chizheng.core.testing import World
from chizheng.institutions.models import EvaluationInstitution
from chizheng.people.models import Person

from .. import batches, course_services
from ..models import CourseCertMapping, CourseResult, RecognitionBatch
from . import factories as f

COURSES = [("JD101", "机械制图"), ("JD102", "数控编程"), ("JD103", "机床操作实训")]
PASS = (Decimal("80"), True, Decimal("75"), True)


def course_mapping(
    world: World, *, name: str = "数控车工课证融通", major: str = "", courses: list[tuple[str, str]] | None = None
) -> CourseCertMapping:
    return course_services.course_mapping_create(
        actor=world.user("school"), name=name, occupation=f.occupation(), major=major, courses=courses or COURSES
    )


def result(
    person: Person,
    code: str,
    *,
    theory: bool = True,
    practical: bool = True,
    theory_score: str | None = "80",
    practical_score: str | None = "75",
    name: str = "",
) -> CourseResult:
    """A course result at the person's school; the scores follow the flags unless given."""
    t = Decimal(theory_score) if theory_score is not None else None
    p = Decimal(practical_score) if practical_score is not None else None
    if t is not None and not theory:
        t = Decimal("52")
    if p is not None and not practical:
        p = Decimal("48")
    assert person.school_id is not None
    assert person.county_id is not None
    return CourseResult.objects.create(
        person=person,
        school_id=person.school_id,
        county_id=person.county_id,
        course_code=code,
        course_name=name or dict(COURSES).get(code, code),
        theory_score=t,
        theory_passed=theory,
        practical_score=p,
        practical_passed=practical,
        term="2023-2024-2",
        year=2024,
    )


def passed_all(person: Person, courses: list[tuple[str, str]] | None = None) -> None:
    for code, _ in courses or COURSES:
        result(person, code)


def process_batch(world: World, inst: EvaluationInstitution, mapping: CourseCertMapping, **kw: Any) -> RecognitionBatch:
    return batches.batch_create(
        actor=world.user("school"),
        pathway="process",
        institution=inst,
        title=kw.pop("title", "2024 届课证融通认定"),
        course_mapping=mapping,
        **kw,
    )


def previewed(
    world: World, inst: EvaluationInstitution, mapping: CourseCertMapping, on_date: dt.date = f.PREVIEW_ON
) -> RecognitionBatch:
    return batches.batch_preview(actor=world.user("school"), batch=process_batch(world, inst, mapping), on_date=on_date)


def matrix_objects(world: World) -> dict[str, int]:
    """The permission matrix's R6 object: a mapping of the own school (the learner has a passed course)."""
    mapping = course_mapping(world, name="矩阵课证融通方案")
    learner = Person.objects.get(name="李明")
    result(learner, "JD101")
    return {"course_mapping": mapping.pk}

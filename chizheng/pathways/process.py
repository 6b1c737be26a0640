"""R6 过程化考核 (process assessment): the batch machinery's hook for this pathway (see batches.PATHWAY_MODULES).

`compute_candidates(batch, on_date)` reads the batch's course-certificate mapping (its `MappedCourse` rows)
and the school's `CourseResult` and `Student` rows and returns one `rules.Verdict` per student (source key
"course:<mapping id>:<person id>", evidence type "course_results"), qualifying at the mapping's occupation
and the stage's level or refused with the rule that stops them (`rules.recognise_courses`). No writes.

The candidates are everyone with a result in at least one mapped course at the school, and, when the mapping
names a major, every student of that major whose expected graduation year is the one of the preview day's school
year (so a graduating student with no result at all shows as "缺少课程成绩" instead of being silently left out;
earlier graduates appear only when they have a result).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from chizheng.people.models import Student

from . import rules
from .models import CourseCertMapping, CourseResult, RecognitionBatch


def mapping_facts(mapping: CourseCertMapping) -> rules.CourseMappingFacts:
    return rules.CourseMappingFacts(
        pk=mapping.pk,
        name=mapping.name,
        occupation_id=mapping.occupation_id,
        trade_id=mapping.trade_id,
        major=mapping.major,
        courses=tuple(rules.CourseFacts(c.code, c.name) for c in mapping.courses.order_by("code")),
    )


def compute_candidates(batch: RecognitionBatch, on_date: dt.date) -> list[rules.Verdict]:
    """R6 for every candidate of the batch's mapping at the batch's school, judged on `on_date`."""
    assert batch.course_mapping_id is not None
    mapping = CourseCertMapping.objects.get(pk=batch.course_mapping_id)
    facts = mapping_facts(mapping)
    codes = [c.code for c in facts.courses]
    results: dict[int, dict[str, rules.CourseResultFacts]] = defaultdict(dict)
    rows = CourseResult.objects.filter(school_id=batch.school_id, course_code__in=codes).values_list(
        "person_id",
        "course_code",
        "course_name",
        "theory_passed",
        "practical_passed",
        "theory_score",
        "practical_score",
        "term",
        "year",
    )
    for person_id, code, name, theory, practical, t_score, p_score, term, year in rows.iterator(chunk_size=2000):
        results[person_id][rules.course_key(code)] = rules.CourseResultFacts(
            code, name, theory, practical, t_score, p_score, term, year
        )
    persons = set(results)
    if facts.major:
        cohort = Student.objects.filter(
            school_id=batch.school_id, major=facts.major, expected_graduation_year=rules.graduating_year_of(on_date)
        ).exclude(status="left")
        persons.update(cohort.values_list("person_id", flat=True))
    students: dict[int, list[rules.StudentFacts]] = defaultdict(list)
    ordered = sorted(persons)
    for start in range(0, len(ordered), 1000):
        for person_id, stage, major, year, status in Student.objects.filter(
            school_id=batch.school_id, person_id__in=ordered[start : start + 1000]
        ).values_list("person_id", "stage", "major", "expected_graduation_year", "status"):
            students[person_id].append(rules.StudentFacts(stage, major, year, status))
    return [
        rules.recognise_courses(
            person_id=person_id,
            mapping=facts,
            student=rules.choose_student(students.get(person_id, []), facts.major),
            results=results.get(person_id, {}),
            on_date=on_date,
        )
        for person_id in ordered
    ]

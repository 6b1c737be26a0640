"""Test helpers: a filed institution, candidates, examiners from another school's registry, a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from chizheng.core.choices import Role
from chizheng.core.models import User
from chizheng.core.testing import World
from chizheng.institutions.models import EvaluationInstitution, Examiner
from chizheng.institutions.tests.factories import STANDARD, file_institution
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person, Student
from chizheng.people.rules import check_digit

from .. import services
from ..models import AssessmentSession

HELD_ON = dt.date(2023, 6, 1)


def _id(i: int) -> str:
    birth = dt.date(2000, 1, 1) + dt.timedelta(days=i // 1000)
    first17 = f"410802{birth:%Y%m%d}{i % 1000:03d}"
    return first17 + check_digit(first17)


def occupation() -> Occupation:
    return Occupation.objects.get(code=STANDARD)


def institution(world: World) -> EvaluationInstitution:
    return file_institution(world.user("school"), world.user("hrss"), code="0001", number="备案-0001")


def students(world: World, n: int, *, start: int = 1, **student: object) -> list[Person]:
    """n 中职 students of the persona school (graduating 2025 unless told)."""
    persons = Person.objects.bulk_create(
        Person(
            id_number=_id(i),
            name=f"考生{i}",
            sex="M",
            birth_date=dt.date(2005, 1, 1),
            school=world.school,
            county=world.county,
        )
        for i in range(start, start + n)
    )
    values: dict[str, object] = {
        "major": "数控技术应用",
        "stage": "secondary",
        "entry_year": 2022,
        "expected_graduation_year": 2025,
    }
    values.update(student)
    Student.objects.bulk_create(Student(person=p, school=world.school, county=world.county, **values) for p in persons)
    return persons


@dataclass
class Staff:
    examiners: list[Examiner] = field(default_factory=list)
    invigilators: list[Examiner] = field(default_factory=list)
    supervisors: list[Examiner] = field(default_factory=list)
    users: dict[int, User] = field(default_factory=dict)  # examiner pk → login


def external_staff(world: World, *, examiners: int = 3, invigilators: int = 2, level: int = 3) -> Staff:
    """Staff registered with the other county's school's institution (no own-student conflicts)."""
    other = file_institution(world.user("other_school"), world.user("hrss"), code="0002", number="备案-0002")
    staff = Staff()
    counter = 900_000

    def make(role: str, bucket: list[Examiner], k: int) -> None:
        nonlocal counter
        for _ in range(k):
            counter += 1
            person = Person.objects.create(
                id_number=_id(counter),
                name=f"{role}{counter - 900_000}",
                sex="F",
                birth_date=dt.date(1980, 1, 1),
                school=world.other_school,
                county=world.other_county,
            )
            examiner = Examiner.objects.create(
                institution=other,
                school=world.other_school,
                county=world.other_county,
                person=person,
                role=role,
                occupation=occupation() if role == "examiner" else None,
                highest_level=level if role == "examiner" else None,
                qualification_number=f"Q{counter}",
                valid_from=dt.date(2020, 1, 1),
                valid_until=dt.date(2026, 12, 31),
            )
            bucket.append(examiner)
            if role == "examiner":
                user = User(username=f"ex{counter}", role=Role.EXAMINER, org_unit=world.other_school, person=person)
                user.set_password("x")
                user.save()
                staff.users[examiner.pk] = user

    make("examiner", staff.examiners, examiners)
    make("invigilator", staff.invigilators, invigilators)
    make("supervisor", staff.supervisors, 1)
    return staff


def planned_session(world: World, inst: EvaluationInstitution, *, level: int = 4, **kw: object) -> AssessmentSession:
    return services.session_plan(
        actor=world.user("school"),
        institution=inst,
        occupation=occupation(),
        level=level,
        held_on=HELD_ON,
        **kw,  # type: ignore[arg-type]
    )


def matrix_objects(world: World, institution_id: int) -> dict[str, int]:
    """The permission matrix's exam objects: a planned session of the own school's institution with the
    learner persona registered, the institution's supervisor assigned, and an objection row."""
    from chizheng.people.models import Person

    from ..models import Objection, SessionStaff

    inst = EvaluationInstitution.objects.get(pk=institution_id)
    session = planned_session(world, inst)
    registration = services.registration_add(
        actor=world.user("school"), session=session, person=Person.objects.get(name="李明")
    )
    supervisor_person = Person.objects.create(
        id_number=_id(990_001),
        name="矩阵督导员",
        sex="F",
        birth_date=dt.date(1980, 1, 1),
        school=world.school,
        county=world.county,
    )
    supervisor = Examiner.objects.create(
        institution=inst,
        school=inst.school,
        county=inst.county,
        person=supervisor_person,
        role="supervisor",
        qualification_number="DD-MATRIX",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    # the registry's own matrix examiner stays unassigned, so that its removal row shows permissions only
    staff = SessionStaff.objects.create(session=session, examiner=supervisor, role="supervisor")
    objection = Objection.objects.create(
        session=session, registration=registration, text="矩阵", raised_by=world.user("school")
    )
    return {
        "session": session.pk,
        "registration": registration.pk,
        "sess_staff": staff.pk,
        "objection": objection.pk,
    }

"""Test helpers: the persona school's filed institution, students, 1+X records and the city's mapping."""

from __future__ import annotations

import datetime as dt

from chizheng.core.models import OrgUnit
from chizheng.core.testing import World
from chizheng.institutions.models import EvaluationInstitution
from chizheng.institutions.tests.factories import STANDARD, file_institution, give_standard
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person, Student
from chizheng.people.rules import check_digit

from .. import batches, services
from ..models import RecognitionBatch, XCertificate, XCertMapping

PREVIEW_ON = dt.date(2024, 6, 1)
CONFIRM_ON = dt.date(2024, 6, 3)
ISSUE_ON = dt.date(2024, 6, 11)  # the day after 7 days of publicity
X_ISSUED_ON = dt.date(2024, 1, 10)
OTHER = "6-18-01-02"  # an occupation outside the institution's filed scope


def _id(i: int) -> str:
    birth = dt.date(2003, 1, 1) + dt.timedelta(days=i // 1000)
    first17 = f"410802{birth:%Y%m%d}{i % 1000:03d}"
    return first17 + check_digit(first17)


def occupation(code: str = STANDARD) -> Occupation:
    return Occupation.objects.get(code=code)


def other_occupation() -> Occupation:
    return give_standard(OTHER)


def institution(world: World) -> EvaluationInstitution:
    return file_institution(world.user("school"), world.user("hrss"), code="0001", number="备案-0001")


def students(
    world: World,
    n: int,
    *,
    start: int = 1,
    school: OrgUnit | None = None,
    stage: str = "junior_college",
    grad: int = 2024,
) -> list[Person]:
    unit = school or world.school
    county = unit.county
    persons = Person.objects.bulk_create(
        Person(
            id_number=_id(i),
            name=f"学生{i}",
            sex="F",
            birth_date=dt.date(2003, 1, 1),
            school=unit,
            county=county,
        )
        for i in range(start, start + n)
    )
    Student.objects.bulk_create(
        Student(
            person=p,
            school=unit,
            county=county,
            major="机电一体化技术",
            stage=stage,
            entry_year=grad - 3,
            expected_graduation_year=grad,
        )
        for p in persons
    )
    return persons


def mapping(
    world: World, name: str = "工业机器人应用编程", occ: Occupation | None = None, org: str = ""
) -> XCertMapping:
    return services.xmapping_create(
        actor=world.user("city"), certificate_name=name, organisation=org, occupation=occ or occupation()
    )


_numbers = iter(range(1, 10_000_000))


def xcert(
    world: World,
    person: Person,
    level: str,
    *,
    name: str = "工业机器人应用编程",
    org: str = "北京新奥时代科技有限责任公司",
) -> XCertificate:
    return services.xcertificate_create(
        actor=world.user("school"),
        person=person,
        organisation=org,
        name=name,
        level=level,
        number=f"X{next(_numbers):08d}",
        issued_on=X_ISSUED_ON,
    )


def direct_batch(world: World, inst: EvaluationInstitution, **kw: object) -> RecognitionBatch:
    return batches.batch_create(
        actor=world.user("school"),
        pathway="direct",
        institution=inst,
        title="2024 年 1+X 直接认定",
        **kw,  # type: ignore[arg-type]
    )


def previewed(world: World, inst: EvaluationInstitution, **kw: object) -> RecognitionBatch:
    return batches.batch_preview(actor=world.user("school"), batch=direct_batch(world, inst, **kw), on_date=PREVIEW_ON)


def matrix_objects(world: World, institution_id: int) -> dict[str, int]:
    """The permission matrix's pathway objects: the city's mapping and a previewed R5 batch of the own school's
    institution in which the learner persona (1+X 高级 → 车工 level 3) qualifies."""
    inst = EvaluationInstitution.objects.get(pk=institution_id)
    mapped = mapping(world, name="矩阵 1+X 证书")
    learner = Person.objects.get(name="李明")
    xcert(world, learner, "senior", name="矩阵 1+X 证书")
    batch = previewed(world, inst)
    return {"recognition_batch": batch.pk, "x_mapping": mapped.pk}

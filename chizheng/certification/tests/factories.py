"""Test helpers: a filed institution of the persona school, people to certify, and certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chizheng.core.testing import World
from chizheng.institutions.models import EvaluationInstitution
from chizheng.institutions.tests.factories import STANDARD, file_institution
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person

from .. import services
from ..models import Certificate

PUBLICISE_ON = dt.date(2023, 6, 1)
ISSUE_ON = dt.date(2023, 6, 15)  # after 7 days of publicity


def institution(world: World, code: str = "0001") -> EvaluationInstitution:
    return file_institution(world.user("school"), world.user("hrss"), code=code, number=f"备案-{code}")


def occupation() -> Occupation:
    return Occupation.objects.get(code=STANDARD)


def people(world: World, n: int, *, start: int = 1) -> list[Person]:
    return Person.objects.bulk_create(
        Person(
            id_number=_id(i),
            name=f"学员{i}",
            sex="M",
            birth_date=dt.date(2005, 1, 1),
            school=world.school,
            county=world.county,
        )
        for i in range(start, start + n)
    )


def _id(i: int) -> str:
    from chizheng.people.rules import check_digit

    # region 410802, birth 2000-01-01 + (i // 1000) days, order i % 1000: unique and valid for i < 300,000
    birth = dt.date(2000, 1, 1) + dt.timedelta(days=i // 1000)
    first17 = f"410802{birth:%Y%m%d}{i % 1000:03d}"
    return first17 + check_digit(first17)


def items(persons: list[Person], session: str = "S1") -> list[services.IssueItem]:
    return [
        services.IssueItem(
            person_id=p.pk,
            evidence={"session": session, "theory": 80, "skill": 75},
            evidence_type="exam_registration",
            evidence_id=f"{session}-{p.pk}",
        )
        for p in persons
    ]


def publicise(world: World, inst: EvaluationInstitution, persons: list[Person], **kw: Any) -> list[Certificate]:
    args: dict[str, Any] = {
        "actor": world.user("school"),
        "institution": inst,
        "occupation": occupation(),
        "level": 4,
        "kind": "skill_level",
        "pathway": "exam",
        "items": items(persons),
        "on_date": PUBLICISE_ON,
    }
    args.update(kw)
    return services.certificate_publicise(**args)


def issued(world: World, inst: EvaluationInstitution, persons: list[Person], **kw: Any) -> list[Certificate]:
    publicise(world, inst, persons, **kw)
    return services.certificate_issue_due(actor=world.user("school"), institution=inst, on_date=ISSUE_ON)


def matrix_objects(world: World, institution_id: int) -> tuple[int, str]:
    """The permission matrix's certificate: an issued certificate of the learner persona (own school)."""
    inst = EvaluationInstitution.objects.get(pk=institution_id)
    learner = world.user("learner")
    (cert,) = issued(world, inst, [learner.person])  # type: ignore[list-item]
    return cert.pk, cert.verify_token

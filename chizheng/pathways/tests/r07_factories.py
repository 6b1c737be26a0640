"""R7 test helpers: the persona school's competitions, teachers, entries and results, and the permission
matrix's competition objects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from chizheng.core.testing import World
from chizheng.institutions.models import EvaluationInstitution
from chizheng.institutions.tests.factories import file_institution, give_standard
from chizheng.people.models import Person, Teacher

from .. import batches
from .. import competition_services as cs
from ..models import Competition, CompetitionEntry, RecognitionBatch
from ..rules import Band
from . import factories as f

HELD_ON = dt.date(2024, 5, 10)
RANK_BANDS = [Band(D(1), D(3), 3), Band(D(4), D(10), 4)]
SCORE_BANDS = [Band(D(90), D(100), 3), Band(D(75), D("89.9"), 4)]


def institution(world: World, level: int = 3) -> EvaluationInstitution:
    """The own school's filed institution for 车工 up to `level` (below 3: the occupation gets a 技师 standard and
    the scope row is raised, as a later scope change would)."""
    inst = file_institution(world.user("school"), world.user("hrss"), code="0001", number="备案-0001")
    if level < 3:
        give_standard(levels=tuple(range(5, level - 1, -1)))
        inst.scopes.update(highest_level=level)
    return inst


def teachers(world: World, n: int, *, start: int = 500, active: bool = True) -> list[Person]:
    persons = Person.objects.bulk_create(
        Person(
            id_number=f._id(i),
            name=f"教师{i}",
            sex="M",
            birth_date=dt.date(1985, 1, 1),
            school=world.school,
            county=world.county,
        )
        for i in range(start, start + n)
    )
    Teacher.objects.bulk_create(
        Teacher(person=p, school=world.school, county=world.county, department="机电系", active=active) for p in persons
    )
    return persons


def competition(
    world: World,
    *,
    name: str = "2024 年校级数控车工技能竞赛",
    basis: str = "rank",
    audience: str = "students",
    bands: list[Band] | None = None,
) -> Competition:
    return cs.competition_create(
        actor=world.user("school"),
        name=name,
        occupation=f.occupation(),
        held_on=HELD_ON,
        audience=audience,
        basis=basis,
        bands=bands if bands is not None else (RANK_BANDS if basis == "rank" else SCORE_BANDS),
    )


def enter(
    world: World, comp: Competition, person: Person, *, rank: int | None = None, score: str | None = None
) -> CompetitionEntry:
    entry = cs.entry_register(actor=world.user("school"), competition=comp, person=person)
    if rank is not None or score is not None:
        entry = cs.entry_set_result(
            actor=world.user("school"), entry=entry, rank=rank, score=D(score) if score is not None else None
        )
    return entry


def competition_batch(world: World, inst: EvaluationInstitution, comp: Competition) -> RecognitionBatch:
    return batches.batch_create(
        actor=world.user("school"), pathway="competition", institution=inst, title=f"{comp.name}认定", competition=comp
    )


def previewed(world: World, inst: EvaluationInstitution, comp: Competition) -> RecognitionBatch:
    return batches.batch_preview(
        actor=world.user("school"), batch=competition_batch(world, inst, comp), on_date=f.PREVIEW_ON
    )


def matrix_objects(world: World) -> dict[str, int]:
    """The permission matrix's R7 objects: a rank-based competition of the own school with one entry (a new
    student of the school, rank 1) that no batch has used yet."""
    comp = competition(world, name="矩阵竞赛")
    (student,) = f.students(world, 1, start=880)
    entry = enter(world, comp, student, rank=1)
    return {"competition": comp.pk, "competition_entry": entry.pk}

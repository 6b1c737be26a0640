"""R7 竞赛取证: writers of a school's competitions, their rules (bands), entries and results.

competition_create / competition_update / competition_delete   a competition with its bands (R7 rules)
entry_register / entry_remove                                  a student or teacher of the school entered
entry_set_result                                               one result (rank and/or score); the Excel
                                                               import `competition_results` does many

Everything is scoped (a school admin acts on its own school's competitions; out of scope is 404), checked by
the pure rules in `rules.py` (`check_competition_bands`, `check_participant`, `check_result`) and audited.
Once a batch of the competition has been confirmed, its rules and the results it certified are fixed: the
certificates keep them as evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction, OrgKind
from chizheng.core.errors import DomainError
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import require
from chizheng.core.scoping import get_for
from chizheng.occupations.models import Occupation, Trade
from chizheng.people.choices import StudentStatus
from chizheng.people.models import Person, Student, Teacher

from . import rules
from .choices import BandBasis, BatchStatus, CompetitionAudience, Participant
from .models import BatchCandidate, Competition, CompetitionBand, CompetitionEntry, RecognitionBatch
from .services import RUN_PERM

_FIELDS = ["name", "occupation_id", "trade_id", "held_on", "audience", "basis"]
_CLOSED = [BatchStatus.CONFIRMED, BatchStatus.ISSUED]


@dataclass(frozen=True)
class BandIn:
    """One rule as entered: ranks `low`–`high` or scores `low`–`high` → `level`."""

    low: Decimal
    high: Decimal
    level: int


def to_bands(rows: list[BandIn]) -> list[rules.Band]:
    return [rules.Band(Decimal(r.low), Decimal(r.high), int(r.level)) for r in rows]


def bands_of(competition: Competition) -> list[rules.Band]:
    """The competition's stored bands as rule values (rank or score by its basis)."""
    out = []
    for b in competition.bands.all():
        if b.rank_from is not None:
            out.append(rules.Band(Decimal(b.rank_from), Decimal(b.rank_to or 0), b.level))
        else:
            out.append(rules.Band(Decimal(b.score_min or 0), Decimal(b.score_max or 0), b.level))
    return out


def _school_of(actor: Any, school: OrgUnit | None) -> OrgUnit:
    if actor is not None:
        require(actor, RUN_PERM)
        school = actor.org_unit
    if school is None or school.kind != OrgKind.SCHOOL:
        raise DomainError("no_school", "只有院校可以登记校内技能竞赛。")
    return school


def _check(
    *,
    name: str,
    occupation: Occupation,
    trade: Trade | None,
    audience: str,
    basis: str,
    bands: list[rules.Band],
) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("name_required", "请填写竞赛名称。", field="name")
    if trade is not None and trade.occupation_id != occupation.pk:
        raise DomainError("bad_trade", f"工种“{trade.name}”不属于职业“{occupation.name}”。", field="trade")
    if audience not in CompetitionAudience.values:
        raise DomainError("bad_audience", "参赛对象应为学生、教师或学生和教师。", field="audience")
    rules.check_competition_bands(bands, basis=basis)
    if audience == CompetitionAudience.STUDENTS:
        for row, band in enumerate(bands, start=1):
            if band.level < rules.STUDENT_HIGHEST_LEVEL:
                raise DomainError(
                    "student_level_cap",
                    f"第 {row} 条规则认定{rules.level_label(band.level)}：本竞赛只面向学生，院校为学生认定最高到"
                    f"{rules.level_label(rules.STUDENT_HIGHEST_LEVEL)}。",
                    field="bands",
                    row=row,
                )
    return name[:100]


def _taken(school: OrgUnit, name: str, held_on: dt.date, exclude: int | None = None) -> None:
    qs = Competition.objects.filter(school=school, name=name, held_on=held_on)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise DomainError("competition_exists", f"{held_on:%Y-%m-%d} 已有名为“{name}”的竞赛。", field="name")


def _save_bands(competition: Competition, bands: list[rules.Band]) -> None:
    competition.bands.all().delete()
    rank = competition.basis == BandBasis.RANK
    CompetitionBand.objects.bulk_create(
        CompetitionBand(
            competition=competition,
            rank_from=int(b.low) if rank else None,
            rank_to=int(b.high) if rank else None,
            score_min=None if rank else b.low,
            score_max=None if rank else b.high,
            level=b.level,
        )
        for b in bands
    )


def _band_snapshot(competition: Competition, bands: list[rules.Band]) -> list[str]:
    return [rules.band_label(b, basis=competition.basis) for b in bands]


@transaction.atomic
def competition_create(
    *,
    actor: Any,
    name: str,
    occupation: Occupation,
    held_on: dt.date,
    audience: str,
    basis: str,
    bands: list[rules.Band],
    trade: Trade | None = None,
    school: OrgUnit | None = None,
) -> Competition:
    """A competition of the actor's school (or `school` for the system) with its rules (R7: bands, no overlaps)."""
    unit = _school_of(actor, school)
    name = _check(name=name, occupation=occupation, trade=trade, audience=audience, basis=basis, bands=bands)
    _taken(unit, name, held_on)
    competition = Competition.objects.create(
        school=unit,
        county_id=unit.county_id,  # type: ignore[misc]
        name=name,
        occupation=occupation,
        trade=trade,
        held_on=held_on,
        audience=audience,
        basis=basis,
        created_by=actor,
    )
    _save_bands(competition, bands)
    after = {**audit.snapshot(competition, _FIELDS), "bands": _band_snapshot(competition, bands)}
    audit.record(actor, AuditAction.CREATE, competition, after=after)
    return competition


def _check_not_closed(competition: Competition, what: str) -> None:
    if RecognitionBatch.objects.filter(competition=competition, status__in=_CLOSED).exists():
        raise DomainError(
            "competition_closed",
            f"“{competition.name}”已有确认发证的认定批次，{what}（证书以其为依据）。",
        )


@transaction.atomic
def competition_update(
    *,
    actor: Any,
    competition: Competition,
    name: str,
    occupation: Occupation,
    held_on: dt.date,
    audience: str,
    basis: str,
    bands: list[rules.Band],
    trade: Trade | None = None,
) -> Competition:
    """Change a competition and replace its rules. Refused once a batch of it has been confirmed."""
    if actor is not None:
        require(actor, RUN_PERM)
        competition = get_for(actor, Competition, pk=competition.pk)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    name = _check(name=name, occupation=occupation, trade=trade, audience=audience, basis=basis, bands=bands)
    old_bands = bands_of(competition)
    before = {**audit.snapshot(competition, _FIELDS), "bands": _band_snapshot(competition, old_bands)}
    competition.name, competition.occupation, competition.trade = name, occupation, trade
    competition.held_on, competition.audience, competition.basis = held_on, audience, basis
    after = {**audit.snapshot(competition, _FIELDS), "bands": _band_snapshot(competition, bands)}
    b, a = audit.diff(before, after)
    if not a:
        return competition
    _check_not_closed(competition, "不能再修改竞赛信息和认定规则")
    _taken(competition.school, name, held_on, exclude=competition.pk)
    competition.updated_at = timezone.now()
    competition.save(update_fields=[*[f.removesuffix("_id") for f in _FIELDS], "updated_at"])
    _save_bands(competition, bands)
    audit.record(actor, AuditAction.UPDATE, competition, before=b, after=a)
    return competition


@transaction.atomic
def competition_delete(*, actor: Any, competition: Competition) -> None:
    """Remove a competition (its rules and entries go with it); refused once a batch names it."""
    if actor is not None:
        require(actor, RUN_PERM)
        competition = get_for(actor, Competition, pk=competition.pk)
    if RecognitionBatch.objects.filter(competition=competition).exists():
        raise DomainError("competition_in_batch", f"“{competition.name}”已用于认定批次，不能删除。")
    audit.record(actor, AuditAction.DELETE, competition, before=audit.snapshot(competition, _FIELDS))
    competition.delete()


# ------------------------------------------------------------------------------------------ entries


def roles_at(school_id: int, person_ids: list[int]) -> tuple[set[int], set[int]]:
    """(students, active teachers) of the school among `person_ids`; a student who left no longer counts."""
    students = set(
        Student.objects.filter(school_id=school_id, person_id__in=person_ids)
        .exclude(status=StudentStatus.LEFT)
        .values_list("person_id", flat=True)
    )
    teachers = set(
        Teacher.objects.filter(school_id=school_id, person_id__in=person_ids, active=True).values_list(
            "person_id", flat=True
        )
    )
    return students, teachers


def participant_for(
    competition: Competition, person: Person, *, is_student: bool, is_teacher: bool, participant: str | None = None
) -> str:
    """R7. The participant kind of a person entering the competition: given, or inferred from the audience and the
    person's records at the school. Raises naming the person when they are not an eligible participant."""
    if participant is None:
        allowed = rules.AUDIENCE_PARTICIPANTS.get(competition.audience, frozenset())
        if "student" in allowed and is_student:
            participant = Participant.STUDENT
        elif "teacher" in allowed and is_teacher:
            participant = Participant.TEACHER
        else:
            participant = Participant.STUDENT if is_student else Participant.TEACHER
    if participant not in Participant.values:
        raise DomainError("bad_participant", "参赛身份应为学生或教师。", field="participant")
    if participant == Participant.STUDENT and not is_student:
        raise DomainError(
            "not_eligible_participant", f"{person.name}不是本校学生（学籍在本校且未离校）。", field="participant"
        )
    if participant == Participant.TEACHER and not is_teacher:
        raise DomainError("not_eligible_participant", f"{person.name}不是本校在职教师。", field="participant")
    rules.check_participant(competition.audience, participant, name=person.name)
    return participant


@transaction.atomic
def entry_register(
    *, actor: Any, competition: Competition, person: Person, participant: str | None = None
) -> CompetitionEntry:
    """Enter a student or teacher of the competition's school (R7 audience), once."""
    if actor is not None:
        require(actor, RUN_PERM)
        competition = get_for(actor, Competition, pk=competition.pk)
        person = get_for(actor, Person, pk=person.pk)
    students, teachers = roles_at(competition.school_id, [person.pk])
    kind = participant_for(
        competition, person, is_student=person.pk in students, is_teacher=person.pk in teachers, participant=participant
    )
    if CompetitionEntry.objects.filter(competition=competition, person=person).exists():
        raise DomainError("already_entered", f"{person.name}已报名“{competition.name}”。", field="person")
    entry = CompetitionEntry.objects.create(
        competition=competition,
        person=person,
        school_id=competition.school_id,
        county_id=competition.county_id,
        participant=kind,
    )
    audit.record(
        actor, AuditAction.CREATE, entry, after=audit.snapshot(entry, ["competition_id", "person_id", "participant"])
    )
    return entry


def certified_entries(entry_ids: list[int]) -> set[int]:
    """Entries whose result a confirmed batch has certified (their result is evidence and stays as it is)."""
    return set(
        BatchCandidate.objects.filter(competition_entry_id__in=entry_ids, certificate__isnull=False).values_list(
            "competition_entry_id", flat=True
        )
    )


@transaction.atomic
def entry_remove(*, actor: Any, entry: CompetitionEntry) -> None:
    """Withdraw an entry; refused once a batch has looked at it (the batch keeps its row)."""
    if actor is not None:
        require(actor, RUN_PERM)
        entry = get_for(actor, CompetitionEntry, pk=entry.pk)
    if BatchCandidate.objects.filter(competition_entry=entry).exists():
        raise DomainError("entry_in_batch", "该参赛记录已用于认定批次，不能删除。")
    audit.record(
        actor, AuditAction.DELETE, entry, before=audit.snapshot(entry, ["competition_id", "person_id", "rank", "score"])
    )
    entry.delete()


def check_rank_free(competition: Competition, rank: int | None, *, exclude: Q) -> None:
    """R7. One rank per competition: raises naming who holds it already."""
    if rank is None:
        return
    other = (
        CompetitionEntry.objects.filter(competition=competition, rank=rank)
        .exclude(exclude)
        .select_related("person")
        .first()
    )
    if other is not None:
        raise DomainError(
            "duplicate_rank", f"第 {rank} 名已是{other.person.name}，同一竞赛名次不能重复。", field="rank"
        )


@transaction.atomic
def entry_set_result(
    *, actor: Any, entry: CompetitionEntry, rank: int | None, score: Decimal | None
) -> CompetitionEntry:
    """Record (or correct) one entry's result. Refused once a confirmed batch certified it."""
    if actor is not None:
        require(actor, RUN_PERM)
        entry = get_for(actor, CompetitionEntry, pk=entry.pk)
    entry = CompetitionEntry.objects.select_for_update().select_related("competition", "person").get(pk=entry.pk)
    rules.check_result(rank, score, basis=entry.competition.basis)
    if entry.pk in certified_entries([entry.pk]):
        raise DomainError("result_certified", f"{entry.person.name}的成绩已用于发证，不能再修改。")
    check_rank_free(entry.competition, rank, exclude=Q(pk=entry.pk))
    before = audit.snapshot(entry, ["rank", "score"])
    entry.rank, entry.score, entry.result_recorded_at = rank, score, timezone.now()
    entry.save(update_fields=["rank", "score", "result_recorded_at"])
    b, a = audit.diff(before, audit.snapshot(entry, ["rank", "score"]))
    if a:
        audit.record(actor, AuditAction.UPDATE, entry, before=b, after=a, note="录入竞赛成绩")
    return entry

"""The R7 API: competitions with their rules (bands), entries and one result at a time. Entries and results in
bulk go through the one import endpoint: POST /imports/competition_entries, /imports/competition_results.
Certification runs through /recognition-batches (pathway "competition", competition_id)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from chizheng.core.api import actor, paginated
from chizheng.core.errors import NotFound
from chizheng.core.permissions import require
from chizheng.core.scoping import get_for
from chizheng.occupations.selectors import occupation_by_code, trade_by_name
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import competition_services as cs
from . import rules
from .choices import BandBasis, CompetitionAudience, Participant
from .models import Competition, CompetitionEntry
from .services import RUN_PERM, VIEW_PERM

router = Router(tags=["认定取证"])


class BandSchema(Schema):
    low: Decimal  # rank_from or score_min (inclusive)
    high: Decimal  # rank_to or score_max (inclusive)
    level: int


class CompetitionIn(Schema):
    name: str
    occupation_code: str
    trade_name: str = ""
    held_on: dt.date
    audience: CompetitionAudience = CompetitionAudience.STUDENTS
    basis: BandBasis = BandBasis.RANK
    bands: list[BandSchema]


class CompetitionOut(Schema):
    id: int
    name: str
    school_id: int
    occupation_code: str = Field(..., alias="occupation.code")
    occupation_name: str = Field(..., alias="occupation.name")
    trade_id: int | None
    held_on: dt.date
    audience: CompetitionAudience
    basis: BandBasis
    bands: list[BandSchema]
    band_labels: list[str]

    @staticmethod
    def resolve_bands(obj: Any) -> list[dict[str, Any]]:
        return [{"low": b.low, "high": b.high, "level": b.level} for b in cs.bands_of(obj)]

    @staticmethod
    def resolve_band_labels(obj: Any) -> list[str]:
        return [rules.band_label(b, basis=obj.basis) for b in cs.bands_of(obj)]


class EntryIn(Schema):
    id_number: str
    participant: Participant | None = None  # default: from the audience and the person's records


class EntryOut(Schema):
    id: int
    competition_id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    masked_id_number: str = Field(..., alias="person.masked_id_number")
    participant: Participant
    rank: int | None
    score: Decimal | None
    result_recorded_at: dt.datetime | None


class ResultIn(Schema):
    rank: int | None = None
    score: Decimal | None = None


def _args(payload: CompetitionIn) -> dict[str, Any]:
    occupation = occupation_by_code(payload.occupation_code)
    trade = trade_by_name(occupation, payload.trade_name)
    return {
        "name": payload.name,
        "occupation": occupation,
        "trade": trade,
        "held_on": payload.held_on,
        "audience": str(payload.audience),
        "basis": str(payload.basis),
        "bands": [rules.Band(b.low, b.high, b.level) for b in payload.bands],
    }


def _competition(request: HttpRequest, competition_id: int) -> Competition:
    return get_for(actor(request), Competition.objects.select_related("occupation"), pk=competition_id)


@router.get("/competitions", response=list[CompetitionOut], summary="技能竞赛列表（R7）")
@paginated
def competition_list(request: HttpRequest, q: str | None = None) -> QuerySet[Competition]:
    require(actor(request), VIEW_PERM)
    qs = Competition.objects.restrict(actor(request)).select_related("occupation").prefetch_related("bands")
    return qs.filter(name__icontains=q) if q else qs


@router.post("/competitions", response={201: CompetitionOut}, summary="新建技能竞赛及认定规则（院校）")
def competition_create(request: HttpRequest, payload: CompetitionIn) -> Status[Competition]:
    require(actor(request), RUN_PERM)
    return Status(201, cs.competition_create(actor=actor(request), **_args(payload)))


@router.get("/competitions/{competition_id}", response=CompetitionOut, summary="技能竞赛详情（含认定规则）")
def competition_detail(request: HttpRequest, competition_id: int) -> Competition:
    require(actor(request), VIEW_PERM)
    return _competition(request, competition_id)


@router.put("/competitions/{competition_id}", response=CompetitionOut, summary="修改技能竞赛及认定规则（院校）")
def competition_update(request: HttpRequest, competition_id: int, payload: CompetitionIn) -> Competition:
    require(actor(request), RUN_PERM)
    competition = _competition(request, competition_id)
    return cs.competition_update(actor=actor(request), competition=competition, **_args(payload))


@router.delete("/competitions/{competition_id}", response={204: None}, summary="删除技能竞赛（未用于认定批次时）")
def competition_delete(request: HttpRequest, competition_id: int) -> Status[None]:
    require(actor(request), RUN_PERM)
    cs.competition_delete(actor=actor(request), competition=_competition(request, competition_id))
    return Status(204, None)


@router.get("/competitions/{competition_id}/entries", response=list[EntryOut], summary="参赛人员与成绩")
@paginated
def entry_list(request: HttpRequest, competition_id: int) -> QuerySet[CompetitionEntry]:
    require(actor(request), VIEW_PERM)
    competition = _competition(request, competition_id)
    return (
        CompetitionEntry.objects.filter(competition=competition)
        .select_related("person")
        .order_by(F("rank").asc(nulls_last=True), "id")
    )


@router.post(
    "/competitions/{competition_id}/entries", response={201: EntryOut}, summary="登记参赛人员（本校学生或教师）"
)
def entry_create(request: HttpRequest, competition_id: int, payload: EntryIn) -> Status[CompetitionEntry]:
    user = actor(request)
    require(user, RUN_PERM)
    competition = _competition(request, competition_id)
    id_number = normalize_id_number(payload.id_number)
    person = Person.objects.restrict(user).filter(id_number=id_number).first()
    if person is None:
        raise NotFound(f"人员库中（您的管理范围内）没有身份证号 {id_number} 的人员。")
    participant = str(payload.participant) if payload.participant else None
    entry = cs.entry_register(actor=user, competition=competition, person=person, participant=participant)
    return Status(201, entry)


def _entry(request: HttpRequest, competition_entry_id: int) -> CompetitionEntry:
    return get_for(actor(request), CompetitionEntry.objects.select_related("person"), pk=competition_entry_id)


@router.put("/competition-entries/{competition_entry_id}/result", response=EntryOut, summary="录入一名参赛人员的成绩")
def entry_result(request: HttpRequest, competition_entry_id: int, payload: ResultIn) -> CompetitionEntry:
    require(actor(request), RUN_PERM)
    entry = _entry(request, competition_entry_id)
    return cs.entry_set_result(actor=actor(request), entry=entry, rank=payload.rank, score=payload.score)


@router.delete("/competition-entries/{competition_entry_id}", response={204: None}, summary="删除参赛登记")
def entry_delete(request: HttpRequest, competition_entry_id: int) -> Status[None]:
    require(actor(request), RUN_PERM)
    cs.entry_remove(actor=actor(request), entry=_entry(request, competition_entry_id))
    return Status(204, None)

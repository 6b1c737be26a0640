"""Request and response shapes of the exam pathway API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .choices import SessionStatus


class SessionOut(Schema):
    id: int
    title: str
    institution_id: int
    institution_name: str = Field(..., alias="institution.name")
    occupation_code: str = Field(..., alias="occupation.code")
    occupation_name: str = Field(..., alias="occupation.name")
    level: int
    held_on: dt.date
    rooms: int
    theory_weight: int
    skill_weight: int
    theory_pass_mark: Decimal
    skill_pass_mark: Decimal
    publicity_days: int
    status: SessionStatus
    publicised_on: dt.date | None
    issued_on: dt.date | None


class CandidateOut(Schema):
    registration_id: int
    ticket: str
    person_id: int
    name: str
    masked_id_number: str
    entry_state: str  # pending / agreed / disagreed (double entry)
    theory: Decimal | None  # the accepted score, once two examiners agree
    skill: Decimal | None
    passed: bool | None
    confirmed: bool


class StaffingPolicyOut(Schema):
    candidates_per_invigilator: int
    invigilators_per_room: int
    candidates_per_examiner: int
    min_examiners: int
    examiners_odd: bool
    source: str


class SessionDetailOut(SessionOut):
    candidates: list[CandidateOut]
    staffing_policy: StaffingPolicyOut
    staffing_problems: list[str]


class EntryOut(Schema):
    examiner: str
    theory: Decimal | None  # None: another examiner's entry while the second entry is pending
    skill: Decimal | None
    mine: bool


class EntryBoardOut(Schema):
    registration_id: int
    ticket: str
    name: str
    state: str
    entries: list[EntryOut]
    theory: Decimal | None
    skill: Decimal | None
    passed: bool | None


class SessionIn(Schema):
    institution_id: int | None = None  # default: the institution of the actor's school
    occupation_code: str
    level: int
    held_on: dt.date
    title: str = ""
    rooms: int = 1
    theory_weight: int = 30
    skill_weight: int = 70
    theory_pass_mark: Decimal = Decimal("60")
    skill_pass_mark: Decimal = Decimal("60")
    publicity_days: int = 7


class RegistrationIn(Schema):
    id_number: str


class RegistrationOut(Schema):
    id: int
    session_id: int
    person_id: int
    candidate_kind: str


class ScoreIn(Schema):
    theory: str
    skill: str


class ScoreOut(Schema):
    registration_id: int
    entry_theory: Decimal  # what this examiner entered
    entry_skill: Decimal
    state: str  # pending (waiting for a second examiner) / agreed / disagreed
    theory: Decimal | None  # the accepted score (agreed only)
    skill: Decimal | None
    passed: bool | None
    confirmed: bool


class DateIn(Schema):
    on_date: dt.date


class IssuedOut(Schema):
    session_id: int
    issued: int
    numbers: list[str]

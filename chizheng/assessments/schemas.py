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
    person_id: int
    name: str
    masked_id_number: str
    theory: Decimal | None
    skill: Decimal | None
    passed: bool | None
    confirmed: bool


class SessionDetailOut(SessionOut):
    candidates: list[CandidateOut]
    staffing_problems: list[str]


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
    theory: Decimal
    skill: Decimal
    passed: bool
    confirmed: bool


class DateIn(Schema):
    on_date: dt.date


class IssuedOut(Schema):
    session_id: int
    issued: int
    numbers: list[str]

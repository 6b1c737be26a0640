"""Request and response shapes of the pathways API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from chizheng.certification.choices import Pathway

from .choices import BatchStatus, CandidateOutcome, XLevel


class XCertificateOut(Schema):
    id: int
    person_id: int
    name_of_holder: str = Field(..., alias="person.name")
    masked_id_number: str = Field(..., alias="person.masked_id_number")
    school_id: int
    organisation: str
    name: str
    level: XLevel
    number: str
    issued_on: dt.date


class XMappingOut(Schema):
    id: int
    certificate_name: str
    organisation: str
    occupation_code: str = Field(..., alias="occupation.code")
    occupation_name: str = Field(..., alias="occupation.name")
    trade_id: int | None
    note: str


class XMappingIn(Schema):
    certificate_name: str
    organisation: str = ""
    occupation_code: str
    trade_name: str = ""
    note: str = ""


class BatchIn(Schema):
    pathway: Pathway
    institution_id: int | None = None  # default: the actor's school's institution
    title: str
    occupation_code: str | None = None  # R5: narrow to one occupation
    level: int | None = None  # R5: narrow to one level
    course_mapping_id: int | None = None  # R6
    competition_id: int | None = None  # R7
    publicity_days: int = 7


class BatchOut(Schema):
    id: int
    pathway: Pathway
    title: str
    institution_id: int
    institution_name: str = Field(..., alias="institution.name")
    school_id: int
    occupation_id: int | None
    level: int | None
    course_mapping_id: int | None
    competition_id: int | None
    status: BatchStatus
    publicity_days: int
    qualified_count: int
    refused_count: int
    certificate_count: int
    previewed_at: dt.datetime | None
    confirmed_on: dt.date | None
    issued_on: dt.date | None


class CandidateOut(Schema):
    id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    masked_id_number: str = Field(..., alias="person.masked_id_number")
    outcome: CandidateOutcome
    occupation_id: int | None
    trade_id: int | None
    level: int | None
    reason_code: str
    reason: str
    evidence_type: str
    evidence_id: str
    evidence: dict[str, Any]
    certificate_id: int | None


class BatchDetailOut(BatchOut):
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_candidates(obj: Any) -> list[Any]:
        from .selectors import candidates_of

        return list(candidates_of(obj))


class DateIn(Schema):
    on_date: dt.date | None = None  # default today


class IssuedOut(Schema):
    batch: BatchOut
    issued: int

"""Request and response shapes of the institutions API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from .choices import EventKind, ExaminerRole, InstitutionKind, InstitutionStatus


class ScopeOut(Schema):
    id: int
    occupation_code: str = Field(..., alias="occupation.code")
    occupation_name: str = Field(..., alias="occupation.name")
    highest_level: int
    added_on: dt.date
    removed_on: dt.date | None


class EventOut(Schema):
    kind: EventKind
    on_date: dt.date
    until_date: dt.date | None
    reason: str
    filing_number: str
    at: dt.datetime


class InstitutionOut(Schema):
    id: int
    code: str
    name: str
    kind: InstitutionKind
    status: InstitutionStatus
    school_id: int
    school_name: str = Field(..., alias="school.name")
    county_name: str = Field(..., alias="county.name")
    filing_number: str
    filed_on: dt.date | None
    review_due_on: dt.date | None
    revoked_on: dt.date | None


class InstitutionDetailOut(InstitutionOut):
    contact: str
    phone: str
    email: str
    sites: str
    returned_reason: str
    scopes: list[ScopeOut]
    events: list[EventOut]

    @staticmethod
    def resolve_scopes(obj: object) -> list[object]:
        return list(obj.scopes.select_related("occupation"))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_events(obj: object) -> list[object]:
        return list(obj.events.all())  # type: ignore[attr-defined]


class CatalogOut(Schema):
    """One row of the public catalog."""

    name: str
    kind: InstitutionKind
    status: InstitutionStatus
    school_name: str = Field(..., alias="school.name")
    county_name: str = Field(..., alias="county.name")
    filing_number: str
    filed_on: dt.date | None
    scopes: list[ScopeOut]

    @staticmethod
    def resolve_scopes(obj: object) -> list[object]:
        return obj.active_scopes()  # type: ignore[attr-defined]


class InstitutionIn(Schema):
    school_id: int | None = Field(None, description="院校；不填则为本人所在院校")
    kind: InstitutionKind
    name: str = Field(..., max_length=100)
    code: str = Field(..., max_length=4, description="4 位数字")
    contact: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=30)
    email: str = Field("", max_length=100)
    sites: str = ""


class ScopeIn(Schema):
    occupation_code: str
    highest_level: int = Field(..., ge=1, le=5)
    added_on: dt.date | None = None


class ApproveIn(Schema):
    filing_number: str = Field(..., max_length=40)
    filed_on: dt.date


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class SuspendIn(Schema):
    from_date: dt.date
    until: dt.date | None = None
    reason: str = Field(..., max_length=300)


class DatedReasonIn(Schema):
    on_date: dt.date
    reason: str = Field("", max_length=300)


class MayAssessOut(Schema):
    allowed: bool
    code: str
    message: str


class ExaminerOut(Schema):
    id: int
    institution_id: int
    person_name: str = Field(..., alias="person.name")
    role: ExaminerRole
    occupation_code: str | None = Field(None, alias="occupation.code")
    highest_level: int | None
    qualification_number: str
    valid_from: dt.date
    valid_until: dt.date


class ExaminerIn(Schema):
    id_number: str = Field(..., description="人员库中的身份证号（本单位范围内）")
    role: ExaminerRole
    occupation_code: str | None = None
    highest_level: int | None = Field(None, ge=1, le=5)
    qualification_number: str = Field(..., max_length=40)
    valid_from: dt.date
    valid_until: dt.date
    relative_id_numbers: list[str] = []


class SubsidyEntryOut(Schema):
    id: int
    year: int
    institution_id: int
    institution_name: str = Field(..., alias="institution.name")
    filing_number: str = Field(..., alias="institution.filing_number")
    added_on: dt.date
    note: str


class SubsidyEntryIn(Schema):
    year: int = Field(..., ge=2020, le=2100)
    note: str = ""

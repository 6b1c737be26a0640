"""Request and response shapes of the evaluation spec API (R3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .choices import SpecStatus, Verdict
from .models import EvaluationSpec


class Ref(Schema):
    id: int
    name: str


class OccupationRef(Schema):
    id: int
    code: str
    name: str


class ExpertOut(Schema):
    id: int
    username: str
    display_name: str


class SpecOut(Schema):
    id: int
    title: str
    occupation: OccupationRef
    school: Ref
    levels: list[int]
    theory_weight: Decimal
    skill_weight: Decimal
    candidates_per_invigilator: int
    candidates_per_examiner: int
    status: SpecStatus
    submitted_on: dt.date | None
    filing_number: str
    filed_on: dt.date | None
    withdrawn_on: dt.date | None


class InvitationOut(Schema):
    id: int
    expert: ExpertOut
    affiliation: str
    invited_at: dt.datetime


class OpinionOut(Schema):
    id: int
    expert: ExpertOut
    verdict: Verdict
    comments: str
    given_on: dt.date


class SpecDetailOut(SpecOut):
    content: str
    withdraw_reason: str
    approvals: int = Field(description="同意（含修改后同意）的不同专家人数")
    required_approvals: int
    invitations: list[InvitationOut]
    opinions: list[OpinionOut]

    @staticmethod
    def resolve_approvals(obj: EvaluationSpec) -> int:
        from .spec_services import approvals_of

        return approvals_of(obj)

    @staticmethod
    def resolve_required_approvals(obj: EvaluationSpec) -> int:
        from .spec_rules import MIN_APPROVALS

        return MIN_APPROVALS

    @staticmethod
    def resolve_invitations(obj: EvaluationSpec) -> list[object]:
        return list(obj.invitations.select_related("expert"))

    @staticmethod
    def resolve_opinions(obj: EvaluationSpec) -> list[object]:
        return list(obj.opinions.select_related("expert"))


class SpecIn(Schema):
    occupation_code: str = Field(description="无国家职业技能标准的职业编码，如 4-04-05-05")
    title: str
    levels: list[int] = Field(description="设置的等级，5（五级）… 1（一级）")
    theory_weight: Decimal
    skill_weight: Decimal
    candidates_per_invigilator: int
    candidates_per_examiner: int
    content: str = ""
    school_id: int | None = Field(None, description="起草院校；院校管理员可省略（本校）")


class InvitationIn(Schema):
    expert_id: int
    affiliation: str = ""


class OpinionIn(Schema):
    verdict: Verdict
    comments: str = ""
    given_on: dt.date | None = None


class FilingIn(Schema):
    filing_number: str
    filed_on: dt.date


class WithdrawIn(Schema):
    reason: str
    on_date: dt.date | None = None


class SpecFilter(Schema):
    status: SpecStatus | None = None
    occupation_code: str | None = None
    q: str | None = Field(None, description="规范名称（包含）")

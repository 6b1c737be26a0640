"""Request and response shapes of the occupation catalog API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from chizheng.core.choices import KeyField

from .choices import GroupLevel
from .models import Occupation, OccupationGroup


class GroupRef(Schema):
    code: str
    name: str
    level: GroupLevel


class GroupNode(GroupRef):
    """A node of the group tree (大类 → 中类 → 小类) with its occupation count."""

    occupation_count: int
    children: list[GroupNode]


class OccupationOut(Schema):
    id: int
    code: str
    name: str
    group: GroupRef
    major_code: str
    is_digital: bool
    is_green: bool
    tags: str
    has_national_standard: bool
    standard_number: str
    standard_levels: list[int]
    key_field: KeyField


class TradeOut(Schema):
    id: int
    code: str
    name: str


class OccupationDetailOut(OccupationOut):
    groups: list[GroupRef] = Field(description="从大类到小类")
    standard_level_labels: list[str]
    trades: list[TradeOut]

    @staticmethod
    def resolve_groups(obj: Occupation) -> list[OccupationGroup]:
        chain: list[OccupationGroup] = []
        group: OccupationGroup | None = obj.group
        while group is not None:
            chain.insert(0, group)
            group = group.parent
        return chain

    @staticmethod
    def resolve_standard_level_labels(obj: Occupation) -> list[str]:
        return obj.level_labels()

    @staticmethod
    def resolve_trades(obj: Occupation) -> list[Any]:
        return list(obj.trades.all())


class OccupationFilter(FilterSchema):
    major: str | None = Field(None, description="大类编码 1–8", pattern=r"^[1-8]$")
    group: str | None = Field(None, description="任一层级的分类编码，如 6-18 或 6-18-01")
    has_national_standard: bool | None = None
    key_field: KeyField | None = None
    is_digital: bool | None = None
    is_green: bool | None = None
    q: str | None = Field(None, description="职业编码（前缀）、名称或工种名称（包含）")

    def filter_major(self, value: str | None) -> Q:
        return Q(major_code=value) if value else Q()

    def filter_group(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(group__code=value) | Q(group__parent__code=value) | Q(group__parent__parent__code=value)

    def filter_q(self, value: str | None) -> Q:
        value = (value or "").strip()
        if not value:
            return Q()
        return Q(code__startswith=value) | Q(name__icontains=value) | Q(trades__name__icontains=value)

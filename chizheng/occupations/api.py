"""The occupation catalog API: the national classification, standards, key fields and trades."""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from chizheng.core.api import actor, paginated
from chizheng.core.errors import NotFound
from chizheng.core.permissions import Perm, require

from .models import Occupation, OccupationGroup
from .schemas import GroupNode, OccupationDetailOut, OccupationFilter, OccupationOut

router = Router(tags=["职业目录"])


@router.get("/occupations", response=list[OccupationOut], summary="职业列表")
@paginated
def occupation_list(request: HttpRequest, filters: Query[OccupationFilter]) -> QuerySet[Occupation]:
    require(actor(request), Perm.VIEW_OCCUPATIONS)
    return filters.filter(Occupation.objects.select_related("group")).distinct().order_by("code")


@router.get("/occupations/{code}", response=OccupationDetailOut, summary="职业详情（含工种）")
def occupation_detail(request: HttpRequest, code: str) -> Occupation:
    require(actor(request), Perm.VIEW_OCCUPATIONS)
    occupation = Occupation.objects.select_related("group__parent__parent").filter(code=code).first()
    if occupation is None:
        raise NotFound(f"没有编码为“{code}”的职业。")
    return occupation


@router.get("/occupation-groups", response=list[GroupNode], summary="职业分类树（大类 → 中类 → 小类）")
def occupation_group_tree(request: HttpRequest) -> list[dict[str, Any]]:
    require(actor(request), Perm.VIEW_OCCUPATIONS)
    return group_tree()


def group_tree() -> list[dict[str, Any]]:
    """The whole group tree in one query, each node with the number of occupations below it."""
    groups = OccupationGroup.objects.annotate(n=Count("occupations")).order_by("code")
    nodes: dict[int, dict[str, Any]] = {
        g.pk: {"code": g.code, "name": g.name, "level": g.level, "occupation_count": g.n, "children": []}
        for g in groups
    }
    roots: list[dict[str, Any]] = []
    for g in groups:
        parent = nodes.get(g.parent_id) if g.parent_id else None
        siblings: list[dict[str, Any]] = parent["children"] if parent else roots
        siblings.append(nodes[g.pk])
    for root in roots:
        _sum_counts(root)
    return roots


def _sum_counts(node: dict[str, Any]) -> int:
    node["occupation_count"] += sum(_sum_counts(child) for child in node["children"])
    return int(node["occupation_count"])

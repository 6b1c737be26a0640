"""Reads of the occupation catalog (national data: every role that may view it sees all of it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from chizheng.core.errors import DomainError

from .models import Occupation, OccupationGroup, Trade


def group_path(group: OccupationGroup | None) -> list[OccupationGroup]:
    """The chain 大类 → 中类 → 小类 ending at `group`."""
    chain: list[OccupationGroup] = []
    while group is not None:
        chain.insert(0, group)
        group = group.parent
    return chain


def browse(code: str | None) -> dict[str, Any]:
    """One level of the classification: the group (or the root), its child groups with occupation counts,
    and — for a minor group — its occupations. A fixed number of queries per level."""
    from chizheng.core.errors import NotFound

    group = None
    if code:
        group = OccupationGroup.objects.select_related("parent__parent").filter(code=code).first()
        if group is None:
            raise NotFound("没有这个职业分类。")
    children = list(OccupationGroup.objects.filter(parent=group).order_by("code"))
    level = group.level if group else None
    counts: dict[Any, int] = {}
    if level is None:
        counts = dict(
            Occupation.objects.values_list("major_code").annotate(n=Count("id")).values_list("major_code", "n")
        )
        keyed = [(child, counts.get(child.code, 0)) for child in children]
    elif level == "major":
        under_major = Occupation.objects.filter(group__parent__parent=group).values("group__parent")
        counts = dict(under_major.annotate(n=Count("id")).values_list("group__parent", "n"))
        keyed = [(child, counts.get(child.pk, 0)) for child in children]
    elif level == "middle":
        under_middle = Occupation.objects.filter(group__parent=group).values("group")
        counts = dict(under_middle.annotate(n=Count("id")).values_list("group", "n"))
        keyed = [(child, counts.get(child.pk, 0)) for child in children]
    else:
        keyed = []
    occupations = (
        Occupation.objects.filter(group=group).annotate(trade_count=Count("trades")).order_by("code")
        if level == "minor"
        else Occupation.objects.none()
    )
    return {"group": group, "path": group_path(group), "children": keyed, "occupations": occupations}


def occupation_by_code(code: str, *, field: str = "occupation_code") -> Occupation:
    """The catalog occupation with this code; a DomainError naming the code and the field otherwise."""
    code = (code or "").strip()
    if not code:
        raise DomainError("occupation_missing", "请填写职业编码。", field=field)
    occupation = Occupation.objects.filter(code=code).first()
    if occupation is None:
        raise DomainError("occupation_missing", f"职业编码“{code}”不在职业目录中。", field=field)
    return occupation


def trade_by_name(occupation: Occupation, name: str, *, field: str = "trade_name") -> Trade | None:
    """The occupation's trade (工种) by name; None for a blank name; a DomainError when it has no such trade."""
    name = (name or "").strip()
    if not name:
        return None
    trade = Trade.objects.filter(occupation=occupation, name=name).first()
    if trade is None:
        raise DomainError("trade_missing", f"职业“{occupation.name}”下没有工种“{name}”。", field=field)
    return trade

"""Thin views of the occupation catalog."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from chizheng.core.choices import KeyField
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import Perm, has_perm, require

from .models import Occupation, OccupationGroup


@login_required
def occupation_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_OCCUPATIONS)
    majors = [(g.code, f"{g.code} {g.name}") for g in OccupationGroup.objects.filter(level="major")]
    page = ListPage(
        title="职业目录",
        queryset=Occupation.objects.select_related("group").order_by("code"),
        columns=[
            Column(
                "职业编码",
                lambda o: o.code,
                link=lambda o: reverse("occupations:occupation_detail", args=[o.code]),
            ),
            Column("职业名称", lambda o: o.name),
            Column("所属小类", lambda o: o.group.name),
            Column("标识", lambda o: o.tags),
            Column("国家标准", lambda o: o.standard_number or ("有" if o.has_national_standard else "")),
            Column("标准等级", lambda o: "、".join(o.level_labels())),
            Column("重点领域", lambda o: o.get_key_field_display()),
        ],
        filters=[
            Filter("major", "大类", "major_code", majors),
            Filter("standard", "国家标准", "has_national_standard", [("True", "有"), ("False", "无")]),
            Filter("key_field", "重点领域", "key_field", KeyField.choices),
        ],
        search_fields=["code__startswith", "name__icontains", "trades__name__icontains"],
        search_placeholder="职业编码、名称或工种",
        export_name="职业目录",
        per_page=100,
    )
    page.queryset = page.queryset.distinct()
    return page.render(request)


@login_required
def occupation_detail(request: HttpRequest, code: str) -> HttpResponseBase:
    require(request.user, Perm.VIEW_OCCUPATIONS)
    occupation = get_object_or_404(Occupation.objects.select_related("group__parent__parent"), code=code)
    return render(
        request,
        "occupations/occupation_detail.html",
        {
            "occupation": occupation,
            "trades": occupation.trades.all(),
            "can_manage": has_perm(request.user, Perm.MANAGE_OCCUPATIONS),
        },
    )

"""Thin views of the occupation catalog."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chizheng.core.choices import KeyField
from chizheng.core.errors import DomainError
from chizheng.core.forms import style
from chizheng.core.http import actor_of
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import Perm, has_perm, require

from . import selectors, services
from .models import Occupation, OccupationGroup, Trade


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
        actions=[("按分类浏览", reverse("occupations:browse"))],
    )
    page.queryset = page.queryset.distinct()
    return page.render(request)


@login_required
def browse(request: HttpRequest, code: str | None = None) -> HttpResponseBase:
    """大类 → 中类 → 小类 → occupations."""
    require(request.user, Perm.VIEW_OCCUPATIONS)
    return render(request, "occupations/browse.html", selectors.browse(code))


def _get_occupation(code: str) -> Occupation:
    return get_object_or_404(Occupation.objects.select_related("group__parent__parent"), code=code)


class TradeForm(forms.Form):
    name = forms.CharField(label="工种名称", max_length=100)
    code = forms.CharField(label="工种编码", max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class StandardForm(forms.Form):
    has_national_standard = forms.BooleanField(label="有国家职业技能标准", required=False)
    standard_number = forms.CharField(label="标准编号", max_length=40, required=False, help_text="如：6-18-01-01")
    levels = forms.CharField(
        label="标准设置的等级", max_length=40, required=False, help_text="写 1–5 的数字，如“5,4,3”或“1-5”"
    )
    key_field = forms.ChoiceField(label="重点领域（R18）", choices=KeyField.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


@login_required
def occupation_detail(request: HttpRequest, code: str) -> HttpResponseBase:
    require(request.user, Perm.VIEW_OCCUPATIONS)
    occupation = _get_occupation(code)
    return render(
        request,
        "occupations/occupation_detail.html",
        {
            "occupation": occupation,
            "trades": occupation.trades.all(),
            "can_manage": has_perm(request.user, Perm.MANAGE_OCCUPATIONS),
            "trade_form": TradeForm(),
        },
    )


@login_required
def occupation_edit(request: HttpRequest, code: str) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_OCCUPATIONS)
    occupation = _get_occupation(code)
    initial = {
        "has_national_standard": occupation.has_national_standard,
        "standard_number": occupation.standard_number,
        "levels": ",".join(str(level) for level in occupation.standard_levels),
        "key_field": occupation.key_field,
    }
    form = StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.occupation_update(actor=actor_of(request), occupation=occupation, **form.cleaned_data)
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, "已保存。")
            return redirect("occupations:occupation_detail", code=occupation.code)
    back = reverse("occupations:occupation_detail", args=[occupation.code])
    return render(
        request, "core/form.html", {"form": form, "title": f"编辑 {occupation.code} {occupation.name}", "back": back}
    )


@login_required
@require_POST
def trade_add(request: HttpRequest, code: str) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_OCCUPATIONS)
    occupation = _get_occupation(code)
    form = TradeForm(request.POST)
    if form.is_valid():
        try:
            trade = services.trade_create(actor=actor_of(request), occupation=occupation, **form.cleaned_data)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, f"已添加工种“{trade.name}”。")
    else:
        messages.error(request, "请填写工种名称（不超过 100 字）。")
    return redirect("occupations:occupation_detail", code=occupation.code)


@login_required
@require_POST
def trade_delete(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_OCCUPATIONS)
    occupation = _get_occupation(code)
    trade = get_object_or_404(Trade, occupation=occupation, pk=pk)
    try:
        services.trade_delete(actor=actor_of(request), trade=trade)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"已删除工种“{trade.name}”。")
    return redirect("occupations:occupation_detail", code=occupation.code)

"""Thin views of the core area: home, org tree, users, audit log, access tokens."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import services
from .choices import AuditAction, OrgKind, Ownership, Role, SchoolKind
from .errors import DomainError, NotFound
from .forms import OrgUnitForm, PasswordResetForm, UserCreateForm, UserEditForm
from .http import actor_of
from .listing import Column, Filter, ListPage
from .models import AccessToken, AuditEvent, OrgUnit, User
from .permissions import Perm, has_perm, require
from .scoping import get_for


class DemoLoginView(LoginView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        context["demo_password"] = settings.DEMO_PASSWORD if settings.DEMO_MODE else ""
        return context


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and monitors (no login): the process answers, nothing else is touched.
    `?db=1` also runs `SELECT 1` on the default database and answers 503 with a JSON error when it fails."""
    if request.GET.get("db") != "1":
        return JsonResponse({"status": "ok"})
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as err:
        return JsonResponse({"status": "error", "database": "unavailable", "error": type(err).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponseBase:
    from chizheng.people.models import Person, Student

    user = request.user
    stats: dict[str, Any] = {}
    if has_perm(user, Perm.VIEW_ORG):
        units = OrgUnit.objects.restrict(user)
        stats["schools"] = units.filter(kind=OrgKind.SCHOOL).count()
        stats["counties"] = units.filter(kind=OrgKind.COUNTY).count()
    if has_perm(user, Perm.VIEW_PEOPLE):
        stats["persons"] = Person.objects.restrict(user).count()
        stats["students"] = Student.objects.restrict(user).count()
    r1 = None
    if has_perm(user, Perm.VIEW_INSTITUTIONS):
        from chizheng.institutions.selectors import r1_progress

        r1 = r1_progress(user)
    from chizheng.coverage.selectors import home_summary

    coverage = home_summary(user)  # R9 card for city and county admins
    return render(request, "core/home.html", {"stats": stats, "r1": r1, "coverage": coverage})


def _county_choices(user: Any) -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in OrgUnit.objects.restrict(user).filter(kind=OrgKind.COUNTY).values_list("pk", "name")
    ]


@login_required
def org_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_ORG)
    qs = OrgUnit.objects.restrict(request.user).select_related("parent").order_by("kind", "code")
    page = ListPage(
        title="组织机构",
        queryset=qs,
        columns=[
            Column("代码", lambda u: u.code),
            Column("名称", lambda u: u.name, link=lambda u: reverse("core:org_detail", args=[u.pk])),
            Column("层级", lambda u: u.get_kind_display()),
            Column("上级", lambda u: u.parent or ""),
            Column("学校类型", lambda u: u.get_school_kind_display()),
            Column("办学性质", lambda u: u.get_ownership_display()),
            Column("开办日期", lambda u: u.opened_on or ""),
            Column("停办日期", lambda u: u.closed_on or ""),
            Column("状态", lambda u: "在办" if u.is_open else "已停办"),
        ],
        filters=[
            Filter("kind", "层级", "kind", OrgKind.choices),
            Filter("county", "所属县区", "county", _county_choices(request.user)),
            Filter("school_kind", "学校类型", "school_kind", SchoolKind.choices),
            Filter("ownership", "办学性质", "ownership", Ownership.choices),
        ],
        search_fields=["name__icontains", "code__icontains"],
        search_placeholder="名称或代码",
        export_name="组织机构",
        actions=[
            ("树形视图", reverse("core:org_tree")),
            *([("新增单位", reverse("core:org_create"))] if has_perm(request.user, Perm.MANAGE_ORG) else []),
        ],
    )
    return page.render(request)


def _save_form(request: HttpRequest, form: forms.BaseForm, save: Any) -> Any:
    """Run a service with a form's cleaned data; a DomainError becomes a field error."""
    try:
        return save(**form.cleaned_data)
    except DomainError as err:
        field = err.field if err.field in form.fields else None
        form.add_error(field, err.message)
        return None


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.VIEW_ORG)
    unit = get_for(request.user, OrgUnit, pk=pk)
    children = unit.children.order_by("code")
    history = _history("core.OrgUnit", unit.pk)
    return render(
        request,
        "core/org_detail.html",
        {
            "unit": unit,
            "children": children,
            "history": history,
            "can_edit": has_perm(request.user, Perm.MANAGE_ORG),
        },
    )


@login_required
def org_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_ORG)
    form = OrgUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "parent"}
        unit = _save_form(
            request,
            form,
            lambda **_: services.org_unit_create(
                actor=actor_of(request), parent_id=getattr(form.cleaned_data.get("parent"), "pk", None), **data
            ),
        )
        if unit:
            messages.success(request, f"已新增 {unit.name}。")
            return redirect("core:org_detail", pk=unit.pk)
    return render(request, "core/form.html", {"form": form, "title": "新增单位", "back": reverse("core:org_list")})


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_ORG)
    unit = get_for(request.user, OrgUnit, pk=pk)
    form = OrgUnitForm(request.POST or None, instance=OrgUnit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("parent", "kind")}
        saved = _save_form(
            request,
            form,
            lambda **_: services.org_unit_update(
                actor=actor_of(request),
                unit=unit,
                parent_id=getattr(form.cleaned_data.get("parent"), "pk", None),
                **data,
            ),
        )
        if saved:
            messages.success(request, "已保存。")
            return redirect("core:org_detail", pk=unit.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": f"编辑 {unit.name}", "back": reverse("core:org_detail", args=[pk])},
    )


@login_required
def org_tree(request: HttpRequest) -> HttpResponseBase:
    """The org tree as the user may see it: city → counties → schools, with school counts."""
    require(request.user, Perm.VIEW_ORG)
    units = list(OrgUnit.objects.restrict(request.user).order_by("code"))
    schools_of: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        if unit.kind == OrgKind.SCHOOL:
            schools_of.setdefault(unit.parent_id, []).append(unit)
    # A school admin sees their school but not the county; show it as the school's heading anyway.
    seen = {u.pk for u in units}
    units += list(OrgUnit.objects.filter(pk__in=[pk for pk in schools_of if pk not in seen]))
    counties: list[dict[str, Any]] = [
        {
            "unit": unit,
            "schools": schools_of.get(unit.pk, []),
            "open_count": sum(1 for s in schools_of.get(unit.pk, []) if s.is_open),
        }
        for unit in units
        if unit.kind == OrgKind.COUNTY
    ]
    city = next((u for u in units if u.kind == OrgKind.CITY), None)
    total = sum(len(schools) for schools in schools_of.values())
    return render(request, "core/org_tree.html", {"city": city, "counties": counties, "total_schools": total})


def _user_link(u: User) -> str:
    return reverse("core:user_edit", args=[u.pk])


@login_required
def user_list(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    users = services.manageable_users(actor).order_by("role", "username")
    page = ListPage(
        title="用户管理",
        queryset=users,
        columns=[
            Column("用户名", lambda u: u.username, link=_user_link),
            Column("姓名", lambda u: u.display_name),
            Column("角色", lambda u: u.get_role_display()),
            Column("单位", lambda u: u.org_unit or (u.person.school if u.person else "") or ""),
            Column("最近登录", lambda u: u.last_login and u.last_login.astimezone().strftime("%Y-%m-%d %H:%M")),
            Column("状态", lambda u: "启用" if u.is_active else "已停用"),
        ],
        filters=[
            Filter("role", "角色", "role", Role.choices),
            Filter("active", "状态", "is_active", [("True", "启用"), ("False", "已停用")]),
        ],
        search_fields=["username__icontains", "display_name__icontains"],
        search_placeholder="用户名或姓名",
        export_name="用户",
        actions=[("新增用户", reverse("core:user_create"))],
    )
    return page.render(request)


@login_required
def user_create(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    require(actor, Perm.MANAGE_USERS)
    form = UserCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        user = _save_form(request, form, lambda **data: services.user_create(actor=actor, **data))
        if user:
            messages.success(request, f"已创建用户 {user.username}。")
            return redirect("core:user_edit", pk=user.pk)
    return render(request, "core/form.html", {"form": form, "title": "新增用户", "back": reverse("core:user_list")})


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    target = services.get_user_for(actor, pk)
    initial = {"display_name": target.display_name, "role": target.role, "org_unit": target.org_unit_id}
    form = UserEditForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, lambda **data: services.user_update(actor=actor, user=target, **data))
        if saved:
            messages.success(request, "已保存。")
            return redirect("core:user_edit", pk=target.pk)
    history = _history("core.User", target.pk)
    return render(
        request,
        "core/user_detail.html",
        {"target": target, "form": form, "history": history, "password_form": PasswordResetForm()},
    )


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    target = services.get_user_for(actor, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=actor, user=target, active=active)
        messages.success(request, f"已{'启用' if active else '停用'}账号 {target.username}。")
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("core:user_edit", pk=target.pk)


@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    target = services.get_user_for(actor, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(
            request,
            form,
            lambda **data: services.user_set_password(actor=actor, user=target, password=data["password"]),
        )
        if saved:
            messages.success(request, f"已为 {target.username} 设置新密码。")
            return redirect("core:user_edit", pk=target.pk)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": f"重置密码：{target.username}",
            "back": reverse("core:user_edit", args=[target.pk]),
        },
    )


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def audit_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_AUDIT)
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    events = AuditEvent.objects.select_related("org_unit")
    date_from = _parse_date(request.GET.get("from", ""))
    date_to = _parse_date(request.GET.get("to", ""))
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    page = ListPage(
        title="审计日志",
        queryset=events,
        columns=[
            Column("时间", lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
            Column("操作人", lambda e: e.actor_name or "系统"),
            Column("IP", lambda e: e.ip or ""),
            Column("渠道", lambda e: e.channel),
            Column("操作", lambda e: e.get_action_display()),
            Column("对象类型", lambda e: e.object_type),
            Column("对象", lambda e: e.object_repr),
            Column("修改前", lambda e: _json(e.before)),
            Column("修改后", lambda e: _json(e.after)),
            Column("说明", lambda e: e.note),
        ],
        filters=[
            Filter("action", "操作", "action", AuditAction.choices),
            Filter("object_type", "对象类型", "object_type", [(t, t) for t in sorted(set(types)) if t]),
            Filter("channel", "渠道", "channel", [(c, c) for c in ("web", "api", "cli", "task")]),
        ],
        search_fields=["actor_name__icontains", "object_repr__icontains", "object_id"],
        search_placeholder="操作人、对象或对象ID",
        export_name="审计日志",
        extra={
            "date_filters": [
                ("from", "起始日期", request.GET.get("from", "")),
                ("to", "截止日期", request.GET.get("to", "")),
            ]
        },
    )
    return page.render(request)


def _history(object_type: str, pk: int) -> list[tuple[AuditEvent, str, str]]:
    """The last changes of one object, with before/after as readable JSON."""
    events = AuditEvent.objects.filter(object_type=object_type, object_id=str(pk))[:20]
    return [(e, _json(e.before), _json(e.after)) for e in events]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
def token_list(request: HttpRequest) -> HttpResponseBase:
    user = actor_of(request)
    new_raw = None
    if request.method == "POST":
        try:
            _, new_raw = services.token_create(actor=user, user=user, name=request.POST.get("name", ""))
        except DomainError as err:
            messages.error(request, err.message)
    tokens = AccessToken.objects.filter(user=user)
    return render(request, "core/tokens.html", {"tokens": tokens, "new_raw": new_raw})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = actor_of(request)
    token = AccessToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise NotFound()
    services.token_revoke(actor=user, token=token)
    messages.success(request, f"已吊销令牌“{token.name}”。")
    return redirect("core:token_list")

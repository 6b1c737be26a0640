"""Thin views of the core area: home, org tree, users, audit log, access tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db.models import Q
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import services
from .choices import AuditAction, OrgKind, Ownership, Role, SchoolKind
from .errors import DomainError, NotFound
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
    return render(request, "core/home.html", {"stats": stats})


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
        actions=[("新增单位", reverse("core:org_create"))] if has_perm(request.user, Perm.MANAGE_ORG) else [],
    )
    return page.render(request)


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = [
            "kind",
            "code",
            "name",
            "short_name",
            "parent",
            "school_kind",
            "ownership",
            "opened_on",
            "closed_on",
            "address",
            "contact",
            "phone",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = OrgUnit.objects.exclude(kind=OrgKind.SCHOOL)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["kind"].disabled = True
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def _save_form(request: HttpRequest, form: forms.ModelForm, save: Any) -> Any:
    """Run a service with a form's cleaned data; a DomainError becomes a field error."""
    try:
        return save(**form.cleaned_data)
    except DomainError as err:
        field = err.field if err.field in form.fields else None
        form.add_error(field, err.message)
        return None


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    unit = get_for(request.user, OrgUnit, pk=pk)
    children = unit.children.order_by("code")
    history = AuditEvent.objects.filter(object_type="core.OrgUnit", object_id=str(unit.pk))[:20]
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
def user_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_USERS)
    users = User.objects.select_related("org_unit").order_by("role", "username")
    scope_units = OrgUnit.objects.restrict(request.user).values("pk")
    if actor_of(request).role != Role.CITY_ADMIN:
        users = users.filter(Q(org_unit__in=scope_units) | Q(person__school__in=scope_units))
    page = ListPage(
        title="用户管理",
        queryset=users,
        columns=[
            Column("用户名", lambda u: u.username),
            Column("姓名", lambda u: u.display_name),
            Column("角色", lambda u: u.get_role_display()),
            Column("单位", lambda u: u.org_unit or ""),
            Column("最近登录", lambda u: u.last_login and u.last_login.strftime("%Y-%m-%d %H:%M")),
            Column("启用", lambda u: "是" if u.is_active else "否"),
        ],
        filters=[Filter("role", "角色", "role", Role.choices)],
        search_fields=["username__icontains", "display_name__icontains"],
        export_name="用户",
    )
    return page.render(request)


@login_required
def audit_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_AUDIT)
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    page = ListPage(
        title="审计日志",
        queryset=AuditEvent.objects.select_related("org_unit"),
        columns=[
            Column("时间", lambda e: e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
            Column("操作人", lambda e: e.actor_name or "系统"),
            Column("IP", lambda e: e.ip or ""),
            Column("渠道", lambda e: e.channel),
            Column("操作", lambda e: e.get_action_display()),
            Column("对象类型", lambda e: e.object_type),
            Column("对象", lambda e: e.object_repr),
            Column("修改前", lambda e: e.before or ""),
            Column("修改后", lambda e: e.after or ""),
            Column("说明", lambda e: e.note),
        ],
        filters=[
            Filter("action", "操作", "action", AuditAction.choices),
            Filter("object_type", "对象类型", "object_type", [(t, t) for t in sorted(set(types))]),
        ],
        search_fields=["actor_name__icontains", "object_repr__icontains", "object_id"],
        search_placeholder="操作人、对象或对象ID",
        export_name="审计日志",
    )
    return page.render(request)


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


@login_required
def import_list(request: HttpRequest) -> HttpResponseBase:
    from .models import ImportJob

    require(request.user, Perm.IMPORT_PEOPLE)
    page = ListPage(
        title="批量导入",
        queryset=ImportJob.objects.restrict(request.user).select_related("created_by"),
        columns=[
            Column("上传时间", lambda j: j.created_at.astimezone().strftime("%Y-%m-%d %H:%M")),
            Column("类型", lambda j: j.kind),
            Column("文件名", lambda j: j.original_name),
            Column("状态", lambda j: j.get_status_display()),
            Column("进度", lambda j: f"{j.percent}%"),
            Column("说明", lambda j: j.message),
        ],
        export_name=None,
    )
    return page.render(request)

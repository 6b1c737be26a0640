"""Objections during publicity (公示异议): record one against a publicised certificate, the 异议处理 list of
open and resolved objections in scope, and resolving one (upheld: the certificate is revoked before issue;
not upheld: it is issued with the next due batch). The rules live in services.objection_raise/_resolve."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from chizheng.core.choices import OrgKind
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.forms import style
from chizheng.core.http import actor_of
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for

from . import selectors, services
from .choices import CertificateStatus
from .models import Certificate, Objection


class RaiseForm(forms.Form):
    text = forms.CharField(
        label="异议内容",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="异议人反映的问题（如冒名顶替、成绩不实、不符合报考条件），可注明异议人及联系方式。",
    )
    on_date = forms.DateField(
        label="提出日期", widget=forms.DateInput(attrs={"type": "date"}), help_text="收到异议之日，须在公示期内。"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结论",
        choices=[("", "请选择"), ("0", "异议不成立：证书照常发放"), ("1", "异议成立：撤销证书，不予发证")],
        coerce=lambda value: value == "1",
    )
    resolution = forms.CharField(label="处理结果", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    on_date = forms.DateField(label="处理日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def _cert_url(cert: Certificate) -> str:
    return reverse("certification:certificate_detail", args=[cert.pk])


def _state(obj: Objection) -> str:
    if obj.resolved_on is None:
        return "待处理"
    return "成立" if obj.upheld else "不成立"


def _run(form: forms.Form, call: Any) -> Any:
    """The service with the form's data; a DomainError becomes a form error (NotFound stays a 404)."""
    try:
        return call(form.cleaned_data)
    except NotFound:
        raise
    except DomainError as err:
        form.add_error(err.field if err.field in form.fields else None, err.message)
        return None


@login_required
def objection_list(request: HttpRequest) -> HttpResponseBase:
    """异议处理: objections to certificates in scope, open ones first; the school resolves from here."""
    user = request.user
    require(user, Perm.VIEW_CERTIFICATES)
    can_resolve = has_perm(user, Perm.ISSUE_CERTIFICATES)

    def resolve_link(obj: Objection) -> str:
        if can_resolve and obj.resolved_on is None:
            return reverse("certification:objection_resolve", args=[obj.pk])
        return ""

    units = OrgUnit.objects.restrict(user).order_by("code")
    page = ListPage(
        title="异议处理",
        queryset=selectors.objections_for(user).order_by(F("resolved_on").desc(nulls_first=True), "-raised_on", "-id"),
        columns=[
            Column("状态", _state, link=resolve_link),
            Column("提出日期", lambda o: o.raised_on),
            Column("持证人", lambda o: o.certificate.holder_name, link=lambda o: _cert_url(o.certificate)),
            Column("职业（等级）", lambda o: f"{o.certificate.occupation.name}（{o.certificate.get_level_display()}）"),
            Column("院校", lambda o: o.certificate.school.name if o.certificate.school else ""),
            Column("异议内容", lambda o: o.text),
            Column("登记人", lambda o: (o.raised_by.display_name or o.raised_by.username) if o.raised_by else "系统"),
            Column("处理日期", lambda o: o.resolved_on or ""),
            Column("处理结果", lambda o: o.resolution),
        ],
        filters=[
            Filter("state", "状态", "state", [("open", "待处理"), ("resolved", "已处理")]),
            Filter("upheld", "处理结论", "upheld", [("True", "成立"), ("False", "不成立")]),
            Filter(
                "county",
                "县区",
                "certificate__county",
                [(str(u.pk), u.name) for u in units if u.kind == OrgKind.COUNTY],
            ),
            Filter(
                "school",
                "院校",
                "certificate__school",
                [(str(u.pk), u.name) for u in units if u.kind == OrgKind.SCHOOL],
            ),
        ],
        search_fields=["certificate__holder_name", "certificate__number", "text__icontains"],
        search_placeholder="持证人姓名、证书编号或异议内容",
        export_name="公示异议",
        breadcrumbs=[("证书", reverse("certification:certificate_list"))],
    )
    return page.render(request)


@login_required
def objection_raise(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record an objection against one publicised certificate (the school that issues it)."""
    require(request.user, Perm.ISSUE_CERTIFICATES)
    cert = get_for(request.user, selectors.certificates_for(request.user), pk=pk)
    form = RaiseForm(request.POST or None, initial={"on_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actor = actor_of(request)
        done = _run(
            form,
            lambda data: services.objection_raise(
                actor=actor, certificate=cert, text=data["text"], on_date=data["on_date"]
            ),
        )
        if done:
            messages.success(request, "已登记异议；异议处理完毕前，该证书不会发放。")
            return redirect(_cert_url(cert))
    context = {
        "form": form,
        "cert": cert,
        "title": "登记公示异议",
        "back": _cert_url(cert),
        "closed": cert.status != CertificateStatus.PUBLICISED,
    }
    return render(request, "certification/objection_form.html", context)


@login_required
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Resolve an open objection once: upheld (the certificate is revoked, no number used) or not."""
    require(request.user, Perm.ISSUE_CERTIFICATES)
    objection = selectors.get_objection_for(request.user, pk)
    cert = objection.certificate
    form = ResolveForm(request.POST or None, initial={"on_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actor = actor_of(request)
        done = _run(
            form,
            lambda data: services.objection_resolve(
                actor=actor,
                objection=objection,
                upheld=data["upheld"],
                resolution=data["resolution"],
                on_date=data["on_date"],
            ),
        )
        if done:
            if done.upheld:
                messages.success(request, "异议成立，证书已撤销，不予发证。")
            else:
                messages.success(request, "异议不成立；公示期满后证书随下一批发放。")
            return redirect(reverse("certification:objection_list"))
    context = {
        "form": form,
        "cert": cert,
        "objection": objection,
        "title": "处理公示异议",
        "back": reverse("certification:objection_list"),
        "closed": objection.resolved_on is not None,
    }
    return render(request, "certification/objection_form.html", context)

"""Thin views of the person registry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from chizheng.core.choices import OrgKind, TargetGroup
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.http import actor_of
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.models import OrgUnit
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for

from . import selectors, services
from .choices import Stage, StudentStatus
from .forms import PersonForm, StudentForm
from .models import Person, SocialLearner, Student, Teacher


def _unit_filters(user: object) -> list[Filter]:
    units = OrgUnit.objects.restrict(user).filter(kind__in=[OrgKind.COUNTY, OrgKind.SCHOOL]).order_by("code")
    counties = [(str(u.pk), u.name) for u in units if u.kind == OrgKind.COUNTY]
    schools = [(str(u.pk), u.name) for u in units if u.kind == OrgKind.SCHOOL]
    filters = []
    if len(counties) > 1:
        filters.append(Filter("county", "县区", "county", counties))
    if len(schools) > 1:
        filters.append(Filter("school", "院校", "school", schools))
    return filters


def _full_id_export(request: HttpRequest, value: Any) -> dict[str, Any]:
    """Lists show masked ID numbers; roles that need them may export them in full (audited)."""
    return {
        "full_columns": {"身份证号": Column("身份证号", value)},
        "allow_full": has_perm(request.user, Perm.VIEW_FULL_ID),
    }


def _person_link(p: Person) -> str:
    return reverse("people:person_detail", args=[p.pk])


@login_required
def person_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_PEOPLE)
    page = ListPage(
        title="人员库",
        queryset=Person.objects.restrict(request.user).select_related("school").order_by("-id"),
        columns=[
            Column("姓名", lambda p: p.name, link=_person_link),
            Column("身份证号", lambda p: p.masked_id_number),
            Column("性别", lambda p: p.get_sex_display()),
            Column("出生日期", lambda p: p.birth_date),
            Column("所在院校", lambda p: p.school or ""),
        ],
        filters=_unit_filters(request.user),
        search_fields=["name", "id_number"],
        search_placeholder="姓名或完整身份证号",
        export_name="人员库",
        **_full_id_export(request, lambda p: p.id_number),
    )
    return page.render(request)


@login_required
def student_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_PEOPLE)
    years = selectors.graduation_years(request.user)
    page = ListPage(
        title="在校生",
        queryset=Student.objects.restrict(request.user).select_related("person", "school").order_by("-id"),
        columns=[
            Column("姓名", lambda s: s.person.name, link=lambda s: _person_link(s.person)),
            Column("身份证号", lambda s: s.person.masked_id_number),
            Column("院校", lambda s: s.school),
            Column("专业", lambda s: s.major),
            Column("学段", lambda s: s.get_stage_display()),
            Column("入学年份", lambda s: s.entry_year),
            Column("预计毕业", lambda s: s.expected_graduation_year),
            Column("优秀", lambda s: "是" if s.outstanding else ""),
            Column("学籍状态", lambda s: s.get_status_display()),
        ],
        filters=[
            *_unit_filters(request.user),
            Filter("stage", "学段", "stage", Stage.choices),
            Filter("grad", "预计毕业年份", "expected_graduation_year", [(str(y), str(y)) for y in years]),
            Filter("status", "学籍状态", "status", StudentStatus.choices),
        ],
        search_fields=["person__name", "person__id_number", "major__icontains", "student_number"],
        search_placeholder="姓名、身份证号、专业或学号",
        export_name="在校生",
        **_full_id_export(request, lambda r: r.person.id_number),
    )
    return page.render(request)


@login_required
def teacher_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_PEOPLE)
    page = ListPage(
        title="教师",
        queryset=Teacher.objects.restrict(request.user).select_related("person", "school").order_by("-id"),
        columns=[
            Column("姓名", lambda t: t.person.name, link=lambda t: _person_link(t.person)),
            Column("身份证号", lambda t: t.person.masked_id_number),
            Column("院校", lambda t: t.school),
            Column("系部", lambda t: t.department),
            Column("职称", lambda t: t.title),
        ],
        filters=_unit_filters(request.user),
        search_fields=["person__name", "person__id_number", "department__icontains"],
        export_name="教师",
        **_full_id_export(request, lambda r: r.person.id_number),
    )
    return page.render(request)


@login_required
def learner_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_PEOPLE)
    page = ListPage(
        title="社会学员",
        queryset=SocialLearner.objects.restrict(request.user).select_related("person", "org_unit").order_by("-id"),
        columns=[
            Column("姓名", lambda s: s.person.name, link=lambda s: _person_link(s.person)),
            Column("身份证号", lambda s: s.person.masked_id_number),
            Column("登记单位", lambda s: s.org_unit),
            Column("人员类别", lambda s: s.get_target_group_display()),
            Column("工作单位", lambda s: s.employer),
            Column("登记日期", lambda s: s.registered_on),
        ],
        filters=[
            *_unit_filters(request.user),
            Filter("group", "人员类别", "target_group", TargetGroup.choices),
        ],
        search_fields=["person__name", "person__id_number", "employer__icontains"],
        export_name="社会学员",
        **_full_id_export(request, lambda r: r.person.id_number),
    )
    return page.render(request)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = selectors.get_person_for(request.user, pk)
    full_id = None
    if request.method == "POST" and request.POST.get("reveal"):
        full_id = services.person_reveal_id(actor=actor_of(request), person=person)
    context = selectors.person_context(request.user, person, full_id)
    context["can_edit"] = has_perm(request.user, Perm.MANAGE_PEOPLE)
    return render(request, "people/person_detail.html", context)


def _save(form: Any, call: Any) -> Any:
    try:
        return call(**form.cleaned_data)
    except DomainError as err:
        form.add_error(err.field if err.field in form.fields else None, err.message)
        return None


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Name and phone; the ID number is the person's identity and cannot be edited."""
    require(request.user, Perm.MANAGE_PEOPLE)
    person = selectors.get_person_for(request.user, pk)
    form = PersonForm(request.POST or None, initial={"name": person.name, "phone": person.phone})
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda **data: services.person_update(actor=actor_of(request), person=person, **data))
        if saved:
            messages.success(request, "已保存。")
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": f"编辑人员：{person.name}",
            "back": reverse("people:person_detail", args=[person.pk]),
            "note": f"身份证号 {person.masked_id_number} 不可修改；如号码有误，请联系市教育局。",
        },
    )


@login_required
def student_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.MANAGE_PEOPLE)
    student = get_for(request.user, Student.objects.select_related("person", "school"), pk=pk)
    initial = {"major": student.major, "outstanding": student.outstanding, "status": student.status}
    form = StudentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda **data: services.student_update(actor=actor_of(request), student=student, **data))
        if saved:
            messages.success(request, "已保存学籍信息。")
            return redirect("people:person_detail", pk=student.person_id)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": f"编辑学籍：{student.person.name} · {student.school}",
            "back": reverse("people:person_detail", args=[student.person_id]),
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponseBase:
    person_id = getattr(request.user, "person_id", None)
    if not person_id:
        raise NotFound("您的账号没有关联人员信息。")
    person = selectors.get_person_for(request.user, person_id)
    return render(request, "people/person_detail.html", selectors.person_context(request.user, person, None))


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A person's photo, served only inside the viewer's scope (photos are personal data)."""
    from django.http import FileResponse

    person = selectors.get_person_for(request.user, pk)
    if not person.photo:
        raise NotFound()
    return FileResponse(person.photo.open("rb"), content_type="image/jpeg")

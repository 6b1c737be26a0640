"""Thin views of R6 process assessment's sources: the school's course-certificate mappings (list, new, detail,
edit, deactivate) and the course results (list, import). Batches use the shared batch pages (views.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chizheng.certification.choices import Pathway
from chizheng.core.errors import DomainError
from chizheng.core.http import actor_of, form_page
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import has_perm, require
from chizheng.core.scoping import get_for

from . import course_services, services
from .course_imports import MAPPINGS_KIND, RESULTS_KIND
from .forms import OccupationTradeForm
from .models import CourseCertMapping, CourseResult, RecognitionBatch


def mappings_for(actor: Any) -> QuerySet[CourseCertMapping]:
    return (
        CourseCertMapping.objects.restrict(actor)
        .select_related("occupation", "trade", "school")
        .annotate(course_count=Count("courses"))
        .order_by("school_id", "name")
    )


def results_for(actor: Any) -> QuerySet[CourseResult]:
    return CourseResult.objects.restrict(actor).select_related("person", "school").order_by("-id")


def _detail_url(m: CourseCertMapping) -> str:
    return reverse("pathways:course_mapping_detail", args=[m.pk])


def _passed(passed: bool, score: Any) -> str:
    mark = "合格" if passed else "不合格"
    return f"{score:f} {mark}" if score is not None else mark


# ----------------------------------------------------------------------------------------- mappings


@login_required
def course_mapping_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    actions = []
    if has_perm(request.user, services.RUN_PERM):
        actions = [
            ("新建方案", reverse("pathways:course_mapping_create")),
            ("下载导入模板", reverse("core:import_template", args=[MAPPINGS_KIND])),
            ("导入方案", reverse("core:import_upload") + f"?kind={MAPPINGS_KIND}"),
        ]
    page = ListPage(
        title="课证融通方案",
        queryset=mappings_for(request.user),
        columns=[
            Column("方案名称", lambda m: m.name, link=_detail_url),
            Column("院校", lambda m: m.school.name),
            Column("职业", lambda m: f"{m.occupation.code} {m.occupation.name}"),
            Column("工种", lambda m: m.trade.name if m.trade else "--"),
            Column("适用专业", lambda m: m.major or "不限"),
            Column("课程数", lambda m: m.course_count),
            Column("状态", lambda m: "启用" if m.active else "已停用"),
        ],
        filters=[Filter("active", "状态", "active", [("1", "启用"), ("0", "已停用")])],
        search_fields=["name__icontains", "occupation__name__icontains", "major__icontains"],
        search_placeholder="方案名称、职业、专业",
        export_name="课证融通方案",
        actions=actions,
    )
    return page.render(request)


class CourseMappingForm(OccupationTradeForm):
    field_order = ("name", "occupation", "trade", "major", "courses")
    name = forms.CharField(label="方案名称", max_length=100)
    major = forms.CharField(label="适用专业", max_length=60, required=False, help_text="空表示不限专业")
    courses = forms.CharField(
        label="融通课程",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行一门：课程代码 课程名称（以空格分隔），例如“JD101 机械制图”",
    )

    def clean_courses(self) -> list[tuple[str, str]]:
        out = []
        for line in (self.cleaned_data.get("courses") or "").splitlines():
            code, _, name = line.strip().partition(" ")
            if code:
                out.append((code, name.strip()))
        return out


_NOTE = (
    "R6：本校毕业生或毕业学年学生（适用专业内），方案中每门课程的理论考试和实践考核均合格，"
    "本科/专科认定为高级工，中职认定为中级工。课程成绩按课程代码导入。"
)


@login_required
def course_mapping_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.RUN_PERM)
    actor = actor_of(request)
    form = CourseMappingForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        return _detail_url(course_services.course_mapping_create(actor=actor, **data))

    back = reverse("pathways:course_mapping_list")
    return form_page(request, form, "新建课证融通方案", back, call, "已保存。", _NOTE)


def _mapping(request: HttpRequest, pk: int) -> CourseCertMapping:
    return get_for(request.user, CourseCertMapping.objects.select_related("occupation", "trade", "school"), pk=pk)


@login_required
def course_mapping_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    mapping = _mapping(request, pk)
    batches = RecognitionBatch.objects.restrict(request.user).filter(course_mapping=mapping, pathway=Pathway.PROCESS)
    context = {
        "mapping": mapping,
        "courses": list(mapping.courses.order_by("code")),
        "batches": list(batches.select_related("institution").order_by("-created_at")),
        "can_run": has_perm(request.user, services.RUN_PERM),
    }
    return render(request, "pathways/course_mapping_detail.html", context)


@login_required
def course_mapping_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, services.RUN_PERM)
    mapping = _mapping(request, pk)
    actor = actor_of(request)
    initial = {
        "name": mapping.name,
        "occupation": mapping.occupation.code,
        "trade": mapping.trade.name if mapping.trade else "",
        "major": mapping.major,
        "courses": "\n".join(f"{c.code} {c.name}" for c in mapping.courses.order_by("code")),
    }
    form = CourseMappingForm(request.POST or None, initial=initial)

    def call(data: dict[str, Any]) -> str:
        course_services.course_mapping_update(actor=actor, mapping=mapping, **data)
        return _detail_url(mapping)

    note = "修改只影响以后的预览；已确认的批次和已发的证书（及其课程依据）不变。"
    return form_page(request, form, "修改课证融通方案", _detail_url(mapping), call, "已保存。", note)


@login_required
@require_POST
def course_mapping_toggle(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, services.RUN_PERM)
    mapping = _mapping(request, pk)
    try:
        course_services.course_mapping_set_active(actor=actor_of(request), mapping=mapping, active=not mapping.active)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "已停用方案：不能再用它新建批次。" if mapping.active else "已启用方案。")
    return redirect(_detail_url(mapping))


# ------------------------------------------------------------------------------------------ results


@login_required
def course_result_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, services.VIEW_PERM)
    actions = []
    if has_perm(request.user, services.RUN_PERM):
        actions = [
            ("下载导入模板", reverse("core:import_template", args=[RESULTS_KIND])),
            ("导入课程成绩", reverse("core:import_upload") + f"?kind={RESULTS_KIND}"),
        ]
    yes_no = [("1", "合格"), ("0", "不合格")]
    page = ListPage(
        title="课程成绩",
        queryset=results_for(request.user),
        columns=[
            Column("姓名", lambda r: r.person.name),
            Column("身份证号", lambda r: r.person.masked_id_number),
            Column("院校", lambda r: r.school.name),
            Column("课程代码", lambda r: r.course_code),
            Column("课程名称", lambda r: r.course_name),
            Column("理论", lambda r: _passed(r.theory_passed, r.theory_score)),
            Column("实践", lambda r: _passed(r.practical_passed, r.practical_score)),
            Column("学期", lambda r: r.term),
            Column("学年", lambda r: r.year),
        ],
        filters=[
            Filter("theory", "理论", "theory_passed", yes_no),
            Filter("practical", "实践", "practical_passed", yes_no),
        ],
        search_fields=["person__name", "person__id_number", "course_code", "course_name__icontains"],
        search_placeholder="姓名、身份证号、课程代码或名称",
        export_name="课程成绩",
        actions=actions,
    )
    return page.render(request)

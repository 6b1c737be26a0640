"""Pages of evaluation specs (评价规范, R3). Thin: forms → spec_services; reads → EvaluationSpec.objects.restrict."""

from __future__ import annotations

import mimetypes
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chizheng.core.choices import Role
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.excel import attachment as file_response
from chizheng.core.forms import style
from chizheng.core.http import actor_of
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.models import User
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for

from . import spec_rules, spec_services
from .choices import SkillLevel, SpecStatus, Verdict
from .models import EvaluationSpec, Occupation

# --- reads -----------------------------------------------------------------------------------------


def spec_queryset(user: Any) -> QuerySet[EvaluationSpec]:
    """The specs a user may see, with their approval and opinion counts."""
    return (
        EvaluationSpec.objects.restrict(user)
        .select_related("school", "occupation")
        .annotate(
            opinion_count=Count("opinions", distinct=True),
            approval_count=Count(
                "opinions__expert",
                filter=Q(opinions__verdict__in=spec_rules.APPROVING),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


def expert_choices() -> QuerySet[User]:
    """Active expert accounts a school may invite (experts are city-wide, not scoped to a school)."""
    return User.objects.filter(role=Role.EXPERT, is_active=True).order_by("username")


def _get(request: HttpRequest, pk: int) -> EvaluationSpec:
    return get_for(request.user, EvaluationSpec.objects.select_related("school", "occupation"), pk=pk)


# --- forms -----------------------------------------------------------------------------------------


class SpecForm(forms.Form):
    occupation = forms.CharField(label="职业编码", max_length=10, help_text="无国家职业技能标准的职业，如 4-04-05-05")
    title = forms.CharField(label="规范名称", max_length=200)
    levels = forms.MultipleChoiceField(
        label="设置的等级", choices=SkillLevel.choices, widget=forms.CheckboxSelectMultiple
    )
    theory_weight = forms.DecimalField(label="理论知识权重(%)", max_digits=5, decimal_places=2)
    skill_weight = forms.DecimalField(label="操作技能权重(%)", max_digits=5, decimal_places=2)
    candidates_per_invigilator = forms.IntegerField(label="考生与监考人员配比（每名监考人员对应考生数）")
    candidates_per_examiner = forms.IntegerField(label="考生与考评人员配比（每名考评员对应考生数）")
    content = forms.CharField(label="规范内容", widget=forms.Textarea(attrs={"rows": 8}), required=False)
    attachment = forms.FileField(label="附件（PDF 等，可选）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["levels"].widget.attrs["class"] = "form-check-input"

    def clean_occupation(self) -> Occupation:
        code = self.cleaned_data["occupation"].strip()
        occupation = Occupation.objects.filter(code=code).first()
        if occupation is None:
            raise forms.ValidationError(f"职业目录中没有编码为“{code}”的职业。")
        return occupation


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.username}）"


class InviteForm(forms.Form):
    expert = ExpertChoiceField(label="评审专家", queryset=User.objects.none())
    affiliation = forms.CharField(label="专家工作单位", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expert"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = expert_choices()
        style(self)


class OpinionForm(forms.Form):
    verdict = forms.ChoiceField(label="评审意见", choices=Verdict.choices)
    comments = forms.CharField(
        label="具体意见", widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text="修改后同意或不同意时必填"
    )
    given_on = forms.DateField(label="评审日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class FilingForm(forms.Form):
    filing_number = forms.CharField(label="省人社厅备案编号", max_length=60)
    filed_on = forms.DateField(label="备案日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=200)
    on_date = forms.DateField(
        label="撤回日期（自该日起不再生效）", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def _form_page(request: HttpRequest, form: forms.Form, title: str, back: str, note: str = "") -> HttpResponseBase:
    return render(request, "core/form.html", {"form": form, "title": title, "back": back, "note": note})


def _apply(form: forms.Form, err: DomainError) -> None:
    form.add_error(err.field if err.field in form.fields else None, err.message)


# --- pages -----------------------------------------------------------------------------------------


@login_required
def spec_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_SPECS)
    actions = [("起草评价规范", reverse("occupations:spec_create"))] if has_perm(request.user, Perm.DRAFT_SPEC) else []
    page = ListPage(
        title="评价规范",
        queryset=spec_queryset(request.user),
        columns=[
            Column("规范名称", lambda s: s.title, link=lambda s: reverse("occupations:spec_detail", args=[s.pk])),
            Column("职业编码", lambda s: s.occupation.code),
            Column("职业名称", lambda s: s.occupation.name),
            Column("起草院校", lambda s: s.school.name),
            Column("等级", lambda s: "、".join(s.level_labels())),
            Column("专家意见", lambda s: f"{s.approval_count} 同意 / {s.opinion_count} 份"),
            Column("状态", lambda s: s.get_status_display()),
            Column("备案编号", lambda s: s.filing_number),
            Column("备案日期", lambda s: s.filed_on or ""),
        ],
        filters=[Filter("status", "状态", "status", SpecStatus.choices)],
        search_fields=["title__icontains", "occupation__code__startswith", "occupation__name__icontains"],
        search_placeholder="规范名称、职业编码或名称",
        export_name="评价规范",
        actions=actions,
    )
    return page.render(request)


def _initial(spec: EvaluationSpec) -> dict[str, Any]:
    return {
        "occupation": spec.occupation.code,
        "title": spec.title,
        "levels": [str(level) for level in spec.levels],
        "theory_weight": spec.theory_weight,
        "skill_weight": spec.skill_weight,
        "candidates_per_invigilator": spec.candidates_per_invigilator,
        "candidates_per_examiner": spec.candidates_per_examiner,
        "content": spec.content,
    }


@login_required
def spec_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.DRAFT_SPEC)
    form = SpecForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            spec = spec_services.spec_create(actor=actor_of(request), **form.cleaned_data)
        except DomainError as err:
            _apply(form, err)
        else:
            messages.success(request, "评价规范已保存为草稿，请邀请至少 5 位校外专家评审。")
            return redirect("occupations:spec_detail", pk=spec.pk)
    note = "评价规范只适用于没有国家职业技能标准的职业（R3）；经至少 5 位不同专家评审同意、报省人社厅备案后生效。"
    return _form_page(request, form, "起草评价规范", reverse("occupations:spec_list"), note)


@login_required
def spec_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.DRAFT_SPEC)
    spec = _get(request, pk)
    form = SpecForm(request.POST or None, request.FILES or None, initial=_initial(spec))
    if request.method == "POST" and form.is_valid():
        try:
            spec_services.spec_update(actor=actor_of(request), spec=spec, **form.cleaned_data)
        except DomainError as err:
            _apply(form, err)
        else:
            messages.success(request, "已保存。")
            return redirect("occupations:spec_detail", pk=spec.pk)
    back = reverse("occupations:spec_detail", args=[spec.pk])
    return _form_page(request, form, f"编辑 {spec.title}", back)


@login_required
def spec_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.VIEW_SPECS)
    spec = _get(request, pk)
    user = request.user
    opinions = list(spec.opinions.select_related("expert").order_by("given_on", "id"))
    invitations = list(spec.invitations.select_related("expert").order_by("invited_at", "id"))
    given = {o.expert_id for o in opinions}
    approvals = spec_services.approvals_of(spec)
    may_draft = has_perm(user, Perm.DRAFT_SPEC)
    context = {
        "spec": spec,
        "opinions": opinions,
        "invitations": [(inv, inv.expert_id in given) for inv in invitations],
        "approvals": approvals,
        "required": spec_rules.MIN_APPROVALS,
        "may_edit": may_draft and spec.status in spec_rules.EDITABLE and not opinions,
        "may_invite": may_draft and spec.status in spec_rules.REVIEWABLE,
        "may_submit": may_draft and spec.status == SpecStatus.UNDER_REVIEW,
        "may_opine": has_perm(user, Perm.REVIEW_SPEC)
        and spec.status == SpecStatus.UNDER_REVIEW
        and user.pk not in given
        and any(inv.expert_id == user.pk for inv in invitations),
        "may_file": has_perm(user, Perm.FILE_SPEC) and spec.status == SpecStatus.SUBMITTED,
        "may_withdraw": spec.status != SpecStatus.WITHDRAWN
        and (may_draft or (has_perm(user, Perm.FILE_SPEC) and spec.status == SpecStatus.FILED)),
    }
    return render(request, "occupations/spec_detail.html", context)


@login_required
def spec_invite(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.DRAFT_SPEC)
    spec = _get(request, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spec_services.spec_invite(actor=actor_of(request), spec=spec, **form.cleaned_data)
        except DomainError as err:
            _apply(form, err)
        else:
            messages.success(request, f"已邀请专家“{form.cleaned_data['expert'].username}”。")
            return redirect("occupations:spec_detail", pk=spec.pk)
    back = reverse("occupations:spec_detail", args=[spec.pk])
    note = "专家须为“评审专家”账号，且不得是本校教师、学生或工作人员。"
    return _form_page(request, form, f"邀请评审专家：{spec.title}", back, note)


@login_required
def spec_opinion(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.REVIEW_SPEC)
    spec = _get(request, pk)
    form = OpinionForm(request.POST or None, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            spec_services.spec_opinion_give(actor=actor_of(request), spec=spec, **form.cleaned_data)
        except DomainError as err:
            _apply(form, err)
        else:
            messages.success(request, "评审意见已提交。")
            return redirect("occupations:spec_detail", pk=spec.pk)
    back = reverse("occupations:spec_detail", args=[spec.pk])
    return _form_page(request, form, f"评审意见：{spec.title}", back, "每位专家对同一评价规范只能提交一次意见。")


@login_required
@require_POST
def spec_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.DRAFT_SPEC)
    spec = _get(request, pk)
    try:
        spec_services.spec_submit(actor=actor_of(request), spec=spec)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "已报送省人社厅，等待备案。")
    return redirect("occupations:spec_detail", pk=spec.pk)


@login_required
def spec_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.FILE_SPEC)
    spec = _get(request, pk)
    form = FilingForm(request.POST or None, initial={"filed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            spec_services.spec_file(actor=actor_of(request), spec=spec, **form.cleaned_data)
        except DomainError as err:
            _apply(form, err)
        else:
            messages.success(request, f"已备案，备案编号 {form.cleaned_data['filing_number']}，自备案日期起生效。")
            return redirect("occupations:spec_detail", pk=spec.pk)
    back = reverse("occupations:spec_detail", args=[spec.pk])
    return _form_page(request, form, f"省人社厅备案：{spec.title}", back)


@login_required
def spec_withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    if not (has_perm(request.user, Perm.DRAFT_SPEC) or has_perm(request.user, Perm.FILE_SPEC)):
        raise PermissionDenied()
    spec = _get(request, pk)
    form = WithdrawForm(request.POST or None, initial={"on_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            spec_services.spec_withdraw(actor=actor_of(request), spec=spec, **form.cleaned_data)
        except DomainError as err:
            _apply(form, err)
        else:
            messages.success(request, "评价规范已撤回。")
            return redirect("occupations:spec_detail", pk=spec.pk)
    back = reverse("occupations:spec_detail", args=[spec.pk])
    return _form_page(request, form, f"撤回：{spec.title}", back)


@login_required
def spec_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download a spec's attachment (media is never served directly: scope and role first)."""
    require(request.user, Perm.VIEW_SPECS)
    spec = _get(request, pk)
    if not spec.attachment:
        raise NotFound("该评价规范没有附件。")
    name = (spec.attachment.name or "").rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return file_response(spec.attachment.open("rb"), name, content_type)


urlpatterns = [
    path("", spec_list, name="spec_list"),
    path("new/", spec_create, name="spec_create"),
    path("<int:pk>/", spec_detail, name="spec_detail"),
    path("<int:pk>/edit/", spec_edit, name="spec_edit"),
    path("<int:pk>/attachment/", spec_attachment, name="spec_attachment"),
    path("<int:pk>/invite/", spec_invite, name="spec_invite"),
    path("<int:pk>/opinion/", spec_opinion, name="spec_opinion"),
    path("<int:pk>/submit/", spec_submit, name="spec_submit"),
    path("<int:pk>/file/", spec_file, name="spec_file"),
    path("<int:pk>/withdraw/", spec_withdraw, name="spec_withdraw"),
]

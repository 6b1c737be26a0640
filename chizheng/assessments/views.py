"""Thin views of the exam pathway (考试考核, R4): sessions, candidates, staff, scores, results."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, ImportRejected, NotFound, PermissionDenied
from chizheng.core.excel import attachment
from chizheng.core.http import action_page, actor_of, form_page
from chizheng.core.imports import import_start
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for
from chizheng.occupations.models import EvaluationSpec, Occupation
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import forms as f
from . import imports, rules, selectors, services
from .choices import SessionStatus
from .models import AssessmentSession, Objection, Registration, SessionStaff


def _detail_url(s: AssessmentSession) -> str:
    return reverse("assessments:session_detail", args=[s.pk])


def _action(request: HttpRequest, session: AssessmentSession, call: Callable[[], Any], done: str) -> HttpResponseBase:
    return action_page(request, _detail_url(session), call, done)


@login_required
def session_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.VIEW_ASSESSMENTS)
    can_plan = has_perm(request.user, Perm.PLAN_ASSESSMENT)
    page = ListPage(
        title="考核场次",
        queryset=selectors.sessions_for(request.user),
        columns=[
            Column("考核日期", lambda s: s.held_on),
            Column("场次", lambda s: s.title, link=_detail_url),
            Column("职业", lambda s: f"{s.occupation.code} {s.occupation.name}"),
            Column("等级", lambda s: s.get_level_display()),
            Column("评价机构", lambda s: s.institution.name),
            Column("考生数", lambda s: s.n_candidates),
            Column("状态", lambda s: s.get_status_display()),
        ],
        filters=[Filter("status", "状态", "status", SessionStatus.choices)],
        search_fields=["title__icontains", "occupation__name__icontains", "occupation__code"],
        search_placeholder="场次、职业名称或编码",
        export_name="考核场次",
        actions=[("计划考核", reverse("assessments:session_create"))] if can_plan else [],
    )
    return page.render(request)


@login_required
def session_create(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Perm.PLAN_ASSESSMENT)
    actor = actor_of(request)
    form = f.SessionForm(request.POST or None, actor=actor)

    def call(data: dict[str, Any]) -> str:
        return _detail_url(services.session_plan(actor=actor, **data))

    note = "评价机构须在考核日期已备案、未暂停，且评价范围包含该职业和等级（R2、R3）。"
    return form_page(request, form, "计划考核场次", reverse("assessments:session_list"), call, "已计划考核场次。", note)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.VIEW_ASSESSMENTS)
    session = selectors.get_session_for(request.user, pk)
    registrations = list(
        session.registrations.select_related("person", "score").prefetch_related("objections").order_by("id")
    )
    rows: list[dict[str, Any]] = []
    passers = 0
    for r in registrations:
        score = getattr(r, "score", None)
        rows.append({"r": r, "score": score, "total": score.total(session) if score else None})
        passers += 1 if score is not None and score.passed else 0
    staff = list(session.staff.select_related("examiner__person", "examiner__institution").order_by("role", "id"))
    facts = services.staffing_facts(session) if session.status in ("planned", "staffed") else None
    policy = services.staffing_policy_for(session)
    board = {row["registration"].pk: row for row in selectors.entry_board(session)}
    me = request.user.pk
    for row in rows:
        entry_row = board[row["r"].pk]
        row["state"] = entry_row["state"]
        row["entries"] = len(entry_row["entries"])
        row["mine"] = next((e for e in entry_row["entries"] if e["user_id"] == me), None)
    disagreements = [row for row in board.values() if row["state"] == rules.DISAGREED]
    can_score = has_perm(request.user, Perm.ENTER_SCORES) and selectors.assigned_examiner(request.user, session)
    context = {
        "session": session,
        "rows": rows,
        "staff": staff,
        "policy": policy.policy,
        "policy_source": policy.source,
        "policy_edit": _policy_edit_url(request.user, session),
        "problems": rules.staffing_problems(facts, policy.policy) if facts else [],
        "need_invigilators": rules.required_invigilators(len(rows), session.rooms, policy.policy),
        "need_examiners": rules.required_examiners(len(rows), policy.policy),
        "disagreements": disagreements,
        "objections": session.objections.select_related("registration__person").order_by("raised_at"),
        "can_plan": has_perm(request.user, Perm.PLAN_ASSESSMENT),
        "can_score": can_score,
        "scoring": session.status in (SessionStatus.IN_PROGRESS, SessionStatus.SCORED),
        "passers": passers,
        "publicity_ends": rules.publicity_ends(session.publicised_on, session.publicity_days)
        if session.publicised_on
        else None,
    }
    return render(request, "assessments/session_detail.html", context)


def _session_for_plan(request: HttpRequest, pk: int) -> AssessmentSession:
    require(request.user, Perm.PLAN_ASSESSMENT)
    return selectors.get_session_for(request.user, pk)


@login_required
def registration_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    actor = actor_of(request)
    form = f.RegisterForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        try:
            number = normalize_id_number(data["id_number"])
        except DomainError as err:
            raise DomainError(err.code, err.message, field="id_number") from None
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            raise DomainError("person_missing", "人员库中没有该身份证号，请先登记人员。", field="id_number")
        services.registration_add(actor=actor, session=session, person=person)
        return _detail_url(session)

    note = f"{session.title}：中职学生最高中级工，优秀应届或已毕业中职学生可报高级工；在校学生不得报考技师、高级技师。"
    return form_page(request, form, "考生报名", _detail_url(session), call, "已报名。", note)


@login_required
@require_POST
def registration_remove(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    registration = _registration(session, reg_pk)
    return _action(
        request,
        session,
        lambda: services.registration_remove(actor=actor_of(request), registration=registration),
        "已取消报名。",
    )


def _registration(session: AssessmentSession, reg_pk: int) -> Registration:
    try:
        return session.registrations.select_related("person").get(pk=reg_pk)
    except Registration.DoesNotExist:
        raise NotFound() from None


@login_required
def staff_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    actor = actor_of(request)
    form = f.StaffForm(request.POST or None, on_date=session.held_on)

    def call(data: dict[str, Any]) -> str:
        services.staff_assign(actor=actor, session=session, examiner=data["examiner"])
        return _detail_url(session)

    note = "可从任一评价机构的考评人员库中选派（外校考评员可避免本校学生回避）。"
    return form_page(request, form, "安排考评人员", _detail_url(session), call, "已安排。", note)


@login_required
@require_POST
def staff_remove(request: HttpRequest, pk: int, staff_pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    try:
        staff = session.staff.get(pk=staff_pk)
    except SessionStaff.DoesNotExist:
        raise NotFound() from None
    return _action(request, session, lambda: services.staff_remove(actor=actor_of(request), staff=staff), "已移除。")


@login_required
@require_POST
def session_start(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    return _action(
        request, session, lambda: services.session_start(actor=actor_of(request), session=session), "考核已开始。"
    )


@login_required
@require_POST
def session_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    return _action(
        request, session, lambda: services.session_confirm(actor=actor_of(request), session=session), "成绩已确认。"
    )


@login_required
def score_enter(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponseBase:
    require(request.user, Perm.ENTER_SCORES)
    session = selectors.get_session_for(request.user, pk)
    registration = _registration(session, reg_pk)
    actor = actor_of(request)
    form = f.ScoreForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        entered = services.score_enter(
            actor=actor, registration=registration, theory=data["theory"], skill=data["skill"]
        )
        if entered.state == rules.DISAGREED:
            messages.warning(
                request, f"{registration.person.name}：与其他考评员的录入不一致，已列入待核对，请核对后重新录入。"
            )
        elif entered.state == rules.AGREED:
            messages.info(request, f"{registration.person.name}：双人录入一致，成绩生效。")
        else:
            messages.info(request, f"{registration.person.name}：已录入，待另一名考评员独立录入复核。")
        return _detail_url(session)

    note = (
        f"{registration.person.name}（准考证号 {registration.ticket}）：成绩 0–100 分，最多一位小数；"
        "理论与技能均达到合格线为合格。成绩须由两名考评员分别录入且一致后生效（双人录入）。"
    )
    return form_page(request, form, "录入成绩", _detail_url(session), call, "成绩已录入。", note)


def _session_for_scoring(request: HttpRequest, pk: int) -> AssessmentSession:
    """A session the user may see, and is assigned to as an examiner (PermissionDenied otherwise)."""
    require(request.user, Perm.ENTER_SCORES)
    session = selectors.get_session_for(request.user, pk)
    if not selectors.assigned_examiner(request.user, session):
        raise PermissionDenied("只有本场次安排的考评员可以录入成绩。")
    return session


@login_required
def score_template(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The session's score sheet prefilled with its candidates (masked ID numbers); the download is audited."""
    session = _session_for_scoring(request, pk)
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    n = imports.write_score_template(tmp, session)
    tmp.seek(0)
    audit.record(
        actor_of(request), AuditAction.EXPORT, session, after={"rows": n}, note="下载成绩录入模板（含考生名单）"
    )
    return attachment(tmp, f"成绩录入-场次{session.pk}.xlsx")


@login_required
def score_upload(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Upload the filled score sheet: one examiner's entries, validated row by row, all or nothing."""
    session = _session_for_scoring(request, pk)
    form = f.ScoreUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_start(
                actor=actor_of(request), kind=imports.SCORES_KIND, uploaded_file=form.cleaned_data["file"]
            )
        except ImportRejected as err:
            form.add_error("file", err.message)
        else:
            return redirect("core:import_detail", pk=job.pk)
    template = reverse("assessments:score_template", args=[session.pk])
    note = (
        f"{session.title}：先下载本场次的成绩录入模板（已填好准考证号、姓名），填写理论成绩、技能成绩后上传。"
        "任何一行有误则整份不导入，并给出错误清单；两名考评员各自上传或录入，一致后成绩生效。"
    )
    return render(
        request,
        "assessments/score_upload.html",
        {"form": form, "session": session, "template_url": template, "note": note, "back": _detail_url(session)},
    )


def _policy_edit_url(user: Any, session: AssessmentSession) -> str | None:
    """Where the user may edit the policy of the session's occupation, if anywhere."""
    occupation = session.occupation
    if occupation.has_national_standard:
        if has_perm(user, Perm.MANAGE_OCCUPATIONS):
            return reverse("assessments:staffing_standard", args=[occupation.code])
        return None
    if has_perm(user, Perm.DRAFT_SPEC):
        spec = EvaluationSpec.objects.restrict(user).filter(occupation=occupation).order_by("-created_at").first()
        if spec is not None:
            return reverse("assessments:staffing_spec", args=[spec.pk])
    return None


@login_required
def staffing_standard(request: HttpRequest, code: str) -> HttpResponseBase:
    """The exam staffing of an occupation's national standard (whoever maintains the catalog)."""
    require(request.user, Perm.MANAGE_OCCUPATIONS)
    occupation = get_object_or_404(Occupation, code=code)
    form = f.StaffingPolicyForm(request.POST or None, initial=f.StaffingPolicyForm.initial_from(occupation))
    back = reverse("occupations:occupation_detail", args=[occupation.code])

    def call(data: dict[str, Any]) -> str:
        services.standard_staffing_set(actor=actor_of(request), occupation=occupation, **data)
        return back

    note = (
        f"{occupation.code} {occupation.name}：国家职业技能标准规定的考评人员配比，留空即按默认"
        "（监考员每 15 名考生 1 人且每考场不少于 2 人；考评员不少于 3 人、每 5 名考生 1 人且为单数）。"
        "所有该职业的考核场次开考前按此核对。"
    )
    return form_page(request, form, "考评人员配比（国家标准）", back, call, "已保存考评人员配比。", note)


@login_required
def staffing_spec(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The exam staffing of an evaluation spec (the drafting school, while the spec may be amended)."""
    require(request.user, Perm.DRAFT_SPEC)
    spec = get_for(request.user, EvaluationSpec.objects.select_related("occupation"), pk=pk)
    form = f.StaffingPolicyForm(request.POST or None, initial=f.StaffingPolicyForm.initial_from(spec))
    back = reverse("occupations:spec_detail", args=[spec.pk])

    def call(data: dict[str, Any]) -> str:
        services.spec_staffing_set(actor=actor_of(request), spec=spec, **data)
        return back

    note = (
        f"{spec.title}（{spec.occupation.code} {spec.occupation.name}，无国家标准）：两项配比必填，其余留空按默认。"
        "只能在专家评审前修改；备案生效后，该职业的考核场次按此核对。"
    )
    return form_page(request, form, "考评人员配比（评价规范）", back, call, "已保存考评人员配比。", note)


@login_required
def score_correct(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    registration = _registration(session, reg_pk)
    actor = actor_of(request)
    form = f.CorrectionForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.score_correct(
            actor=actor, registration=registration, theory=data["theory"], skill=data["skill"], reason=data["reason"]
        )
        return _detail_url(session)

    return form_page(
        request,
        form,
        "更正成绩",
        _detail_url(session),
        call,
        "成绩已更正。",
        f"{registration.person.name}：须填写原因。",
    )


@login_required
def session_publicise(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    actor = actor_of(request)
    form = f.PubliciseForm(request.POST or None, initial={"on_date": timezone.localdate()})

    def call(data: dict[str, Any]) -> str:
        services.session_publicise(actor=actor, session=session, on_date=data["on_date"])
        return _detail_url(session)

    return form_page(
        request, form, "公示考核结果", _detail_url(session), call, "已公示。", f"公示 {session.publicity_days} 天。"
    )


@login_required
def objection_add(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    registration = _registration(session, reg_pk)
    actor = actor_of(request)
    form = f.ObjectionForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.objection_record(actor=actor, registration=registration, text=data["text"])
        return _detail_url(session)

    return form_page(
        request, form, "登记异议", _detail_url(session), call, "已登记异议。", f"考生：{registration.person.name}"
    )


@login_required
def objection_resolve(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    try:
        objection = session.objections.select_related("registration__person").get(pk=objection_pk)
    except Objection.DoesNotExist:
        raise NotFound() from None
    actor = actor_of(request)
    form = f.ResolveForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.objection_resolve(
            actor=actor,
            objection=objection,
            upheld=data["upheld"],
            resolution=data["resolution"],
            theory=data["theory"] or None,
            skill=data["skill"] or None,
        )
        return _detail_url(session)

    note = f"{objection.registration.person.name}：{objection.text}"
    return form_page(request, form, "处理异议", _detail_url(session), call, "异议已处理。", note)


@login_required
def session_issue(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = _session_for_plan(request, pk)
    actor = actor_of(request)
    form = f.IssueForm(request.POST or None, initial={"today": timezone.localdate()})

    def call(data: dict[str, Any]) -> str:
        certificates = services.session_issue(actor=actor, session=session, today=data["today"])
        messages.info(request, f"已为 {len(certificates)} 名合格考生发证。")
        return _detail_url(session)

    note = "公示期满且异议全部处理后，为合格考生生成证书并编号发证。"
    return form_page(request, form, "为合格考生发证", _detail_url(session), call, "发证完成。", note)

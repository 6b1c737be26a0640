"""Thin views of R7 competitions: list, create/edit with the rules (bands), the competition page with its entries
and results, entering a participant, recording one result, the prefilled result sheet. Entries and results in
bulk go through the import framework (`competition_entries`, `competition_results`); certification through
the batch pages (pathway "competition")."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.excel import attachment
from chizheng.core.http import actor_of, form_page
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import has_perm, require
from chizheng.core.scoping import get_for
from chizheng.people.models import Person
from chizheng.people.rules import normalize_id_number

from . import competition_forms as cf
from . import competition_services as cs
from . import rules
from .choices import BandBasis, CompetitionAudience
from .competition_imports import ENTRIES_KIND, RESULTS_KIND, write_results_template
from .models import Competition, CompetitionEntry, RecognitionBatch
from .services import RUN_PERM, VIEW_PERM


def _url(c: Competition) -> str:
    return reverse("pathways:competition_detail", args=[c.pk])


def _competition(request: HttpRequest, pk: int) -> Competition:
    return get_for(request.user, Competition.objects.select_related("occupation", "trade", "school"), pk=pk)


@login_required
def competition_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, VIEW_PERM)
    actions: list[tuple[str, str]] = []
    if has_perm(request.user, RUN_PERM):
        actions = [
            ("新建竞赛", reverse("pathways:competition_create")),
            ("导入报名", reverse("core:import_upload") + f"?kind={ENTRIES_KIND}"),
            ("导入成绩", reverse("core:import_upload") + f"?kind={RESULTS_KIND}"),
        ]
    qs = (
        Competition.objects.restrict(request.user)
        .select_related("occupation", "school")
        .annotate(n_entries=Count("entries", distinct=True))
        .order_by("-held_on", "-id")
    )
    page = ListPage(
        title="技能竞赛",
        queryset=qs,
        columns=[
            Column("编号", lambda c: c.pk),
            Column("竞赛", lambda c: c.name, link=_url),
            Column("日期", lambda c: c.held_on),
            Column("院校", lambda c: c.school.name),
            Column("职业", lambda c: f"{c.occupation.code} {c.occupation.name}"),
            Column("参赛对象", lambda c: c.get_audience_display()),
            Column("认定规则", lambda c: c.get_basis_display()),
            Column("参赛人数", lambda c: c.n_entries),
        ],
        filters=[
            Filter("audience", "参赛对象", "audience", CompetitionAudience.choices),
            Filter("basis", "认定规则", "basis", BandBasis.choices),
        ],
        search_fields=["name__icontains", "occupation__name__icontains"],
        search_placeholder="竞赛名称、职业",
        export_name="技能竞赛",
        actions=actions,
    )
    return page.render(request)


def _edit_page(request: HttpRequest, competition: Competition | None) -> HttpResponseBase:
    require(request.user, RUN_PERM)
    actor = actor_of(request)
    if competition is None:
        initial: dict[str, Any] = {"audience": "students", "basis": "rank"}
        bands: list[dict[str, Any]] = []
    else:
        initial = {
            "name": competition.name,
            "occupation": competition.occupation.code,
            "trade": competition.trade.name if competition.trade else "",
            "held_on": competition.held_on,
            "audience": competition.audience,
            "basis": competition.basis,
        }
        bands = cf.band_initial(cs.bands_of(competition))
    form = cf.CompetitionForm(request.POST or None, initial=initial)
    formset = cf.BandFormSet(request.POST or None, initial=bands, prefix="bands")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows, index = cf.bands_from(formset)
        if not any(f.errors for f in formset.forms):
            data = {k: form.cleaned_data[k] for k in ("name", "occupation", "trade", "held_on", "audience", "basis")}
            try:
                if competition is None:
                    competition = cs.competition_create(actor=actor, bands=rows, **data)
                    done = "已创建竞赛，请登记参赛人员。"
                else:
                    competition = cs.competition_update(actor=actor, competition=competition, bands=rows, **data)
                    done = "已保存。"
            except DomainError as err:
                if isinstance(err, NotFound):
                    raise
                numbers = err.extra.get("rows") or ([err.extra["row"]] if "row" in err.extra else [])
                for n in numbers:
                    if 1 <= n <= len(index):
                        formset.forms[index[n - 1]].add_error(None, err.message)
                form.add_error(err.field if err.field in form.fields else None, err.message)
            else:
                messages.success(request, done)
                return redirect(_url(competition))
    back = _url(competition) if competition else reverse("pathways:competition_list")
    context = {
        "form": form,
        "formset": formset,
        "competition": competition,
        "title": "新建竞赛" if competition is None else f"修改竞赛：{competition.name}",
        "back": back,
    }
    return render(request, "pathways/competition_form.html", context)


@login_required
def competition_create(request: HttpRequest) -> HttpResponseBase:
    return _edit_page(request, None)


@login_required
def competition_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, RUN_PERM)
    return _edit_page(request, _competition(request, pk))


@login_required
@require_POST
def competition_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, RUN_PERM)
    competition = _competition(request, pk)
    try:
        cs.competition_delete(actor=actor_of(request), competition=competition)
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        messages.error(request, err.message)
        return redirect(_url(competition))
    messages.success(request, f"已删除竞赛“{competition.name}”。")
    return redirect("pathways:competition_list")


@login_required
def competition_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, VIEW_PERM)
    competition = _competition(request, pk)
    bands = cs.bands_of(competition)
    entries = list(
        CompetitionEntry.objects.filter(competition=competition)
        .select_related("person")
        .order_by(F("rank").asc(nulls_last=True), "id")
    )
    levels = {e.pk: rules.band_level(bands, e.rank if competition.basis == "rank" else e.score) for e in entries}
    context = {
        "competition": competition,
        "bands": [(rules.band_label(b, basis=competition.basis), b) for b in bands],
        "entries": [(e, rules.level_label(levels[e.pk]) if levels[e.pk] else "") for e in entries],
        "recorded": sum(1 for e in entries if e.result_recorded_at),
        "batches": RecognitionBatch.objects.filter(competition=competition).select_related("institution"),
        "can_run": has_perm(request.user, RUN_PERM),
        "entries_kind": ENTRIES_KIND,
        "results_kind": RESULTS_KIND,
    }
    return render(request, "pathways/competition_detail.html", context)


@login_required
def entry_create(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, RUN_PERM)
    competition = _competition(request, pk)
    actor = actor_of(request)
    form = cf.EntryForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        try:
            id_number = normalize_id_number(data["id_number"])
        except DomainError as err:
            raise DomainError(err.code, err.message, field="id_number") from None
        person = Person.objects.restrict(actor).filter(id_number=id_number).first()
        if person is None:
            raise DomainError(
                "person_missing", f"人员库中（本单位范围内）没有身份证号 {id_number} 的人员。", field="id_number"
            )
        cs.entry_register(actor=actor, competition=competition, person=person, participant=data["participant"] or None)
        return _url(competition)

    note = (
        f"{competition.name}（参赛对象：{competition.get_audience_display()}）：登记本校学生或本校在职教师。"
        "批量登记可用“导入报名”。"
    )
    return form_page(request, form, "登记参赛人员", _url(competition), call, "已登记。", note)


def _entry(request: HttpRequest, pk: int) -> CompetitionEntry:
    return get_for(request.user, CompetitionEntry.objects.select_related("competition", "person"), pk=pk)


@login_required
def entry_result(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, RUN_PERM)
    entry = _entry(request, pk)
    competition = entry.competition
    form = cf.ResultForm(request.POST or None, initial={"rank": entry.rank, "score": entry.score})

    def call(data: dict[str, Any]) -> str:
        cs.entry_set_result(actor=actor_of(request), entry=entry, rank=data["rank"], score=data["score"])
        return _url(competition)

    what = "名次" if competition.basis == "rank" else "成绩"
    note = f"{entry.person.name}，{competition.name}：本竞赛{competition.get_basis_display()}认定，须填写{what}。"
    return form_page(request, form, "录入竞赛成绩", _url(competition), call, "已保存成绩。", note)


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, RUN_PERM)
    entry = _entry(request, pk)
    try:
        cs.entry_remove(actor=actor_of(request), entry=entry)
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        messages.error(request, err.message)
    else:
        messages.success(request, f"已删除{entry.person.name}的参赛登记。")
    return redirect(_url(entry.competition))


@login_required
def results_sheet(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The competition's result sheet prefilled with its entries (full ID numbers: audited as an export)."""
    require(request.user, RUN_PERM)
    competition = _competition(request, pk)
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    n = write_results_template(tmp, competition)
    tmp.seek(0)
    audit.record(
        actor_of(request), AuditAction.EXPORT, competition, after={"rows": n}, note="下载竞赛成绩表（含参赛名单）"
    )
    return attachment(tmp, f"竞赛成绩-{competition.pk}.xlsx")

"""Thin views of batch import: job list, upload, templates, job page with live progress, error workbook."""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from .choices import ImportStatus
from .errors import ImportRejected, NotFound, PermissionDenied
from .excel import attachment, write_template
from .http import actor_of
from .imports import ImportKind, first_errors, get_kind, import_start, kinds
from .listing import Column, Filter, ListPage
from .models import ImportJob
from .permissions import has_perm
from .scoping import get_for


def _kinds_for(user: Any) -> list[ImportKind]:
    return [kind for kind in kinds().values() if has_perm(user, kind.perm)]


def _require_any(user: Any) -> list[ImportKind]:
    allowed = _kinds_for(user)
    if not allowed:
        raise PermissionDenied()
    return allowed


def _kind_label(key: str) -> str:
    kind = kinds().get(key)
    return kind.label if kind else key


@login_required
def import_list(request: HttpRequest) -> HttpResponseBase:
    allowed = _require_any(request.user)
    page = ListPage(
        title="批量导入",
        # only jobs of kinds the user may run: an examiner (score sheets) never sees the school's rosters
        queryset=ImportJob.objects.restrict(request.user)
        .filter(kind__in=[k.key for k in allowed])
        .select_related("created_by"),
        columns=[
            Column(
                "上传时间",
                lambda j: j.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                link=lambda j: reverse("core:import_detail", args=[j.pk]),
            ),
            Column("类型", lambda j: _kind_label(j.kind)),
            Column("文件名", lambda j: j.original_name),
            Column("上传人", lambda j: j.created_by or ""),
            Column("状态", lambda j: j.get_status_display()),
            Column("进度", lambda j: f"{j.percent}%"),
            Column("新增/更新/未变", lambda j: f"{j.created_count}/{j.updated_count}/{j.unchanged_count}"),
            Column("错误数", lambda j: j.error_count),
        ],
        filters=[
            Filter("kind", "类型", "kind", [(k.key, k.label) for k in allowed]),
            Filter("status", "状态", "status", ImportStatus.choices),
        ],
        search_fields=["original_name__icontains"],
        search_placeholder="文件名",
        export_name=None,
        actions=[("上传文件", reverse("core:import_upload"))],
    )
    return page.render(request)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入类型")
    file = forms.FileField(label="文件", help_text="Excel（.xlsx/.xls/.ods）或 CSV；照片请打包为 .zip")

    def __init__(self, *args: Any, allowed: list[ImportKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in allowed]  # type: ignore[attr-defined]
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"


@login_required
def import_upload(request: HttpRequest) -> HttpResponseBase:
    allowed = _require_any(request.user)
    initial = {"kind": request.GET.get("kind", allowed[0].key)}
    form = UploadForm(request.POST or None, request.FILES or None, allowed=allowed, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_start(
                actor=actor_of(request), kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except ImportRejected as err:
            form.add_error("file", err.message)
        else:
            return redirect("core:import_detail", pk=job.pk)
    return render(request, "core/import_upload.html", {"form": form, "kinds": allowed})


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponseBase:
    spec = get_kind(kind) if kind in kinds() else None
    if spec is None or spec.template is None:
        raise NotFound()
    if not has_perm(request.user, spec.perm):
        raise PermissionDenied()
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_template(tmp, spec.template(request.user))
    tmp.seek(0)
    return attachment(tmp, f"{spec.label.split('（')[0]}导入模板.xlsx")


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    allowed = _require_any(request.user)
    jobs = ImportJob.objects.filter(kind__in=[k.key for k in allowed]).select_related("created_by")
    return get_for(request.user, jobs, pk=pk)


def _job_context(job: ImportJob) -> dict[str, Any]:
    running = job.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    return {
        "job": job,
        "kind_label": _kind_label(job.kind),
        "running": running,
        "errors": [] if running else first_errors(job),
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    return render(request, "core/import_detail.html", _job_context(job))


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The job's status card, polled by htmx while the job runs."""
    job = _job_for(request, pk)
    return render(request, "core/import_progress.html", _job_context(job))


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    if not job.error_file:
        raise NotFound("该导入任务没有错误清单。")
    return attachment(job.error_file.open("rb"), f"{job.original_name.rsplit('.', 1)[0]}-错误清单.xlsx")

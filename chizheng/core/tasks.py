"""Background jobs (django-tasks): large imports run here, off the request."""

from __future__ import annotations

import contextlib
from typing import Any

from django_tasks import task

from .audit import audit_context
from .choices import ImportStatus
from .errors import ImportRejected
from .models import ImportJob


@task()
def run_import_job(job_id: int) -> dict[str, Any]:
    """Run a pending ImportJob as its uploader; progress and outcome are written to the job row."""
    from .imports import job_finish, run_import

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.PENDING:
        return job.summary()
    actor = job.created_by
    if actor is None or not actor.is_active:
        job_finish(job, status=ImportStatus.FAILED, message="上传人账号已停用，导入未执行。")
        return job.summary()
    with audit_context(channel="task"), contextlib.suppress(ImportRejected):  # the job row carries the message
        run_import(kind=job.kind, actor=actor, job=job)
    job.refresh_from_db()
    return job.summary()

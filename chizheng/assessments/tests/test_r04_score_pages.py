"""R4 pages for score sheets, disagreements and staffing ratios (the services are tested on their own)."""

from __future__ import annotations

import io

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chizheng.core.excel import write_rows
from chizheng.core.models import AuditEvent, ImportJob

from .. import services
from ..choices import SessionStatus
from ..models import ScoreEntry
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(world):
    inst = f.institution(world)
    session = f.planned_session(world, inst)
    for p in f.students(world, 2):
        services.registration_add(actor=world.user("school"), session=session, person=p)
    staff = f.external_staff(world, examiners=3)
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    services.session_start(actor=world.user("school"), session=session)
    return session, [staff.users[e.pk] for e in staff.examiners]


def test_r04_score_sheet_download_and_upload_by_an_assigned_examiner(world, login, started):
    session, (first, second, _third) = started
    client = login(first)
    r = client.get(reverse("assessments:score_template", args=[session.pk]))
    assert r.status_code == 200
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(
        0
    )
    data = rows.to_python()
    assert len(data) == 3
    assert AuditEvent.objects.filter(note="下载成绩录入模板（含考生名单）", action="export").exists()
    filled = [[*row[:4], 80, 70] for row in data[1:]]
    buf = io.BytesIO()
    write_rows(buf, [str(h) for h in data[0]], filled)
    upload = SimpleUploadedFile("成绩.xlsx", buf.getvalue())
    r = client.post(reverse("assessments:score_upload", args=[session.pk]), {"file": upload})
    job = ImportJob.objects.get(kind="exam_scores")
    assert r["Location"] == reverse("core:import_detail", args=[job.pk])
    assert job.status == "done"
    assert ScoreEntry.objects.filter(entered_by=first).count() == 2
    # the second examiner disagrees on one candidate: the session page lists it
    regs = list(session.registrations.order_by("id"))
    services.score_enter(actor=second, registration=regs[0], theory="80", skill="70")
    services.score_enter(actor=second, registration=regs[1], theory="80", skill="71")
    page = login(world.user("school")).get(reverse("assessments:session_detail", args=[session.pk])).content.decode()
    assert 'id="disagreements"' in page
    assert "双人录入不一致（1 人" in page
    r = login(world.user("school")).post(reverse("assessments:session_confirm", args=[session.pk]), follow=True)
    assert "两次录入不一致" in r.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_r04_score_sheet_pages_refuse_an_examiner_not_assigned(world, login, started):
    session, _ = started
    client = login(world.user("examiner"))
    assert client.get(reverse("assessments:score_template", args=[session.pk])).status_code == 403
    assert client.get(reverse("assessments:score_upload", args=[session.pk])).status_code == 403


def test_r04_score_sheet_upload_with_errors_shows_the_job_with_its_error_list(world, login, started):
    session, (first, _second, _third) = started
    reg = session.registrations.order_by("id").first()
    buf = io.BytesIO()
    write_rows(buf, ["场次编号", "准考证号", "理论成绩", "技能成绩"], [[session.pk, reg.ticket, "100.5", 60]])
    client = login(first)
    r = client.post(
        reverse("assessments:score_upload", args=[session.pk]),
        {"file": SimpleUploadedFile("s.xlsx", buf.getvalue())},
        follow=True,
    )
    text = r.content.decode()
    assert "超出 0–100 分" in text
    assert not ScoreEntry.objects.exists()


def test_r04_staffing_pages_save_the_standard_and_the_spec(world, login, started):
    occupation = f.occupation()
    city = login(world.user("city"))
    url = reverse("assessments:staffing_standard", args=[occupation.code])
    r = city.post(url, {"candidates_per_invigilator": "10", "min_examiners": "1", "examiners_odd": "0"})
    assert r.status_code == 200
    assert "2–25" in r.content.decode()  # min_examiners 1 refused, named on its field
    r = city.post(url, {"candidates_per_invigilator": "10", "min_examiners": "2", "examiners_odd": "0"})
    assert r.status_code == 302
    occupation.refresh_from_db()
    assert (occupation.candidates_per_invigilator, occupation.min_examiners, occupation.examiners_odd) == (10, 2, False)
    session, _ = started
    page = login(world.user("school")).get(reverse("assessments:session_detail", args=[session.pk])).content.decode()
    assert "监考员每 10 名考生 1 人" in page
    assert "不要求单数" in page

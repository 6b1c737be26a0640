"""R4 pages: a session walked from plan to certificates through the web forms; errors shown, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chizheng.certification.models import Certificate

from ..choices import SessionStatus
from ..models import AssessmentSession, Score
from . import factories as f

pytestmark = pytest.mark.django_db


def test_r04_pages_walk_a_session_to_certificates(world, login, client):
    inst = f.institution(world)
    persons = f.students(world, 3)
    staff = f.external_staff(world)
    c = login(world.user("school"))
    r = c.post(
        reverse("assessments:session_create"),
        {
            "institution": inst.pk,
            "occupation": f.occupation().code,
            "level": 4,
            "held_on": "2023-06-01",
            "title": "数控车工中级工 2023-06",
            "rooms": 1,
            "theory_weight": 30,
            "skill_weight": 70,
            "theory_pass_mark": "60",
            "skill_pass_mark": "60",
            "publicity_days": 7,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    session = AssessmentSession.objects.get()
    detail = reverse("assessments:session_detail", args=[session.pk])
    assert r["Location"] == detail
    for p in persons:
        r = c.post(reverse("assessments:registration_add", args=[session.pk]), {"id_number": p.id_number})
        assert r.status_code == 302
    r = c.post(reverse("assessments:registration_add", args=[session.pk]), {"id_number": persons[0].id_number})
    assert r.status_code == 200
    assert "已报名本场考核" in r.content.decode()
    r = c.post(reverse("assessments:session_start", args=[session.pk]), follow=True)
    assert "考评人员配备不符合要求" in r.content.decode()
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        assert c.post(reverse("assessments:staff_add", args=[session.pk]), {"examiner": e.pk}).status_code == 302
    page = c.get(detail).content.decode()
    assert "开考前须解决" not in page
    c.post(reverse("assessments:session_start", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS

    examiner = login(staff.users[staff.examiners[0].pk])
    regs = list(session.registrations.order_by("id"))
    bad = examiner.post(
        reverse("assessments:score_enter", args=[session.pk, regs[0].pk]), {"theory": "101", "skill": "1"}
    )
    assert bad.status_code == 200
    assert "超出 0–100 分" in bad.content.decode()
    for user in (staff.users[e.pk] for e in staff.examiners[:2]):  # double entry: two examiners
        client = login(user)
        for reg, (t, s) in zip(regs, [("80", "75"), ("59.5", "90"), ("60", "60")], strict=True):
            r = client.post(reverse("assessments:score_enter", args=[session.pk, reg.pk]), {"theory": t, "skill": s})
            assert r.status_code == 302
    assert Score.objects.filter(passed=True).count() == 2

    c = login(world.user("school"))
    c.post(reverse("assessments:session_confirm", args=[session.pk]))
    r = c.post(reverse("assessments:session_publicise", args=[session.pk]), {"on_date": "2023-06-05"})
    assert r.status_code == 302
    r = c.post(reverse("assessments:session_issue", args=[session.pk]), {"today": "2023-06-10"})
    assert "公示期满后方可发证" in r.content.decode()
    r = c.post(reverse("assessments:session_issue", args=[session.pk]), {"today": "2023-06-20"})
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.ISSUED
    assert Certificate.objects.filter(pathway="exam").count() == 2
    page = c.get(detail).content.decode()
    assert "合格 2 人" in page


def test_r04_session_pages_scoped(world, login):
    inst = f.institution(world)
    session = f.planned_session(world, inst)
    detail = reverse("assessments:session_detail", args=[session.pk])
    assert login(world.user("county")).get(detail).status_code == 200
    assert login(world.user("other_school")).get(detail).status_code == 404
    listing = login(world.user("school")).get(reverse("assessments:session_list")).content.decode()
    assert session.title in listing
    assert (
        session.title not in login(world.user("other_school")).get(reverse("assessments:session_list")).content.decode()
    )

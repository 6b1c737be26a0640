"""R4 API: plan, register, detail with staffing problems, score entry by an assigned examiner."""

from __future__ import annotations

import json

import pytest

from .. import services
from ..models import Score
from . import factories as f

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_r04_api_session_flow(world, login):
    inst = f.institution(world)
    persons = f.students(world, 3)
    c = login(world.user("school"))
    r = _post(
        c, "/api/v1/assessment-sessions", {"occupation_code": f.occupation().code, "level": 2, "held_on": "2023-06-01"}
    )
    assert r.status_code == 400  # beyond the institution's scope (R2 gate)
    r = _post(
        c, "/api/v1/assessment-sessions", {"occupation_code": f.occupation().code, "level": 4, "held_on": "2023-06-01"}
    )
    assert r.status_code == 201, r.content
    session_id = r.json()["id"]
    assert r.json()["institution_id"] == inst.pk
    for p in persons:
        r = _post(c, f"/api/v1/assessment-sessions/{session_id}/registrations", {"id_number": p.id_number})
        assert r.status_code == 201
    r = _post(c, f"/api/v1/assessment-sessions/{session_id}/registrations", {"id_number": persons[0].id_number})
    assert r.json()["code"] == "already_registered"
    detail = c.get(f"/api/v1/assessment-sessions/{session_id}").json()
    assert len(detail["candidates"]) == 3
    assert any("督导员" in p for p in detail["staffing_problems"])

    staff = f.external_staff(world)
    from ..models import AssessmentSession

    session = AssessmentSession.objects.get(pk=session_id)
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    services.session_start(actor=world.user("school"), session=session)
    examiner = login(staff.users[staff.examiners[0].pk])
    reg_id = detail["candidates"][0]["registration_id"]
    r = _post(examiner, f"/api/v1/assessment-registrations/{reg_id}/score", {"theory": "60.05", "skill": "70"})
    assert r.status_code == 400
    assert r.json()["code"] == "score_too_precise"
    r = _post(examiner, f"/api/v1/assessment-registrations/{reg_id}/score", {"theory": "60", "skill": "70"})
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["passed"]) == ("pending", None)
    assert Score.objects.count() == 0
    second = login(staff.users[staff.examiners[1].pk])
    r = _post(second, f"/api/v1/assessment-registrations/{reg_id}/score", {"theory": "60", "skill": "70"})
    assert (r.json()["state"], r.json()["passed"]) == ("agreed", True)
    assert Score.objects.count() == 1
    for user in (staff.users[e.pk] for e in staff.examiners[:2]):
        client = login(user)
        for cand, marks in zip(detail["candidates"][1:], [("40", "90"), ("75", "61")], strict=True):
            r = _post(
                client,
                f"/api/v1/assessment-registrations/{cand['registration_id']}/score",
                {"theory": marks[0], "skill": marks[1]},
            )
            assert r.status_code == 200
    c = login(world.user("school"))
    r = _post(c, f"/api/v1/assessment-sessions/{session_id}/confirm", {})
    assert r.status_code == 200
    assert r.json()["status"] == "confirmed"
    r = _post(c, f"/api/v1/assessment-sessions/{session_id}/publicise", {"on_date": "2023-06-05"})
    assert r.json()["status"] == "publicised"
    r = _post(c, f"/api/v1/assessment-sessions/{session_id}/issue", {"on_date": "2023-06-12"})
    assert r.json()["code"] == "publicity_running"
    r = _post(c, f"/api/v1/assessment-sessions/{session_id}/issue", {"on_date": "2023-06-14"})
    assert r.status_code == 200
    assert r.json()["issued"] == 2
    assert all(len(n) == 22 for n in r.json()["numbers"])
    other = login(world.user("other_school"))
    assert other.get(f"/api/v1/assessment-sessions/{session_id}").status_code == 404

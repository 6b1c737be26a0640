"""R7 pages and API: a competition with rules, entries and results walked to issued certificates; errors shown
with the row and the rule, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from chizheng.certification.models import Certificate

from ..models import Competition, CompetitionEntry, RecognitionBatch
from . import factories as f
from . import r07_factories as r7

pytestmark = pytest.mark.django_db


def _form(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "数控车工技能竞赛",
        "occupation": "6-18-01-01",
        "trade": "",
        "held_on": "2024-05-10",
        "audience": "students",
        "basis": "rank",
        "bands-TOTAL_FORMS": "6",
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "6",
        "bands-MAX_NUM_FORMS": "20",
    }
    for i in range(6):
        data.update({f"bands-{i}-low": "", f"bands-{i}-high": "", f"bands-{i}-level": ""})
    data.update(over)
    return data


def test_r07_pages_walk_a_competition_to_issued_certificates(world, login) -> None:
    inst = f.institution(world)
    a, b = f.students(world, 2)
    c = login(world.user("school"))
    assert c.get(reverse("pathways:competition_create")).status_code == 200
    # overlapping rules: both rows named, nothing saved
    bad = _form(**{"bands-0-low": "1", "bands-0-high": "3", "bands-0-level": "3"})
    bad.update({"bands-1-low": "3", "bands-1-high": "6", "bands-1-level": "4"})
    r = c.post(reverse("pathways:competition_create"), bad)
    assert r.status_code == 200
    page = r.content.decode()
    assert "第 1 条与第 2 条规则的名次范围重叠" in page
    assert page.count("table-danger") >= 2
    assert not Competition.objects.exists()
    # a half-filled row
    r = c.post(reverse("pathways:competition_create"), _form(**{"bands-0-low": "1", "bands-0-level": "3"}))
    assert "请把范围" in r.content.decode()
    good = _form(**{"bands-0-low": "1", "bands-0-high": "3", "bands-0-level": "3"})
    r = c.post(reverse("pathways:competition_create"), good)
    assert r.status_code == 302, r.content.decode()[:3000]
    comp = Competition.objects.get()
    detail = reverse("pathways:competition_detail", args=[comp.pk])
    assert r["Location"] == detail
    # register two students, record their results
    for p in (a, b):
        r = c.post(reverse("pathways:competition_entry_create", args=[comp.pk]), {"id_number": p.id_number})
        assert r.status_code == 302
    r = c.post(reverse("pathways:competition_entry_create", args=[comp.pk]), {"id_number": a.id_number})
    assert "已报名" in r.content.decode()
    ea, eb = CompetitionEntry.objects.order_by("id")
    assert c.post(reverse("pathways:competition_entry_result", args=[ea.pk]), {"rank": "2"}).status_code == 302
    r = c.post(reverse("pathways:competition_entry_result", args=[eb.pk]), {"rank": "2"})
    assert "第 2 名已是" in r.content.decode()
    assert c.post(reverse("pathways:competition_entry_result", args=[eb.pk]), {"rank": "8"}).status_code == 302
    page = c.get(detail).content.decode()
    assert "第 1–3 名 → 三级/高级工" in page
    assert a.masked_id_number in page
    assert a.id_number not in page
    sheet = c.get(reverse("pathways:competition_results_sheet", args=[comp.pk]))
    assert sheet.status_code == 200
    assert "attachment" in sheet["Content-Disposition"]
    # the batch through the existing batch pages
    r = c.post(
        reverse("pathways:batch_create", args=["competition"]),
        {"institution": inst.pk, "title": "竞赛取证", "competition": comp.pk, "publicity_days": 7},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = RecognitionBatch.objects.get()
    page = c.post(reverse("pathways:batch_preview", args=[batch.pk]), follow=True).content.decode()
    assert "符合条件（1 人）" in page
    assert "第 8 名不在任何认定规则内" in page
    assert "第 1–3 名 → 三级/高级工" in page  # the evidence on the preview
    assert c.post(reverse("pathways:batch_confirm", args=[batch.pk]), {"on_date": "2024-06-03"}).status_code == 302
    r = c.post(reverse("pathways:batch_issue", args=[batch.pk]), {"on_date": "2024-06-11"}, follow=True)
    assert "已发证" in r.content.decode()
    cert = Certificate.objects.get(pathway="competition")
    assert (cert.status, cert.person, cert.evidence["rank"]) == ("issued", a, 2)
    page = c.get(reverse("certification:certificate_detail", args=[cert.pk])).content.decode()
    assert "数控车工技能竞赛" in page
    # the rules are fixed now: editing answers a message, not a 500
    r = c.post(reverse("pathways:competition_edit", args=[comp.pk]), _form(**{
        "bands-0-low": "1", "bands-0-high": "5", "bands-0-level": "3",
    }))  # fmt: skip
    assert "已有确认发证的认定批次" in r.content.decode()
    r = c.post(reverse("pathways:competition_delete", args=[comp.pk]), follow=True)
    assert "不能删除" in r.content.decode()
    r = c.post(reverse("pathways:competition_entry_delete", args=[ea.pk]), follow=True)
    assert "不能删除" in r.content.decode()


def test_r07_other_school_and_county(world, login) -> None:
    comp = r7.competition(world)
    (a,) = f.students(world, 1)
    entry = r7.enter(world, comp, a, rank=1)
    other = login(world.user("other_school"))
    for url in (
        reverse("pathways:competition_detail", args=[comp.pk]),
        reverse("pathways:competition_edit", args=[comp.pk]),
        reverse("pathways:competition_entry_result", args=[entry.pk]),
    ):
        assert other.get(url).status_code == 404
    assert comp.name not in other.get(reverse("pathways:competition_list")).content.decode()
    assert comp.name in login(world.user("school")).get(reverse("pathways:competition_list")).content.decode()
    county = login(world.user("county"))
    assert county.get(reverse("pathways:competition_detail", args=[comp.pk])).status_code == 200
    assert county.get(reverse("pathways:competition_edit", args=[comp.pk])).status_code == 403


def test_r07_lists_stay_within_a_fixed_number_of_queries(world, login, django_assert_max_num_queries) -> None:
    comp = r7.competition(world)
    for i, p in enumerate(f.students(world, 12), start=1):
        r7.enter(world, comp, p, rank=i)
    r7.competition(world, name="第二场")
    c = login(world.user("school"))
    with django_assert_max_num_queries(12):
        assert c.get(reverse("pathways:competition_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(reverse("pathways:competition_detail", args=[comp.pk])).status_code == 200


def _send(client, method: str, url: str, body: object):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_r07_api_competition_entries_results_and_batch(world, login) -> None:
    f.institution(world)
    (a,) = f.students(world, 1)
    (t,) = r7.teachers(world, 1)
    c = login(world.user("school"))
    body: dict[str, Any] = {
        "name": "API 竞赛",
        "occupation_code": "6-18-01-01",
        "held_on": "2024-05-10",
        "audience": "both",
        "basis": "score",
        "bands": [{"low": "90", "high": "100", "level": 3}, {"low": "80", "high": "95", "level": 4}],
    }
    r = _send(c, "post", "/api/v1/competitions", body)
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["extra"]["rows"]) == ("bands_overlap", [1, 2])
    body["bands"][1]["high"] = "89.9"
    r = _send(c, "post", "/api/v1/competitions", body)
    assert r.status_code == 201, r.content
    comp_id = r.json()["id"]
    assert r.json()["band_labels"] == ["90–100 分 → 三级/高级工", "80–89.9 分 → 四级/中级工"]
    r = _send(c, "post", f"/api/v1/competitions/{comp_id}/entries", {"id_number": a.id_number})
    assert r.status_code == 201, r.content
    entry_id = r.json()["id"]
    r = _send(c, "post", f"/api/v1/competitions/{comp_id}/entries", {"id_number": t.id_number})
    assert r.json()["participant"] == "teacher"
    r = _send(c, "put", f"/api/v1/competition-entries/{entry_id}/result", {"score": "100.5"})
    assert (r.status_code, r.json()["code"]) == (400, "bad_score")
    r = _send(c, "put", f"/api/v1/competition-entries/{entry_id}/result", {"score": "91"})
    assert r.status_code == 200
    listed = c.get(f"/api/v1/competitions/{comp_id}/entries").json()
    assert listed["count"] == 2
    assert listed["items"][0]["masked_id_number"] == a.masked_id_number
    r = _send(
        c, "post", "/api/v1/recognition-batches", {"pathway": "competition", "title": "API", "competition_id": comp_id}
    )
    assert r.status_code == 201, r.content
    r = _send(c, "post", f"/api/v1/recognition-batches/{r.json()['id']}/preview", {"on_date": "2024-06-01"})
    outcomes = {x["name"]: (x["outcome"], x["level"], x["reason_code"]) for x in r.json()["candidates"]}
    assert outcomes == {a.name: ("qualifies", 3, ""), t.name: ("refused", None, "no_result")}
    body["name"] = "API 竞赛（改）"
    r = _send(c, "put", f"/api/v1/competitions/{comp_id}", body)
    assert r.json()["name"] == "API 竞赛（改）"
    assert c.get(f"/api/v1/competitions/{comp_id}").json()["basis"] == "score"
    r = c.delete(f"/api/v1/competitions/{comp_id}")
    assert r.json()["code"] == "competition_in_batch"
    other = login(world.user("other_school"))
    assert other.get(f"/api/v1/competitions/{comp_id}").status_code == 404
    assert other.get("/api/v1/competitions").json()["count"] == 0


def test_r07_competition_page_links_to_a_batch_form_with_the_competition_chosen(world, login) -> None:
    f.institution(world)
    c = login(world.user("school"))
    assert (
        c.post(
            reverse("pathways:competition_create"),
            _form(**{"bands-0-low": "1", "bands-0-high": "3", "bands-0-level": "3"}),
        ).status_code
        == 302
    )
    comp = Competition.objects.get()
    link = reverse("pathways:batch_create", args=["competition"]) + f"?competition={comp.pk}"
    assert link in c.get(reverse("pathways:competition_detail", args=[comp.pk])).content.decode()
    page = c.get(link).content.decode()
    assert f'<option value="{comp.pk}" selected>' in page

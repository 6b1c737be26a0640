"""R5 pages and API: a batch walked from creation to issued certificates; errors shown, never a 500."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from chizheng.certification.models import Certificate

from ..models import RecognitionBatch, XCertMapping
from . import factories as f

pytestmark = pytest.mark.django_db


def test_r05_pages_walk_a_batch_to_issued_certificates(world, login) -> None:
    inst = f.institution(world)
    f.mapping(world)
    a, b = f.students(world, 2)
    f.xcert(world, a, "senior")
    f.xcert(world, b, "junior", name="云计算平台运维与开发")
    c = login(world.user("school"))
    r = c.post(
        reverse("pathways:batch_create", args=["direct"]),
        {"institution": inst.pk, "title": "1+X 直接认定", "occupation": "", "level": "", "publicity_days": 7},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = RecognitionBatch.objects.get()
    detail = reverse("pathways:batch_detail", args=[batch.pk])
    assert r["Location"] == detail
    assert "尚未预览" in c.get(detail).content.decode()
    page = c.post(reverse("pathways:batch_preview", args=[batch.pk]), follow=True).content.decode()
    assert "符合条件（1 人）" in page
    assert "不符合（1 人）" in page
    assert "云计算平台运维与开发" in page  # the reason names the certificate without a mapping
    assert a.masked_id_number in page
    assert a.id_number not in page
    r = c.post(reverse("pathways:batch_confirm", args=[batch.pk]), {"on_date": "2024-06-03"})
    assert r.status_code == 302
    cert = Certificate.objects.get()
    assert (cert.status, cert.person, cert.pathway) == ("publicised", a, "direct")
    # too early: a clear message on the form, nothing issued
    r = c.post(reverse("pathways:batch_issue", args=[batch.pk]), {"on_date": "2024-06-05"})
    assert r.status_code == 200
    assert "公示期至 2024-06-10 结束" in r.content.decode()
    r = c.post(reverse("pathways:batch_issue", args=[batch.pk]), {"on_date": "2024-06-11"}, follow=True)
    assert "已发证" in r.content.decode()
    cert.refresh_from_db()
    assert cert.status == "issued"
    # a confirmed batch cannot be previewed again: a message, not a 500
    page = c.post(reverse("pathways:batch_preview", args=[batch.pk]), follow=True).content.decode()
    assert "不会重复发证" in page


def test_r05_batch_form_refuses_an_unknown_occupation(world, login) -> None:
    inst = f.institution(world)
    c = login(world.user("school"))
    r = c.post(
        reverse("pathways:batch_create", args=["direct"]),
        {"institution": inst.pk, "title": "x", "occupation": "9-99-99-99", "level": "", "publicity_days": 7},
    )
    assert r.status_code == 200
    assert "不在职业目录中" in r.content.decode()
    assert c.get(reverse("pathways:batch_create", args=["exam"])).status_code == 404


def test_r05_city_maintains_the_mapping_through_the_pages(world, login) -> None:
    c = login(world.user("city"))
    data = {"certificate_name": "数控车铣加工", "organisation": "", "occupation": "6-18-01-01", "trade": "", "note": ""}
    assert c.post(reverse("pathways:mapping_create"), data).status_code == 302
    r = c.post(reverse("pathways:mapping_create"), data)
    assert "已有职业对应" in r.content.decode()
    mapping = XCertMapping.objects.get()
    r = c.post(reverse("pathways:mapping_edit", args=[mapping.pk]), {**data, "occupation": "6-18-01-02"})
    assert r.status_code == 302
    mapping.refresh_from_db()
    assert mapping.occupation.code == "6-18-01-02"
    page = c.get(reverse("pathways:mapping_list")).content.decode()
    assert "数控车铣加工" in page
    assert "铣工" in page


def test_r05_lists_stay_within_a_fixed_number_of_queries(world, login, django_assert_max_num_queries) -> None:
    inst = f.institution(world)
    f.mapping(world)
    for p in f.students(world, 12):
        f.xcert(world, p, "senior")
    f.previewed(world, inst)
    c = login(world.user("school"))
    for name in ("pathways:x_list", "pathways:batch_list", "pathways:mapping_list"):
        with django_assert_max_num_queries(12):
            assert c.get(reverse(name)).status_code == 200
    batch = RecognitionBatch.objects.get()
    with django_assert_max_num_queries(14):
        assert c.get(reverse("pathways:batch_detail", args=[batch.pk])).status_code == 200


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_r05_api_batch_flow(world, login) -> None:
    f.institution(world)
    city = login(world.user("city"))
    r = _post(city, "/api/v1/x-mappings", {"certificate_name": "工业机器人应用编程", "occupation_code": "6-18-01-01"})
    assert r.status_code == 201, r.content
    (person,) = f.students(world, 1)
    f.xcert(world, person, "intermediate")
    c = login(world.user("school"))
    r = _post(c, "/api/v1/recognition-batches", {"pathway": "direct", "title": "API 批次"})
    assert r.status_code == 201, r.content
    batch_id = r.json()["id"]
    r = _post(c, f"/api/v1/recognition-batches/{batch_id}/confirm", {"on_date": "2024-06-03"})
    assert r.json()["code"] == "not_previewed"
    r = _post(c, f"/api/v1/recognition-batches/{batch_id}/preview", {"on_date": "2024-06-01"})
    assert r.status_code == 200, r.content
    (candidate,) = r.json()["candidates"]
    assert (candidate["outcome"], candidate["level"], candidate["evidence_type"]) == ("qualifies", 3, "one_x")
    r = _post(c, f"/api/v1/recognition-batches/{batch_id}/confirm", {"on_date": "2024-06-03"})
    assert r.status_code == 200
    assert r.json()["certificate_count"] == 1
    r = _post(c, f"/api/v1/recognition-batches/{batch_id}/issue", {"on_date": "2024-06-11"})
    assert r.status_code == 200
    assert (r.json()["issued"], r.json()["batch"]["status"]) == (1, "issued")
    listed = c.get("/api/v1/x-certificates").json()
    assert listed["count"] == 1
    assert listed["items"][0]["masked_id_number"] == person.masked_id_number
    assert c.get("/api/v1/recognition-batches?pathway=direct").json()["count"] == 1

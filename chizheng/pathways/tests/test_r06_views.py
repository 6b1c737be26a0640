"""R6 pages and API: mappings maintained by the school, course results listed, a process batch walked through the
shared batch pages to issued certificates whose course evidence shows; errors shown, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chizheng.certification.models import Certificate

from ..models import CourseCertMapping, RecognitionBatch
from . import factories as f
from . import r06_factories as r6

pytestmark = pytest.mark.django_db

FORM = {
    "name": "数控车工课证融通",
    "occupation": "6-18-01-01",
    "trade": "",
    "major": "",
    "courses": "JD101 机械制图\nJD102 数控编程\n\nJD103 机床操作实训",
}


def test_r06_school_maintains_a_mapping_through_the_pages(world, login) -> None:
    c = login(world.user("school"))
    r = c.post(reverse("pathways:course_mapping_create"), FORM)
    assert r.status_code == 302, r.content.decode()[:2000]
    mapping = CourseCertMapping.objects.get()
    assert r["Location"] == reverse("pathways:course_mapping_detail", args=[mapping.pk])
    assert list(mapping.courses.values_list("code", flat=True)) == ["JD101", "JD102", "JD103"]
    page = c.get(r["Location"]).content.decode()
    assert "机床操作实训" in page
    assert "本科/专科 → 高级工，中职 → 中级工" in page
    r = c.post(reverse("pathways:course_mapping_create"), FORM)  # the same name again: a form error
    assert r.status_code == 200
    assert "本校已有名为“数控车工课证融通”的课证融通方案" in r.content.decode()
    r = c.post(reverse("pathways:course_mapping_create"), {**FORM, "name": "重复课程", "courses": "A1 甲\nA1 乙"})
    assert "与第 1 门重复" in r.content.decode()
    edit = reverse("pathways:course_mapping_edit", args=[mapping.pk])
    assert "JD102 数控编程" in c.get(edit).content.decode()
    r = c.post(edit, {**FORM, "major": "数控技术应用", "courses": "JD101 机械制图"})
    assert r.status_code == 302
    mapping.refresh_from_db()
    assert (mapping.major, mapping.courses.count()) == ("数控技术应用", 1)
    r = c.post(reverse("pathways:course_mapping_toggle", args=[mapping.pk]), follow=True)
    assert "已停用方案" in r.content.decode()
    mapping.refresh_from_db()
    assert not mapping.active
    listing = c.get(reverse("pathways:course_mapping_list") + "?active=0").content.decode()
    assert "数控车工课证融通" in listing
    assert "已停用" in listing
    # another school's admin does not see it; the county does, read-only
    assert login(world.user("other_school")).get(edit).status_code == 404
    assert (
        "数控车工课证融通" in login(world.user("county")).get(reverse("pathways:course_mapping_list")).content.decode()
    )


def test_r06_course_results_list_filters_and_exports(world, login) -> None:
    r6.course_mapping(world)
    a, b = f.students(world, 2)
    r6.result(a, "JD101")
    r6.result(b, "JD101", practical=False)
    c = login(world.user("school"))
    page = c.get(reverse("pathways:course_result_list")).content.decode()
    assert a.masked_id_number in page
    assert a.id_number not in page
    assert "48.0 不合格" in page
    failed = c.get(reverse("pathways:course_result_list") + "?practical=0").content.decode()
    assert b.masked_id_number in failed
    assert a.masked_id_number not in failed
    export = c.get(reverse("pathways:course_result_list") + "?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    other = login(world.user("other_school")).get(reverse("pathways:course_result_list")).content.decode()
    assert b.masked_id_number not in other  # another school's admin sees none of them


def test_r06_pages_walk_a_process_batch_to_issued_certificates_with_course_evidence(world, login) -> None:
    inst = f.institution(world)
    mapping = r6.course_mapping(world)
    a, failed = f.students(world, 2)
    r6.passed_all(a)
    r6.result(failed, "JD101")
    r6.result(failed, "JD102", practical=False)
    r6.result(failed, "JD103")
    c = login(world.user("school"))
    form = c.get(reverse("pathways:batch_create", args=["process"])).content.decode()
    assert "数控车工课证融通" in form
    r = c.post(
        reverse("pathways:batch_create", args=["process"]),
        {"institution": inst.pk, "title": "2024 届课证融通", "course_mapping": mapping.pk, "publicity_days": 7},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = RecognitionBatch.objects.get()
    page = c.post(reverse("pathways:batch_preview", args=[batch.pk]), follow=True).content.decode()
    assert "符合条件（1 人）" in page
    assert "课程实践未通过" in page
    assert "JD102 数控编程 实践考核未通过（48 分）" in page
    assert "课程成绩（3 门）" in page  # the qualifying row's course evidence
    r = c.post(reverse("pathways:batch_confirm", args=[batch.pk]), {"on_date": "2024-06-03"})
    assert r.status_code == 302
    r = c.post(reverse("pathways:batch_issue", args=[batch.pk]), {"on_date": "2024-06-11"}, follow=True)
    assert "已发证" in r.content.decode()
    cert = Certificate.objects.get()
    assert (cert.person, cert.status, cert.pathway, cert.evidence_type) == (a, "issued", "process", "course_results")
    page = c.get(reverse("certification:certificate_detail", args=[cert.pk])).content.decode()
    assert "course-evidence" in page
    assert "JD103 机床操作实训" in page
    assert "[{" not in page  # the course list is a table, not a Python repr
    detail = c.get(reverse("pathways:course_mapping_detail", args=[mapping.pk])).content.decode()
    assert "2024 届课证融通" in detail


def test_r06_process_batch_form_offers_only_active_mappings_of_the_school(world, login) -> None:
    f.institution(world)
    r6.course_mapping(world, name="启用的方案")
    stopped = r6.course_mapping(world, name="停用的方案")
    stopped.active = False
    stopped.save()
    page = login(world.user("school")).get(reverse("pathways:batch_create", args=["process"])).content.decode()
    assert "启用的方案" in page
    assert "停用的方案" not in page


def test_r06_lists_stay_within_a_fixed_number_of_queries(world, login, django_assert_max_num_queries) -> None:
    for i in range(6):
        r6.course_mapping(world, name=f"方案{i}")
    for p in f.students(world, 12):
        r6.passed_all(p)
    c = login(world.user("school"))
    for name in ("pathways:course_mapping_list", "pathways:course_result_list"):
        with django_assert_max_num_queries(12):
            assert c.get(reverse(name)).status_code == 200


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_r06_api_mappings_results_import_and_a_batch(world, login, tmp_path) -> None:
    f.institution(world)
    c = login(world.user("school"))
    body = {"name": "API 方案", "occupation_code": "6-18-01-01", "courses": [{"code": "JD101", "name": "机械制图"}]}
    r = _post(c, "/api/v1/course-mappings", body)
    assert r.status_code == 201, r.content
    mapping_id = r.json()["id"]
    assert r.json()["courses"] == [{"code": "JD101", "name": "机械制图"}]
    r = _post(c, "/api/v1/course-mappings", {**body, "name": "空方案", "courses": []})
    assert (r.status_code, r.json()["code"]) == (400, "no_courses")
    r = _post(
        c,
        f"/api/v1/course-mappings/{mapping_id}",
        {**body, "courses": [{"code": "JD101", "name": "机械制图"}, {"code": "JD102", "name": "数控编程"}]},
        "put",
    )
    assert r.status_code == 200, r.content
    assert len(r.json()["courses"]) == 2
    assert c.get("/api/v1/course-mappings").json()["count"] == 1
    (person,) = f.students(world, 1)
    sheet = (
        "身份证号,姓名,课程代码,课程名称,理论成绩,理论合格,实践成绩,实践合格,学期,学年\n"
        f"{person.id_number},,JD101,,80,,70,,2023-2024-2,2024\n"
        f"{person.id_number},,JD102,,80,,70,,2023-2024-2,2024\n"
    ).encode()
    r = c.post("/api/v1/imports/course_results", {"file": SimpleUploadedFile("成绩.csv", sheet, "text/csv")})
    assert r.status_code == 201, r.content
    listed = c.get("/api/v1/course-results?course_code=JD102").json()
    assert listed["count"] == 1
    assert listed["items"][0]["masked_id_number"] == person.masked_id_number
    r = _post(
        c, "/api/v1/recognition-batches", {"pathway": "process", "title": "API 过程化", "course_mapping_id": mapping_id}
    )
    assert r.status_code == 201, r.content
    batch_id = r.json()["id"]
    r = _post(c, f"/api/v1/recognition-batches/{batch_id}/preview", {"on_date": "2024-06-01"})
    (candidate,) = r.json()["candidates"]
    assert (candidate["outcome"], candidate["level"], candidate["evidence_type"]) == ("qualifies", 3, "course_results")
    assert [x["code"] for x in candidate["evidence"]["courses"]] == ["JD101", "JD102"]
    assert c.delete(f"/api/v1/course-mappings/{mapping_id}").status_code == 204
    assert c.get(f"/api/v1/course-mappings/{mapping_id}").json()["active"] is False
    assert login(world.user("other_school")).get(f"/api/v1/course-mappings/{mapping_id}").status_code == 404

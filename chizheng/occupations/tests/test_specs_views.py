"""R3 through the pages and the API: the same rules, scope (404) and error shape."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from chizheng.core.choices import Role
from chizheng.core.models import AuditEvent, User
from chizheng.occupations.choices import SpecStatus
from chizheng.occupations.models import EvaluationSpec, Occupation

TODAY = timezone.localdate().isoformat()
FORM = {
    "occupation": "4-04-05-05",
    "title": "人工智能训练师评价规范",
    "levels": ["5", "4", "3"],
    "theory_weight": "30",
    "skill_weight": "70",
    "candidates_per_invigilator": "15",
    "candidates_per_examiner": "5",
    "content": "适用范围……",
}


@pytest.fixture
def experts(db):
    return [User.objects.create(username=f"expert_{i}", role=Role.EXPERT, display_name=f"专家{i}") for i in range(2, 8)]


def _create_page(client):
    response = client.post(reverse("occupations:spec_create"), FORM)
    assert response.status_code == 302, response.content.decode()
    return EvaluationSpec.objects.get()


def test_r03_page_workflow_five_reviews_submission_filing(world, experts, client):
    client.force_login(world.user("school"))
    spec = _create_page(client)
    for expert in experts[:5]:
        response = client.post(
            reverse("occupations:spec_invite", args=[spec.pk]), {"expert": expert.pk, "affiliation": "焦作大学"}
        )
        assert response.status_code == 302
    for n, expert in enumerate(experts[:5], start=1):
        client.force_login(expert)
        response = client.post(
            reverse("occupations:spec_opinion", args=[spec.pk]), {"verdict": "approve", "given_on": TODAY}
        )
        assert response.status_code == 302
        if n == 4:
            client.force_login(world.user("school"))
            response = client.post(reverse("occupations:spec_submit", args=[spec.pk]), follow=True)
            assert "目前只有 4 位同意" in response.content.decode()
            spec.refresh_from_db()
            assert spec.status == SpecStatus.UNDER_REVIEW
    client.force_login(world.user("school"))
    client.post(reverse("occupations:spec_submit", args=[spec.pk]))
    client.force_login(world.user("hrss"))
    detail = client.get(reverse("occupations:spec_detail", args=[spec.pk])).content.decode()
    assert "登记备案" in detail
    response = client.post(
        reverse("occupations:spec_file", args=[spec.pk]), {"filing_number": "豫人社评规〔2022〕9号", "filed_on": TODAY}
    )
    assert response.status_code == 302
    spec.refresh_from_db()
    assert spec.status == SpecStatus.FILED
    assert spec.filing_number == "豫人社评规〔2022〕9号"


def test_r03_sixth_opinion_from_the_same_expert_is_refused_on_the_page(world, experts, client):
    client.force_login(world.user("school"))
    spec = _create_page(client)
    client.post(reverse("occupations:spec_invite", args=[spec.pk]), {"expert": experts[0].pk})
    client.force_login(experts[0])
    url = reverse("occupations:spec_opinion", args=[spec.pk])
    assert client.post(url, {"verdict": "approve", "given_on": TODAY}).status_code == 302
    response = client.post(url, {"verdict": "reject", "comments": "改主意", "given_on": TODAY})
    assert response.status_code == 200
    assert "只能提交一次" in response.content.decode()
    assert spec.opinions.count() == 1


def test_r03_occupation_with_a_standard_is_refused_on_the_page(world, client):
    Occupation.objects.filter(code="6-18-01-01").update(
        has_national_standard=True, standard_number="6-18-01-01", standard_levels=[5, 4]
    )
    client.force_login(world.user("school"))
    response = client.post(reverse("occupations:spec_create"), {**FORM, "occupation": "6-18-01-01"})
    assert response.status_code == 200
    assert "已有国家职业技能标准" in response.content.decode()
    assert not EvaluationSpec.objects.exists()


def test_r03_expert_sees_only_invited_specs_on_pages(world, experts, client):
    client.force_login(world.user("school"))
    spec = _create_page(client)
    client.post(reverse("occupations:spec_invite", args=[spec.pk]), {"expert": experts[0].pk})
    client.force_login(experts[1])
    assert client.get(reverse("occupations:spec_detail", args=[spec.pk])).status_code == 404
    assert spec.title not in client.get(reverse("occupations:spec_list")).content.decode()
    client.force_login(experts[0])
    assert client.get(reverse("occupations:spec_detail", args=[spec.pk])).status_code == 200
    assert spec.title in client.get(reverse("occupations:spec_list")).content.decode()


def test_spec_list_exports_xlsx_and_audits(world, client):
    client.force_login(world.user("school"))
    _create_page(client)
    response = client.get(reverse("occupations:spec_list") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="评价规范").exists()


def _api(client, method, path, body=None):
    if method == "get":
        response = client.get(f"/api/v1{path}")
    else:
        response = client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json")
    return response.status_code, response.json() if response["Content-Type"].startswith("application/json") else None


def test_r03_api_workflow_and_error_shape(world, experts, client):
    client.force_login(world.user("school"))
    status, body = _api(
        client,
        "post",
        "/specs",
        {
            "occupation_code": "4-04-05-05",
            "title": "人工智能训练师评价规范",
            "levels": [5, 4, 3],
            "theory_weight": "30",
            "skill_weight": "70",
            "candidates_per_invigilator": 15,
            "candidates_per_examiner": 5,
        },
    )
    assert status == 201, body
    spec_id = body["id"]
    for expert in experts[:4]:
        assert _api(client, "post", f"/specs/{spec_id}/invitations", {"expert_id": expert.pk})[0] == 201
    for expert in experts[:4]:
        client.force_login(expert)
        assert _api(client, "post", f"/specs/{spec_id}/opinions", {"verdict": "approve"})[0] == 201
    status, body = _api(client, "post", f"/specs/{spec_id}/opinions", {"verdict": "approve"})
    assert (status, body["code"]) == (400, "opinion_exists")
    client.force_login(world.user("school"))
    status, body = _api(client, "post", f"/specs/{spec_id}/submit")
    assert (status, body["code"], body["extra"]["approvals"]) == (400, "not_enough_approvals", 4)
    _api(client, "post", f"/specs/{spec_id}/invitations", {"expert_id": experts[4].pk})
    client.force_login(experts[4])
    _api(client, "post", f"/specs/{spec_id}/opinions", {"verdict": "approve_with_changes", "comments": "细化"})
    client.force_login(world.user("school"))
    status, body = _api(client, "post", f"/specs/{spec_id}/submit")
    assert (status, body["status"], body["approvals"]) == (200, "submitted", 5)
    client.force_login(world.user("hrss"))
    status, body = _api(client, "post", f"/specs/{spec_id}/filing", {"filing_number": "X-9", "filed_on": TODAY})
    assert (status, body["status"], body["filing_number"]) == (200, "filed", "X-9")
    client.force_login(experts[5])
    assert _api(client, "get", f"/specs/{spec_id}")[0] == 404
    status, body = _api(client, "get", "/specs")
    assert (status, body["count"]) == (200, 0)


def test_spec_attachment_upload_download_and_type_check(world, experts, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.user("school"))
    bad = SimpleUploadedFile("规范.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("occupations:spec_create"), {**FORM, "attachment": bad})
    assert response.status_code == 200
    assert "类型不支持" in response.content.decode()
    assert not EvaluationSpec.objects.exists()
    pdf = SimpleUploadedFile("规范.pdf", b"%PDF-1.4 spec", content_type="application/pdf")
    assert client.post(reverse("occupations:spec_create"), {**FORM, "attachment": pdf}).status_code == 302
    spec = EvaluationSpec.objects.get()
    response = client.get(reverse("occupations:spec_attachment", args=[spec.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 spec"
    client.force_login(experts[0])  # not invited
    assert client.get(reverse("occupations:spec_attachment", args=[spec.pk])).status_code == 404

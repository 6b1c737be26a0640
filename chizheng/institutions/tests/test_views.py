"""Pages: filing → HRSS approval → public catalog through the web client; exports; bad uploads; the demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chizheng.core.models import AuditEvent

from ..models import EvaluationInstitution, InstitutionAttachment
from .factories import file_institution, give_standard

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_r02_filing_approval_and_catalog_through_the_pages(world):
    give_standard()
    school = _client(world.user("school"))
    response = school.post(
        reverse("institutions:institution_create"),
        {
            "school": world.school.pk,
            "kind": "college",
            "name": "焦作市职业技术学校评价中心",
            "code": "0042",
            "contact": "王老师",
            "phone": "0391-1",
        },
    )
    inst = EvaluationInstitution.objects.get(code="0042")
    assert response.status_code == 302
    add = reverse("institutions:scope_add", args=[inst.pk])
    bad = school.post(add, {"occupation": "6-18-01-01", "highest_level": "1", "added_on": "2022-02-01"})
    assert "没有设置 1 级" in bad.content.decode()
    school.post(add, {"occupation": "6-18-01-01", "highest_level": "3", "added_on": "2022-02-01"})
    pdf = SimpleUploadedFile("备案表.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    school.post(reverse("institutions:attachment_add", args=[inst.pk]), {"title": "备案表", "file": pdf})
    fake = SimpleUploadedFile("场地.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = school.post(reverse("institutions:attachment_add", args=[inst.pk]), {"file": fake})
    assert "不是 PDF" in refused.content.decode()
    assert InstitutionAttachment.objects.filter(institution=inst).count() == 1
    school.post(reverse("institutions:institution_submit", args=[inst.pk]))

    hrss = _client(world.user("hrss"))
    assert "焦作市职业技术学校评价中心" in hrss.get(reverse("institutions:review_queue")).content.decode()
    hrss.post(
        reverse("institutions:institution_approve", args=[inst.pk]),
        {"filing_number": "焦人社评备〔2022〕42号", "filed_on": "2022-03-01"},
    )
    inst.refresh_from_db()
    assert inst.status == "filed"
    detail = hrss.get(reverse("institutions:institution_detail", args=[inst.pk])).content.decode()
    assert "备案通过" in detail
    assert "焦人社评备〔2022〕42号" in detail

    anonymous = Client()
    page = anonymous.get(reverse("catalog"), {"q": "车工"}).content.decode()
    assert "焦人社评备〔2022〕42号" in page
    assert "最高三级/高级工" in page
    assert "焦人社评备" not in anonymous.get(reverse("catalog"), {"q": "不存在的职业"}).content.decode()


def test_r02_catalog_export_is_public_and_audited(world):
    file_institution(world.user("school"), world.user("hrss"))
    response = Client().get(reverse("catalog"), {"export": "xlsx"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("机构名称", "机构类型", "院校", "县区")
    assert rows[1][6] == "豫焦人社评备〔2022〕1号"
    assert AuditEvent.objects.filter(action="export", object_type="评价机构目录").exists()


def test_r02_a_draft_is_not_in_the_public_catalog(world):
    give_standard()
    _client(world.user("school")).post(
        reverse("institutions:institution_create"),
        {
            "school": world.school.pk,
            "kind": "college",
            "name": "草稿中心",
            "code": "0043",
            "contact": "王",
            "phone": "1",
        },
    )
    assert "草稿中心" not in Client().get(reverse("catalog")).content.decode()


def test_r02_suspending_a_revoked_institution_on_the_page_shows_the_reason(world):
    hrss_user = world.user("hrss")
    inst = file_institution(world.user("school"), hrss_user)
    hrss = _client(hrss_user)
    hrss.post(reverse("institutions:institution_revoke", args=[inst.pk]), {"on_date": "2023-01-01", "reason": "违规"})
    page = hrss.post(
        reverse("institutions:institution_suspend", args=[inst.pk]), {"from_date": "2023-02-01", "reason": "x"}
    )
    assert page.status_code == 200
    assert "已撤销备案，不能再暂停" in page.content.decode()


def test_r01_home_shows_filed_institutions_against_the_line(world):
    file_institution(world.user("school"), world.user("hrss"))
    page = _client(world.user("city")).get(reverse("home")).content.decode()
    assert 'data-stat="filed_institutions">1' in page
    assert "未达标" in page


def test_api_gate_answers_the_reason(world):
    inst = file_institution(world.user("school"), world.user("hrss"))
    client = _client(world.user("county"))
    url = f"/api/v1/institutions/{inst.pk}/may-assess/6-18-01-01/2"
    assert client.get(url, {"on": "2022-04-01"}).json() == {
        "allowed": False,
        "code": "level_above_scope",
        "message": "焦作市职业技术学校职业技能等级评价中心 对职业“6-18-01-01 车工”的评价范围最高到 3 级，"
        "不能评价 2 级。",
    }
    ok = client.get(f"/api/v1/institutions/{inst.pk}/may-assess/6-18-01-01/4", {"on": "2022-04-01"}).json()
    assert ok["allowed"] is True
    public = Client().get("/api/v1/catalog").json()
    assert public["count"] == 1
    assert public["items"][0]["scopes"][0]["highest_level"] == 3


def test_r02_demo_builds_filed_pending_suspended_and_revoked_institutions(db):
    class _Null(io.StringIO):
        pass

    call_command("demo", size="small", stdout=_Null())
    statuses = list(EvaluationInstitution.objects.values_list("status", flat=True))
    assert statuses.count("filed") >= 11
    assert statuses.count("suspended") == 1
    assert statuses.count("revoked") == 1
    assert statuses.count("submitted") >= 1
    from chizheng.institutions.selectors import institution_may_assess
    from chizheng.occupations.models import EvaluationSpec

    spec = EvaluationSpec.objects.get(status="filed")
    owner = EvaluationInstitution.objects.get(school=spec.school)
    assert institution_may_assess(owner, spec.occupation, 5, dt.date.today())


def test_catalog_and_list_queries_do_not_grow_with_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(path: str, client: Client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    city = _client(world.user("city"))
    file_institution(world.user("school"), world.user("hrss"), code="0001", number="N-1")
    one = (count(reverse("catalog"), Client()), count(reverse("institutions:institution_list"), city))
    file_institution(world.user("school"), world.user("hrss"), code="0002", number="N-2")
    file_institution(world.user("sibling_school"), world.user("hrss"), code="0003", number="N-3")
    three = (count(reverse("catalog"), Client()), count(reverse("institutions:institution_list"), city))
    assert one == three


def test_examiner_and_subsidy_entries_are_removed_from_the_detail_page(world):
    from chizheng.people.models import Person

    from .. import services
    from ..models import Examiner, SubsidyListEntry

    school_user, hrss_user = world.user("school"), world.user("hrss")
    inst = file_institution(school_user, hrss_user)
    examiner = services.examiner_add(
        actor=school_user,
        institution=inst,
        person=Person.objects.get(name="李明"),
        role="supervisor",
        occupation=None,
        highest_level=None,
        qualification_number="DD-1",
        valid_from=dt.date(2023, 1, 1),
        valid_until=dt.date(2025, 1, 1),
    )
    entry = services.subsidy_list_add(actor=hrss_user, year=2023, institution=inst)
    detail = reverse("institutions:institution_detail", args=[inst.pk])
    assert (
        reverse("institutions:examiner_remove", args=[examiner.pk]) in _client(school_user).get(detail).content.decode()
    )
    _client(school_user).post(reverse("institutions:examiner_remove", args=[examiner.pk]))
    assert not Examiner.objects.exists()
    assert reverse("institutions:subsidy_remove", args=[entry.pk]) in _client(hrss_user).get(detail).content.decode()
    _client(hrss_user).post(reverse("institutions:subsidy_remove", args=[entry.pk]))
    assert not SubsidyListEntry.objects.exists()
    assert list(inst.events.values_list("kind", flat=True))[-2:] == ["subsidy_listed", "subsidy_unlisted"]

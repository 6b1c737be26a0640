"""Certificate pages and API: public verification (number + name, QR token, rate limit), the learner's
certificates, the scoped list with Excel export, the detail page with its history."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from .. import services
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cert(world):
    inst = f.institution(world)
    (c,) = f.issued(world, inst, f.people(world, 1))
    return c


def test_r08_verify_by_number_and_name_answers_valid_with_masked_id(client: Client, cert) -> None:
    response = client.get(reverse("verify"), {"number": cert.number, "name": "学员1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-result="valid"' in html
    assert cert.holder_id_number not in html
    assert cert.masked_id_number in html
    assert cert.institution.name in html


def test_r08_verify_with_a_wrong_name_answers_not_found(client: Client, cert) -> None:
    response = client.get(reverse("verify"), {"number": cert.number, "name": "别人"})
    assert 'data-result="not_found"' in response.content.decode()
    assert cert.institution.name not in response.content.decode()


def test_r08_verify_revoked_and_replaced(client: Client, world, cert) -> None:
    new = services.certificate_reissue(actor=None, certificate=cert, reason="遗失", on_date=dt.date(2023, 9, 1))
    body = client.get(reverse("verify_token", args=[cert.verify_token])).content.decode()
    assert 'data-result="revoked"' in body
    assert (new.number or "") in body
    services.certificate_revoke(actor=None, certificate=new, reason="作弊", on_date=dt.date(2023, 10, 1))
    data = client.get("/api/v1/verify", {"number": new.number or "", "name": "学员1"}).json()
    assert data["result"] == "revoked"
    assert data["revoked_on"] == "2023-10-01"


def test_r08_publicised_certificate_is_not_verifiable(client: Client, world) -> None:
    inst = f.institution(world)
    (c,) = f.publicise(world, inst, f.people(world, 1))
    assert client.get("/api/v1/verify", {"token": c.verify_token}).json()["result"] == "not_found"


def test_r08_verify_api_without_login(client: Client, cert) -> None:
    data = client.get("/api/v1/verify", {"token": cert.verify_token}).json()
    assert data["result"] == "valid"
    assert data["number"] == cert.number
    assert data["masked_id_number"] == cert.masked_id_number
    assert data["institution_code"] == "0001"
    assert client.get("/api/v1/verify", {"token": "nope"}).json()["result"] == "not_found"


def test_r08_verify_rate_limit_answers_429(client: Client, settings, cert) -> None:
    settings.CERT_VERIFY_RATE = (3, 60)
    for _ in range(3):
        assert client.get("/api/v1/verify", {"token": cert.verify_token}).status_code == 200
    response = client.get("/api/v1/verify", {"token": cert.verify_token})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    page = client.get(reverse("verify_token", args=[cert.verify_token]))
    assert page.status_code == 429
    other_ip = client.get("/api/v1/verify", {"token": cert.verify_token}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_r08_my_certificates_shows_only_the_learners_own(login, world) -> None:
    inst = f.institution(world)
    learner = world.user("learner")
    f.issued(world, inst, [learner.person, *f.people(world, 2)])
    body = login(learner).get(reverse("certification:my_certificates")).content.decode()
    assert body.count('data-status="issued"') == 1
    assert "学员1" not in body


def test_r08_certificate_list_is_scoped_and_exports(login, world, cert) -> None:
    client = login(world.user("county"))
    body = client.get(reverse("certification:certificate_list")).content.decode()
    assert cert.number in body
    export = client.get(reverse("certification:certificate_list"), {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    other = login(world.user("other_school")).get(reverse("certification:certificate_list")).content.decode()
    assert cert.number not in other


def test_r08_detail_shows_history_and_revoke_posts(login, world, cert) -> None:
    client = login(world.user("school"))
    url = reverse("certification:certificate_detail", args=[cert.pk])
    body = client.get(url).content.decode()
    assert "发证" in body
    assert cert.number in body
    response = client.post(reverse("certification:certificate_revoke", args=[cert.pk]), {"reason": "弄虚作假"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "revoked"
    assert "弄虚作假" in client.get(url).content.decode()
    # a second revoke is refused with a message, not a 500
    again = client.post(reverse("certification:certificate_revoke", args=[cert.pk]), {"reason": "再次"}, follow=True)
    assert "不能撤销" in again.content.decode()


def test_r08_detail_shows_the_evidence_under_chinese_labels(login, world, cert) -> None:
    cert.evidence = {"competition": "数控车工技能竞赛", "rank": 2, "demo": True, "unknown_key": "x"}
    cert.save(update_fields=["evidence"])
    body = login(world.user("school")).get(reverse("certification:certificate_detail", args=[cert.pk])).content.decode()
    evidence = body[body.index('id="evidence"') :]
    assert '<dt class="col-4">竞赛</dt><dd class="col-8">数控车工技能竞赛</dd>' in evidence
    assert '<dt class="col-4">名次</dt><dd class="col-8">2</dd>' in evidence
    assert '<dt class="col-4">演示数据</dt><dd class="col-8">是</dd>' in evidence
    assert '<dt class="col-4">unknown_key</dt>' in evidence  # a key without a label still shows

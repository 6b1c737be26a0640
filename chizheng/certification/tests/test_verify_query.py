"""Public verification is ONE indexed query per request (the busiest read; bench/verify_load.py), and the
compiled-once lookup answers exactly what the certificate says; the rate limit can be lifted for benchmarks."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chizheng.occupations.models import Trade

from .. import selectors, services
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_r08_verification_is_one_query_for_the_api_and_the_qr_page(client: Client, world, settings) -> None:
    settings.CERT_VERIFY_RATE = None  # the rate limit's cache is not a query either way; keep it out of the count
    inst = f.institution(world)
    (cert,) = f.issued(world, inst, f.people(world, 1))
    client.get("/healthz")  # warm the connection outside the count
    for url, params in (
        ("/api/v1/verify", {"number": cert.number or "", "name": "学员1"}),
        ("/api/v1/verify", {"token": cert.verify_token}),
        (reverse("verify_token", args=[cert.verify_token]), {}),
        (reverse("verify"), {"number": cert.number or "", "name": "学员1"}),
        ("/api/v1/verify", {"number": cert.number or "", "name": "别人"}),
    ):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200
        assert len(ctx.captured_queries) == 1, (url, [q["sql"] for q in ctx.captured_queries])


def test_r08_compiled_lookup_answers_every_field_of_the_certificate(world) -> None:
    inst = f.institution(world)
    trade = Trade.objects.create(occupation=f.occupation(), name="数控车工")
    (cert,) = f.issued(world, inst, f.people(world, 1), trade=trade)
    answer = selectors.verify_by_number(f" {cert.number.lower()} ", " 学员1 ")  # type: ignore[union-attr]
    assert answer.result == "valid"
    assert answer.number == cert.number
    assert answer.name == "学员1"
    assert answer.masked_id_number == cert.masked_id_number
    assert answer.occupation == f.occupation().name
    assert answer.trade == "数控车工"
    assert answer.level == cert.get_level_display()
    assert answer.kind == cert.get_kind_display()
    assert answer.institution == inst.name
    assert answer.institution_code == inst.code
    assert answer.issued_on == f"{f.ISSUE_ON:%Y-%m-%d}"
    assert selectors.verify_by_token(cert.verify_token) == answer
    (plain,) = f.issued(world, inst, f.people(world, 1, start=2), level=5)
    assert selectors.verify_by_token(plain.verify_token).trade == "--"
    services.certificate_revoke(actor=None, certificate=cert, reason="作弊", on_date=dt.date(2023, 10, 1))
    revoked = selectors.verify_by_token(cert.verify_token)
    assert (revoked.result, revoked.revoked_on) == ("revoked", "2023-10-01")
    assert "2023-10-01" in revoked.note
    assert selectors.verify_by_token("nope").result == "not_found"
    assert selectors.verify_by_number(cert.number or "", "").result == "not_found"


def test_rate_limit_lifted_only_when_the_setting_says_off(client: Client, world, settings) -> None:
    inst = f.institution(world)
    (cert,) = f.issued(world, inst, f.people(world, 1))
    settings.CERT_VERIFY_RATE = None
    assert {client.get("/api/v1/verify", {"token": cert.verify_token}).status_code for _ in range(70)} == {200}
    settings.CERT_VERIFY_RATE = (60, 60)
    responses = [client.get("/api/v1/verify", {"token": cert.verify_token}) for _ in range(61)]
    assert [r.status_code for r in responses[:60]] == [200] * 60
    assert responses[60].status_code == 429
    assert responses[60]["Retry-After"] == "60"  # the API says when to come back, like the page
    assert responses[60].json()["extra"]["retry_after"] == 60

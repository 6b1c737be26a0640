"""R8 objections during publicity (公示异议): recorded only during publicity, resolved once, an upheld one
revokes the certificate before a number is used, a dismissed one lets it issue; scope answers 404; every
change is audited; the 异议处理 list filters, searches and exports."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import AuditEvent

from .. import services
from ..models import Certificate, NumberSequence, Objection
from . import factories as f

pytestmark = pytest.mark.django_db

STARTS = f.PUBLICISE_ON  # publicity 2023-06-01 … 2023-06-08 (7 days)
ENDS = f.PUBLICISE_ON + dt.timedelta(days=7)


@pytest.fixture
def inst(world):
    return f.institution(world)


@pytest.fixture
def cert(world, inst) -> Certificate:
    (c,) = f.publicise(world, inst, f.people(world, 1))
    return c


def _raise(world, cert: Certificate, on: dt.date = STARTS, text: str = "冒名顶替") -> Objection:
    return services.objection_raise(actor=world.user("school"), certificate=cert, text=text, on_date=on)


def _resolve(world, obj: Objection, *, upheld: bool, on: dt.date = f.ISSUE_ON, persona: str = "school") -> Objection:
    return services.objection_resolve(
        actor=world.user(persona), objection=obj, upheld=upheld, resolution="经核实", on_date=on
    )


# --- the rules, in the service ----------------------------------------------------------------------------


def test_r08_objection_only_during_publicity_first_and_last_day_inclusive(world, cert) -> None:
    assert cert.publicity_ends == ENDS
    for day in (STARTS - dt.timedelta(days=1), ENDS + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as err:
            _raise(world, cert, on=day)
        assert err.value.code == "outside_publicity"
        assert err.value.field == "on_date"
        assert "2023-06-01 至 2023-06-08" in err.value.message
    assert _raise(world, cert, on=STARTS).raised_on == STARTS
    assert _raise(world, cert, on=ENDS, text="成绩不实").raised_on == ENDS
    assert Objection.objects.filter(certificate=cert).count() == 2


def test_r08_objection_refused_once_the_certificate_is_issued_or_revoked(world, inst) -> None:
    (issued,) = f.issued(world, inst, f.people(world, 1))
    with pytest.raises(DomainError) as err:
        _raise(world, issued, on=STARTS)
    assert err.value.code == "not_in_publicity"
    assert "已发证" in err.value.message or "状态" in err.value.message
    (other,) = f.publicise(world, inst, f.people(world, 1, start=2))
    services.certificate_revoke(actor=None, certificate=other, reason="作废", on_date=STARTS)
    with pytest.raises(DomainError):
        _raise(world, other, on=STARTS)
    assert not Objection.objects.exists()


def test_r08_objection_not_dated_in_the_future_and_needs_text(world, cert) -> None:
    today = timezone.localdate()
    Certificate.objects.filter(pk=cert.pk).update(
        publicity_starts=today - dt.timedelta(days=2), publicity_ends=today + dt.timedelta(days=5)
    )
    with pytest.raises(DomainError) as err:
        _raise(world, cert, on=today + dt.timedelta(days=1))
    assert err.value.code == "future_date"
    with pytest.raises(DomainError) as err:
        _raise(world, cert, on=today, text="   ")
    assert err.value.field == "text"
    assert _raise(world, cert, on=today).raised_on == today


def test_r08_objection_open_holds_back_issue_even_after_publicity(world, inst, cert) -> None:
    obj = _raise(world, cert)
    assert services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON) == []
    _resolve(world, obj, upheld=False, on=f.ISSUE_ON)
    later = f.ISSUE_ON + dt.timedelta(days=3)
    assert [c.pk for c in services.certificate_issue_due(actor=None, institution=inst, on_date=later)] == [cert.pk]


def test_r08_objection_rejected_lets_it_issue_with_a_number(world, inst, cert) -> None:
    first = _raise(world, cert)
    second = _raise(world, cert, on=ENDS, text="另一异议")
    _resolve(world, first, upheld=False)
    assert services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON) == []  # one still open
    _resolve(world, second, upheld=False)
    (issued,) = services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON)
    assert issued.pk == cert.pk
    cert.refresh_from_db()
    assert cert.status == "issued"
    assert cert.number


def test_r08_objection_upheld_blocks_issuance_and_uses_no_number(world, inst, cert) -> None:
    (neighbour,) = f.publicise(world, inst, f.people(world, 1, start=2))
    obj = _raise(world, cert)
    _resolve(world, obj, upheld=True, on=f.ISSUE_ON)
    cert.refresh_from_db()
    assert (cert.status, cert.number, cert.revoked_on) == ("revoked", None, f.ISSUE_ON)
    assert cert.revoke_reason == "公示异议成立：经核实"
    issued = services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON + dt.timedelta(days=1))
    assert [c.pk for c in issued] == [neighbour.pk]
    assert NumberSequence.objects.get().last_serial == 1  # the revoked certificate took no serial
    # the person may be certified again later: the revoked one is no longer "valid" (R8)
    again = f.publicise(world, inst, [cert.person], on_date=dt.date(2023, 7, 1))
    assert len(again) == 1


def test_r08_objection_resolved_once(world, cert) -> None:
    obj = _raise(world, cert)
    _resolve(world, obj, upheld=False)
    with pytest.raises(DomainError) as err:
        _resolve(world, obj, upheld=True)
    assert err.value.code == "already_resolved"
    obj.refresh_from_db()
    cert.refresh_from_db()
    assert obj.upheld is False
    assert cert.status == "publicised"


def test_r08_objection_resolution_needs_text_and_a_date_not_before_it_was_raised(world, cert) -> None:
    obj = _raise(world, cert, on=ENDS)
    with pytest.raises(DomainError) as err:
        services.objection_resolve(
            actor=world.user("school"), objection=obj, upheld=False, resolution=" ", on_date=f.ISSUE_ON
        )
    assert err.value.field == "resolution"
    with pytest.raises(DomainError) as err:
        _resolve(world, obj, upheld=False, on=ENDS - dt.timedelta(days=1))
    assert err.value.field == "on_date"
    obj.refresh_from_db()
    assert obj.resolved_on is None


def test_r08_objection_scope_other_school_gets_404_even_for_a_resolved_one(world, cert) -> None:
    with pytest.raises(NotFound):
        services.objection_raise(actor=world.user("other_school"), certificate=cert, text="x", on_date=STARTS)
    obj = _raise(world, cert)
    _resolve(world, obj, upheld=False)
    with pytest.raises(NotFound):  # not "already resolved": nothing is told outside the scope
        _resolve(world, obj, upheld=True, persona="other_school")
    with pytest.raises(PermissionDenied):  # the county follows its schools' certificates, the school handles them
        _resolve(world, obj, upheld=True, persona="county")


def test_r08_objection_raise_and_resolve_are_audited(world, cert) -> None:
    obj = _raise(world, cert)
    _resolve(world, obj, upheld=True)
    raised, resolved = AuditEvent.objects.filter(object_type="certification.Objection").order_by("pk")
    assert raised.action == "create"
    assert (raised.after or {})["text"] == "冒名顶替"
    assert raised.actor == world.user("school")
    assert raised.org_unit_id == world.school.pk
    assert resolved.before == {"resolved_on": None, "upheld": None, "resolution": ""}
    assert resolved.after == {"resolved_on": "2023-06-15", "upheld": True, "resolution": "经核实"}
    revoked = AuditEvent.objects.get(object_type="certification.Certificate", object_id=str(cert.pk))
    assert (revoked.after or {})["status"] == "revoked"
    assert f"异议 {obj.pk}" in revoked.note


# --- the pages --------------------------------------------------------------------------------------------


def test_r08_objection_pages_raise_list_resolve(login, world, inst, cert) -> None:
    client: Client = login(world.user("school"))
    detail = reverse("certification:certificate_detail", args=[cert.pk])
    body = client.get(detail).content.decode()
    raise_url = reverse("certification:objection_raise", args=[cert.pk])
    assert raise_url in body
    assert "暂无异议" in body
    # a date outside publicity is a form error naming the period, not a 500, and writes nothing
    response = client.post(raise_url, {"text": "冒名顶替", "on_date": "2023-06-20"})
    assert response.status_code == 200
    assert "不在公示期内" in response.content.decode()
    assert not Objection.objects.exists()
    response = client.post(raise_url, {"text": "冒名顶替", "on_date": "2023-06-03"})
    assert response.status_code == 302
    obj = Objection.objects.get()
    assert obj.raised_by == world.user("school")
    assert AuditEvent.objects.get(object_type="certification.Objection").channel == "web"
    assert "冒名顶替" in client.get(detail).content.decode()

    listing = client.get(reverse("certification:objection_list")).content.decode()
    resolve_url = reverse("certification:objection_resolve", args=[obj.pk])
    assert resolve_url in listing
    assert "待处理" in listing
    response = client.post(resolve_url, {"upheld": "1", "resolution": "查实冒名", "on_date": "2023-06-10"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "revoked"
    # resolving again: the page says so, the POST is refused with a message, nothing changes
    page = client.get(resolve_url).content.decode()
    assert "该异议已处理" in page
    again = client.post(resolve_url, {"upheld": "0", "resolution": "再次", "on_date": "2023-06-11"})
    assert "不能再次处理" in again.content.decode()
    obj.refresh_from_db()
    assert obj.upheld is True


def test_r08_objection_detail_page_for_other_roles(login, world, cert) -> None:
    _raise(world, cert)
    url = reverse("certification:certificate_detail", args=[cert.pk])
    county = login(world.user("county")).get(url).content.decode()
    assert "冒名顶替" in county
    assert reverse("certification:objection_raise", args=[cert.pk]) not in county  # may not record
    assert "待处理" in county


def test_r08_objection_views_scope(login, world, cert) -> None:
    obj = _raise(world, cert)
    other: Client = login(world.user("other_school"))
    assert other.get(reverse("certification:objection_raise", args=[cert.pk])).status_code == 404
    assert other.get(reverse("certification:objection_resolve", args=[obj.pk])).status_code == 404
    post = other.post(
        reverse("certification:objection_resolve", args=[obj.pk]),
        {"upheld": "1", "resolution": "x", "on_date": "2023-06-10"},
    )
    assert post.status_code == 404
    assert "冒名顶替" not in other.get(reverse("certification:objection_list")).content.decode()
    obj.refresh_from_db()
    assert obj.resolved_on is None


def test_r08_objection_list_filters_search_and_export(login, world, inst, django_assert_max_num_queries) -> None:
    certs = f.publicise(world, inst, f.people(world, 4))
    objs = [_raise(world, c, text=f"异议{i}") for i, c in enumerate(certs)]
    _resolve(world, objs[0], upheld=True)
    _resolve(world, objs[1], upheld=False)
    client: Client = login(world.user("city"))
    url = reverse("certification:objection_list")
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert all(f"异议{i}" in body for i in range(4))
    assert body.index("异议3") < body.index("异议0")  # open ones first
    opened = client.get(url, {"state": "open"}).content.decode()
    assert ("异议2" in opened, "异议0" in opened) == (True, False)
    resolved = client.get(url, {"state": "resolved"}).content.decode()
    assert ("异议0" in resolved, "异议1" in resolved, "异议2" in resolved) == (True, True, False)
    upheld = client.get(url, {"upheld": "True"}).content.decode()
    assert ("异议0" in upheld, "异议1" in upheld) == (True, False)
    by_school = client.get(url, {"school": str(world.school.pk)}).content.decode()
    assert "异议3" in by_school
    by_county = client.get(url, {"county": str(world.county.pk)}).content.decode()
    assert "异议3" in by_county
    assert "异议3" in client.get(url, {"q": certs[3].holder_name}).content.decode()
    export = client.get(url, {"export": "xlsx"})
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="公示异议").exists()
    # the city follows, the school resolves: no resolve links for the city
    assert reverse("certification:objection_resolve", args=[objs[2].pk]) not in body


def test_r08_demo_shows_open_dismissed_and_upheld_objections(db) -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", size="small", stdout=StringIO())
    objections = Objection.objects.select_related("certificate")
    assert objections.count() == 3
    open_one = objections.get(resolved_on=None)
    assert open_one.certificate.status == "publicised"
    assert objections.get(upheld=False).certificate.status == "publicised"
    assert objections.get(upheld=True).certificate.status == "revoked"
    assert objections.get(upheld=True).certificate.number is None
    assert not AuditEvent.objects.filter(object_type="certification.Objection").exists()


def test_r08_objection_upheld_certificate_page_says_unnumbered_not_in_publicity(login, world, cert) -> None:
    url = reverse("certification:certificate_detail", args=[cert.pk])
    client = login(world.user("school"))
    assert "（公示中，未编号）" in client.get(url).content.decode()
    _resolve(world, _raise(world, cert), upheld=True, on=STARTS)
    body = client.get(url).content.decode()
    assert "（公示中，未编号）" not in body
    assert "（未编号）" in body

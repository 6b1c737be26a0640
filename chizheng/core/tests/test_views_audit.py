import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    city, school = world.user("city"), world.user("school")
    old = audit.record(city, "update", world.school, note="old")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.make_aware(dt.datetime(2025, 1, 10, 9, 0)))
    audit.record(school, "view_full_id", world.school, note="reveal")
    audit.record(city, "create", world.county, note="new")
    return world


def _notes(response):
    return {row[-1][0] for row in response.context["rows"]}


def test_the_audit_log_is_for_the_city_only(events, login):
    assert login(events.user("county")).get(reverse("core:audit_list")).status_code == 403
    assert login(events.user("school")).get(reverse("core:audit_list")).status_code == 403


def test_the_audit_log_filters_by_action_actor_and_date_range(events, login):
    client = login(events.user("city"))
    url = reverse("core:audit_list")
    assert _notes(client.get(url, {"action": "view_full_id"})) == {"reveal"}
    assert _notes(client.get(url, {"q": "school"})) == {"reveal"}
    assert _notes(client.get(url, {"from": "2025-01-10", "to": "2025-01-10"})) == {"old"}
    assert _notes(client.get(url, {"from": "2025-01-11"})) == {"reveal", "new"}
    assert _notes(client.get(url, {"object_type": "core.OrgUnit", "to": "2025-01-09"})) == set()


def test_a_malformed_date_is_ignored_not_a_500(events, login):
    response = login(events.user("city")).get(reverse("core:audit_list"), {"from": "yesterday"})
    assert response.status_code == 200
    assert _notes(response) == {"old", "reveal", "new"}

import datetime as dt

import pytest

from chizheng.core import services
from chizheng.core.errors import DomainError, PermissionDenied
from chizheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_city_admin_creates_a_school_under_a_county_and_it_is_audited(world):
    unit = services.org_unit_create(
        actor=world.user("city"),
        kind="school",
        code="S41080299",
        name="解放区新职校",
        parent_id=world.county.pk,
        school_kind="secondary",
        ownership="private",
        opened_on=dt.date(2020, 9, 1),
    )
    assert unit.county_id == world.county.pk
    event = AuditEvent.objects.get(object_type="core.OrgUnit", object_id=str(unit.pk))
    assert event.actor_name == "city"
    assert event.after is not None
    assert event.after["name"] == "解放区新职校"


def test_a_school_cannot_sit_under_the_city(world):
    with pytest.raises(DomainError) as err:
        services.org_unit_create(
            actor=world.user("city"),
            kind="school",
            code="S1",
            name="x",
            parent_id=world.city.pk,
            school_kind="secondary",
            ownership="public",
        )
    assert err.value.field == "parent"


def test_a_county_code_must_be_a_jiaozuo_gb2260_code(world):
    with pytest.raises(DomainError) as err:
        services.org_unit_create(
            actor=world.user("city"), kind="county", code="410101", name="x", parent_id=world.city.pk
        )
    assert err.value.code == "org_county_code"


def test_closing_before_opening_is_refused_and_nothing_changes(world):
    with pytest.raises(DomainError):
        services.org_unit_update(actor=world.user("city"), unit=world.school, closed_on=dt.date(1980, 1, 1))
    world.school.refresh_from_db()
    assert world.school.closed_on is None
    assert not AuditEvent.objects.filter(action="update").exists()


def test_an_update_records_before_and_after_of_changed_fields_only(world):
    services.org_unit_update(actor=world.user("city"), unit=world.school, phone="0391-1234567")
    event = AuditEvent.objects.get(action="update")
    assert event.before == {"phone": ""}
    assert event.after == {"phone": "0391-1234567"}


def test_only_city_admins_manage_the_org_tree(world):
    with pytest.raises(PermissionDenied):
        services.org_unit_update(actor=world.user("county"), unit=world.school, phone="1")

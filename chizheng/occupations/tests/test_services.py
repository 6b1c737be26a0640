import pytest

from chizheng.core.errors import DomainError, PermissionDenied
from chizheng.core.models import AuditEvent
from chizheng.occupations import services
from chizheng.occupations.models import Occupation, Trade

pytestmark = pytest.mark.django_db

CODE = "6-18-01-01"


@pytest.fixture
def occupation():
    return Occupation.objects.get(code=CODE)


def test_levels_may_be_given_as_a_list_and_are_stored_highest_level_last(world, occupation):
    services.occupation_update(
        actor=world.user("city"),
        occupation=occupation,
        has_national_standard=True,
        standard_number="N1",
        levels=[3, 5, 4],
    )
    occupation.refresh_from_db()
    assert occupation.standard_levels == [5, 4, 3]


def test_removing_a_standard_clears_number_and_levels_only_when_both_are_emptied(world, occupation):
    city = world.user("city")
    services.occupation_update(
        actor=city, occupation=occupation, has_national_standard=True, standard_number="N1", levels="5,4"
    )
    with pytest.raises(DomainError) as err:
        services.occupation_update(actor=city, occupation=occupation, has_national_standard=False, levels="5,4")
    assert err.value.field == "has_standard"
    services.occupation_update(actor=city, occupation=occupation, has_national_standard=False)
    occupation.refresh_from_db()
    assert (occupation.has_national_standard, occupation.standard_number, occupation.standard_levels) == (False, "", [])


def test_r18_an_unknown_key_field_is_refused(world, occupation):
    with pytest.raises(DomainError) as err:
        services.occupation_update(
            actor=world.user("city"), occupation=occupation, has_national_standard=False, key_field="space"
        )
    assert err.value.field == "key_field"


def test_saving_the_same_values_writes_no_audit_row(world, occupation):
    services.occupation_update(actor=world.user("city"), occupation=occupation, has_national_standard=False)
    assert not AuditEvent.objects.filter(object_type="occupations.Occupation").exists()


def test_only_the_city_admin_maintains_the_catalog(world, occupation):
    with pytest.raises(PermissionDenied):
        services.occupation_update(actor=world.user("county"), occupation=occupation, has_national_standard=False)
    with pytest.raises(PermissionDenied):
        services.trade_create(actor=world.user("school"), occupation=occupation, name="x")


def test_a_blank_trade_name_is_refused(world, occupation):
    with pytest.raises(DomainError) as err:
        services.trade_create(actor=world.user("city"), occupation=occupation, name="   ")
    assert err.value.field == "name"
    assert not Trade.objects.exists()


def test_the_same_trade_name_may_exist_under_two_occupations(world, occupation):
    other = Occupation.objects.exclude(pk=occupation.pk).first()
    assert other is not None
    services.trade_create(actor=world.user("city"), occupation=occupation, name="操作工")
    services.trade_create(actor=world.user("city"), occupation=other, name="操作工")
    assert Trade.objects.filter(name="操作工").count() == 2


def test_deleting_a_trade_records_what_it_was(world, occupation):
    trade = services.trade_create(actor=world.user("city"), occupation=occupation, name="叉车司机", code="01")
    services.trade_delete(actor=world.user("city"), trade=trade)
    event = AuditEvent.objects.get(object_type="occupations.Trade", action="delete")
    assert event.before == {"occupation": CODE, "name": "叉车司机", "code": "01"}

"""The one scoping gate: own unit and below, never a sibling; out of scope is 404."""

import pytest

from chizheng.core.errors import NotFound
from chizheng.core.models import OrgUnit
from chizheng.core.scoping import get_for, scope_of
from chizheng.people.models import Person, Student

pytestmark = pytest.mark.django_db


def test_city_sees_every_unit(world):
    assert OrgUnit.objects.restrict(world.user("city")).count() == 6


def test_county_sees_itself_and_its_schools_never_a_sibling_county(world):
    visible = set(OrgUnit.objects.restrict(world.user("county")).values_list("name", flat=True))
    assert visible == {"解放区", "焦作市职业技术学校", "解放区民办职校"}


def test_school_sees_only_itself(world):
    assert list(OrgUnit.objects.restrict(world.user("school"))) == [world.school]


def test_a_sibling_school_cannot_see_the_other_schools_students(world):
    assert Student.objects.restrict(world.user("sibling_school")).count() == 0
    assert Student.objects.restrict(world.user("school")).count() == 1
    assert Student.objects.restrict(world.user("county")).count() == 1
    assert Student.objects.restrict(world.user("other_county")).count() == 0


def test_a_learner_sees_only_themselves(world):
    learner = world.user("learner")
    assert scope_of(learner).kind == "self"
    assert list(Person.objects.restrict(learner)) == [learner.person]
    assert OrgUnit.objects.restrict(learner).count() == 0


def test_fetching_outside_the_scope_is_not_found(world):
    with pytest.raises(NotFound):
        get_for(world.user("other_school"), OrgUnit, pk=world.school.pk)
    assert get_for(world.user("county"), OrgUnit, pk=world.school.pk) == world.school


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert Person.objects.restrict(AnonymousUser()).count() == 0
    user = world.user("city")
    user.is_active = False
    assert Person.objects.restrict(user).count() == 0


def test_an_expert_without_a_unit_sees_no_people(world):
    assert Person.objects.restrict(world.user("expert")).count() == 0

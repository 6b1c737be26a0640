"""Every admin page added for issue 2 answers 200, 403 or 404 for every persona — never a 500."""

import pytest
from django.urls import reverse

from chizheng.occupations.models import Trade
from chizheng.people.models import Person, Student

pytestmark = pytest.mark.django_db

PERSONAS = ["city", "county", "other_county", "school", "sibling_school", "other_school", "examiner", "hrss", "learner"]


def _pages(world):
    person = Person.objects.get(name="李明")
    student = Student.objects.get(person=person)
    trade = Trade.objects.create(occupation_id=1, name="测试工种")
    code = trade.occupation.code
    return [
        reverse("core:org_tree"),
        reverse("core:org_detail", args=[world.school.pk]),
        reverse("core:org_edit", args=[world.school.pk]),
        reverse("core:user_list"),
        reverse("core:user_create"),
        reverse("core:user_edit", args=[world.user("examiner").pk]),
        reverse("core:user_password", args=[world.user("examiner").pk]),
        reverse("core:audit_list") + "?from=2020-01-01&to=bad",
        reverse("occupations:browse"),
        reverse("occupations:browse_group", args=["6"]),
        reverse("occupations:occupation_edit", args=[code]),
        reverse("people:person_edit", args=[person.pk]),
        reverse("people:student_edit", args=[student.pk]),
        reverse("people:me"),
    ]


# Pages each persona may open (everything else must be 403 or 404).
ALLOWED = {
    "city": {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
    "county": {0, 1, 3, 4, 5, 6, 8, 9},
    "other_county": {0, 3, 4, 8, 9},
    "school": {0, 1, 3, 4, 5, 6, 8, 9, 11, 12},
    "sibling_school": {0, 3, 4, 8, 9},
    "other_school": {0, 3, 4, 8, 9},
    "examiner": {8, 9},
    "hrss": {0, 1, 8, 9},
    "learner": {13},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_page_answers_ok_forbidden_or_not_found_never_a_500(world, client, persona):
    pages = _pages(world)
    client.force_login(world.user(persona))
    for index, url in enumerate(pages):
        status = client.get(url).status_code
        expected = {200} if index in ALLOWED[persona] else {403, 404}
        assert status in expected, (persona, url, status)


def test_posts_outside_scope_answer_404_and_without_permission_403(world, client):
    target = world.user("examiner")
    client.force_login(world.user("other_county"))
    assert client.post(reverse("core:user_set_active", args=[target.pk]), {"active": "0"}).status_code == 404
    client.force_login(world.user("examiner"))
    assert client.post(reverse("core:user_set_active", args=[target.pk]), {"active": "0"}).status_code == 403
    trade = Trade.objects.create(occupation_id=1, name="x")
    url = reverse("occupations:trade_delete", args=[trade.occupation.code, trade.pk])
    assert client.post(url).status_code == 403
    assert Trade.objects.filter(pk=trade.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url

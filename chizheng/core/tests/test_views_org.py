import datetime as dt

import pytest
from django.urls import reverse

from chizheng.core.models import AuditEvent, OrgUnit

pytestmark = pytest.mark.django_db


def test_the_tree_shows_counties_with_their_school_counts_for_the_city(world, login):
    OrgUnit.objects.filter(pk=world.sibling_school.pk).update(closed_on=dt.date(2020, 7, 1))
    response = login(world.user("city")).get(reverse("core:org_tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 所院校" in html
    assert 'data-school-count="2"' in html  # 解放区
    assert 'data-school-count="1"' in html  # 温县
    assert "在办 1" in html
    assert "已停办" in html
    assert "民办" in html


def test_a_county_admin_sees_only_their_county_in_the_tree(world, login):
    html = login(world.user("county")).get(reverse("core:org_tree")).content.decode()
    assert "解放区" in html
    assert "温县职业中专" not in html


def test_a_school_admin_sees_their_school_under_its_county(world, login):
    html = login(world.user("school")).get(reverse("core:org_tree")).content.decode()
    assert "焦作市职业技术学校" in html
    assert "解放区民办职校" not in html


def test_the_tree_is_refused_to_a_learner(world, login):
    assert login(world.user("learner")).get(reverse("core:org_tree")).status_code == 403


def test_an_org_unit_outside_scope_answers_404(world, login):
    client = login(world.user("county"))
    assert client.get(reverse("core:org_detail", args=[world.other_school.pk])).status_code == 404
    assert client.get(reverse("core:org_detail", args=[world.school.pk])).status_code == 200


def test_only_the_city_edits_the_org_tree(world, login):
    assert login(world.user("county")).get(reverse("core:org_edit", args=[world.school.pk])).status_code == 403


def test_the_city_closes_a_school_through_the_form_and_it_is_audited(world, login):
    client = login(world.user("city"))
    url = reverse("core:org_edit", args=[world.school.pk])
    form = {
        "code": world.school.code,
        "name": world.school.name,
        "parent": world.county.pk,
        "school_kind": "secondary",
        "ownership": "public",
        "opened_on": "1985-09-01",
        "closed_on": "2024-07-01",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.closed_on == dt.date(2024, 7, 1)
    event = AuditEvent.objects.get(object_type="core.OrgUnit", action="update")
    assert event.after == {"closed_on": "2024-07-01"}
    detail = client.get(reverse("core:org_detail", args=[world.school.pk])).content.decode()
    assert "已停办" in detail


def test_closing_before_opening_shows_a_field_error_not_a_500(world, login):
    client = login(world.user("city"))
    form = {
        "code": world.school.code,
        "name": world.school.name,
        "parent": world.county.pk,
        "school_kind": "secondary",
        "ownership": "public",
        "opened_on": "1985-09-01",
        "closed_on": "1980-01-01",
    }
    response = client.post(reverse("core:org_edit", args=[world.school.pk]), form)
    assert response.status_code == 200
    assert "停办日期不能早于开办日期" in response.content.decode()

import pytest
from django.urls import reverse

from chizheng.core import services
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Yellow-River-2026"


def _usernames(response):
    return {row[0][0] for row in response.context["rows"]}


def test_a_county_admin_lists_the_users_of_their_county_and_its_schools_only(world, login):
    names = _usernames(login(world.user("county")).get(reverse("core:user_list")))
    assert {"county", "school", "sibling_school", "examiner", "supervisor", "learner"} <= names
    assert not names & {"city", "other_county", "other_school", "hrss", "expert"}


def test_a_school_admin_lists_the_users_of_their_school_only(world, login):
    names = _usernames(login(world.user("school")).get(reverse("core:user_list")))
    assert names == {"school", "examiner", "supervisor", "learner"}


def test_the_user_pages_are_refused_without_manage_users(world, login):
    client = login(world.user("examiner"))
    assert client.get(reverse("core:user_list")).status_code == 403
    assert client.get(reverse("core:user_create")).status_code == 403


def test_a_user_outside_scope_answers_404_on_every_user_page(world, login):
    client = login(world.user("county"))
    other = world.user("other_school")
    assert client.get(reverse("core:user_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("core:user_password", args=[other.pk])).status_code == 404
    assert client.post(reverse("core:user_set_active", args=[other.pk]), {"active": "0"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_a_school_admin_creates_an_examiner_of_their_school(world, login):
    client = login(world.user("school"))
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "exam2",
            "display_name": "王老师",
            "role": "examiner",
            "org_unit": world.school.pk,
            "password": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="exam2")
    assert (user.role, user.org_unit_id, user.display_name) == ("examiner", world.school.pk, "王老师")
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(object_type="core.User", object_id=str(user.pk), action="create").exists()


def test_a_school_admin_cannot_create_a_city_admin_or_pick_another_school(world, login):
    client = login(world.user("school"))
    response = client.post(
        reverse("core:user_create"),
        {"username": "boss", "role": "city_admin", "org_unit": world.school.pk, "password": GOOD_PASSWORD},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    response = client.post(
        reverse("core:user_create"),
        {"username": "x1", "role": "examiner", "org_unit": world.other_school.pk, "password": GOOD_PASSWORD},
    )
    assert "org_unit" in response.context["form"].errors
    assert not User.objects.filter(username__in=["boss", "x1"]).exists()


def test_a_weak_initial_password_is_a_field_error(world, login):
    response = login(world.user("city")).post(
        reverse("core:user_create"), {"username": "weak", "role": "expert", "password": "123"}
    )
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="weak").exists()


def test_a_taken_username_is_a_field_error(world, login):
    response = login(world.user("city")).post(
        reverse("core:user_create"), {"username": "school", "role": "expert", "password": GOOD_PASSWORD}
    )
    assert response.context["form"].errors["username"] == ["用户名“school”已存在。"]


def test_a_county_admin_moves_a_user_and_renames_them_with_an_audit_row(world, login):
    client = login(world.user("county"))
    target = world.user("examiner")
    response = client.post(
        reverse("core:user_edit", args=[target.pk]),
        {"display_name": "赵考评", "role": "supervisor", "org_unit": world.sibling_school.pk},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.org_unit_id, target.display_name) == ("supervisor", world.sibling_school.pk, "赵考评")
    event = AuditEvent.objects.get(object_type="core.User", object_id=str(target.pk), action="update")
    assert event.before == {"role": "examiner", "org_unit_id": world.school.pk, "display_name": ""}


def test_a_county_admin_cannot_edit_a_city_admin_even_by_calling_the_service(world):
    with pytest.raises(NotFound):
        services.user_update(actor=world.user("county"), user=world.user("city"), role="city_admin", org_unit=None)


def test_an_admin_cannot_deactivate_themselves(world):
    with pytest.raises(DomainError) as err:
        services.user_set_active(actor=world.user("city"), user=world.user("city"), active=False)
    assert err.value.code == "user_self_deactivate"


def test_a_deactivated_user_cannot_log_in_and_can_be_reactivated(world, client):
    target = world.user("examiner")
    client.force_login(world.user("school"))
    client.post(reverse("core:user_set_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert not target.is_active
    client.post(reverse("logout"))
    refused = client.post(reverse("login"), {"username": "examiner", "password": "persona-password-1"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    client.force_login(world.user("school"))
    client.post(reverse("core:user_set_active", args=[target.pk]), {"active": "1"})
    target.refresh_from_db()
    assert target.is_active
    notes = list(AuditEvent.objects.filter(object_id=str(target.pk)).values_list("note", flat=True))
    assert notes == ["启用账号", "停用账号"]  # newest first


def test_an_admin_resets_a_password_and_the_audit_row_does_not_contain_it(world, login):
    target = world.user("learner")
    client = login(world.user("school"))
    url = reverse("core:user_password", args=[target.pk])
    response = client.post(url, {"password": GOOD_PASSWORD, "confirm": "different-one-999"})
    assert "confirm" in response.context["form"].errors
    response = client.post(url, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(GOOD_PASSWORD)
    event = AuditEvent.objects.get(object_id=str(target.pk), note="重置密码")
    assert GOOD_PASSWORD not in str(event.before) + str(event.after) + event.note


def test_the_create_form_does_not_offer_the_learner_role(world, login):
    response = login(world.user("school")).post(
        reverse("core:user_create"),
        {"username": "stu", "role": "learner", "org_unit": world.school.pk, "password": GOOD_PASSWORD},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="stu").exists()


def test_the_user_list_query_count_does_not_grow_with_the_users(world, login, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.user("city"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:user_list"))
    person = world.user("learner").person
    for n in range(5):
        User.objects.create(username=f"learner{n}", role="learner", person=person)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("core:user_list"))
    assert len(response.context["rows"]) == 16

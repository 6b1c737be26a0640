"""Login security: argon2, lockout after repeated failures, session expiry, logout by POST, demo hint."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

import config.settings as project_settings
from chizheng.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_argon2_is_the_first_hasher_and_new_passwords_use_it(world, settings):
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = world.user("school")
    user.set_password("Another-Password-42")
    user.save()
    assert user.password.startswith("argon2$")


def test_an_older_hash_is_upgraded_to_argon2_on_login(world, settings, client):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = world.user("county")  # built with the MD5 hasher of the test settings
    assert user.password.startswith("md5$")
    settings.PASSWORD_HASHERS = [*project_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert _login(client, "county", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_a_right_password_logs_in(world, client):
    response = _login(client, "city", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_after_five_failures_even_the_right_password_is_refused_and_the_page_says_locked(world, client):
    assert project_settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = _login(client, "school", "wrong-password")
        assert "用户名或密码不正确" in response.content.decode()
    fifth = _login(client, "school", "wrong-password")
    assert fifth.status_code == 429
    response = _login(client, "school", PASSWORD)
    assert response.status_code == 429
    assert "已被暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected (lockout is per username and IP).
    assert _login(client, "county", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(world, client):
    for _ in range(4):
        _login(client, "school", "wrong-password")
    assert _login(client, "school", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _login(client, "school", "wrong-password")
    assert _login(client, "school", PASSWORD).status_code == 302


def test_a_session_lasts_eight_hours(world, client):
    assert project_settings.SESSION_COOKIE_AGE == 8 * 3600
    _login(client, "city", PASSWORD)
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(hours=7, minutes=59) < remaining <= dt.timedelta(hours=8)


def test_a_session_older_than_eight_hours_is_logged_out(world, client):
    _login(client, "city", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    later = timezone.now() + dt.timedelta(hours=8, minutes=1)
    with mock.patch("django.contrib.sessions.backends.db.timezone.now", return_value=later):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_needs_a_post(world, client):
    _login(client, "city", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_login_page_shows_the_demo_password_only_in_demo_mode(db, client, settings):
    settings.DEMO_MODE = True
    assert settings.DEMO_PASSWORD in client.get(reverse("login")).content.decode()
    settings.DEMO_MODE = False
    html = client.get(reverse("login")).content.decode()
    assert settings.DEMO_PASSWORD not in html
    assert "演示环境" not in html

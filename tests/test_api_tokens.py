"""Personal access tokens from the command line: `chizheng token create|list|revoke`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from chizheng.core import audit, services
from chizheng.core.errors import DomainError
from chizheng.core.models import AccessToken, AuditEvent

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_raw_token_once_and_it_works(world):
    out, err = run("create", "county", "--name", "报表", "--days", "30")
    raw = out.strip()
    assert raw.startswith("czp_")
    assert "只显示这一次" in err
    token = AccessToken.objects.get(user=world.user("county"))
    assert token.name == "报表"
    assert raw not in token.digest
    assert token.expires_at is not None
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.json()["username"] == "county"
    event = AuditEvent.objects.get(action="token")
    assert (event.channel, event.actor_id) == ("cli", None)
    assert event.after is not None
    assert event.after["user"] == "county"


def test_days_zero_never_expires(world):
    run("create", "school", "--days", "0")
    assert AccessToken.objects.get().expires_at is None


def test_list_shows_prefixes_never_values(world):
    raw, _ = run("create", "school")
    out, _ = run("list", "school")
    token = AccessToken.objects.get()
    assert token.prefix in out
    assert raw.strip() not in out
    assert "有效" in out
    assert "没有访问令牌" in run("list", "county")[0]


def test_revoke_by_prefix(world):
    raw = run("create", "school")[0].strip()
    token = AccessToken.objects.get()
    out, _ = run("revoke", token.prefix)
    assert "已吊销" in out
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    assert "已吊销" in run("list", "school")[0]
    assert AuditEvent.objects.filter(action="token", channel="cli").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "nobody"), "没有用户名"),
        (("create", "school", "--days", "-1"), "不能为负数"),
        (("list", "nobody"), "没有用户名"),
        (("revoke", "czp_zzzzzz"), "没有前缀"),
    ],
)
def test_bad_input_is_a_clear_error(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not AccessToken.objects.exists()


def test_an_inactive_account_gets_no_token(world):
    user = world.user("school")
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="已停用"):
        run("create", "school")


def test_an_ambiguous_prefix_is_refused(world):
    for name in ("school", "county"):
        user = world.user(name)
        services.token_create(actor=user, user=user, name=name)
    AccessToken.objects.update(prefix="czp_same00")
    with pytest.raises(CommandError, match="多个令牌"):
        run("revoke", "czp_same00")
    assert not AccessToken.objects.filter(revoked_at__isnull=False).exists()


# --- the service rule behind it: actor=None only on the CLI channel ------------------------------


def test_users_manage_only_their_own_tokens(world):
    school, county = world.user("school"), world.user("county")
    with pytest.raises(DomainError, match="只能为自己"):
        services.token_create(actor=school, user=county, name="x")
    token, _ = services.token_create(actor=county, user=county, name="x")
    with pytest.raises(DomainError, match="只能吊销自己"):
        services.token_revoke(actor=school, token=token)


@pytest.mark.parametrize("channel", ["web", "api", "task"])
def test_the_system_actor_is_refused_outside_the_cli(world, channel):
    user = world.user("school")
    with audit.audit_context(channel=channel), pytest.raises(DomainError, match="只能为自己"):
        services.token_create(actor=None, user=user, name="x")
    token, _ = services.token_create(actor=user, user=user, name="x")
    with audit.audit_context(channel=channel), pytest.raises(DomainError, match="只能吊销自己"):
        services.token_revoke(actor=None, token=token)


def test_the_system_actor_is_allowed_on_the_cli(world):
    user = world.user("school")
    with audit.audit_context(channel="cli"):
        token, _ = services.token_create(actor=None, user=user, name="x")
        services.token_revoke(actor=None, token=token)
    assert AccessToken.objects.get().revoked_at is not None

"""`chizheng token create|list|revoke`: personal access tokens from the server's command line.

The operator at the server acts as the system (actor=None), which core.services allows only
inside the "cli" audit channel; every create and revoke is audit-logged with channel "cli".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chizheng.core import audit, services
from chizheng.core.errors import DomainError
from chizheng.core.models import AccessToken, User


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class Command(BaseCommand):
    help = "Create, list or revoke a user's personal access tokens for the JSON API (/api/v1/)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="CLI", help="a name to recognise the token by (default: CLI)")
        create.add_argument("--days", type=int, default=365, help="days until it expires; 0 = never (default: 365)")
        listing = sub.add_parser("list", help="list a user's tokens (never their values)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by the prefix shown in `token list`")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit.audit_context(channel="cli"):
            try:
                getattr(self, f"_{options['action']}")(options)
            except DomainError as err:
                raise CommandError(err.message) from err

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的账号。")
        if not user.is_active:
            raise CommandError(f"账号“{username}”已停用。")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        if options["days"] < 0:
            raise CommandError("--days 不能为负数。")
        user = self._user(options["username"])
        token, raw = services.token_create(
            actor=None, user=user, name=options["name"], expires_days=options["days"] or None
        )
        expires = _when(token.expires_at) if token.expires_at else "永不"
        self.stderr.write(f"已为 {user.username} 创建令牌“{token.name}”（前缀 {token.prefix}，过期：{expires}）。")
        self.stderr.write("完整令牌只显示这一次，请妥善保存：")
        self.stdout.write(raw)

    def _list(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        tokens = AccessToken.objects.filter(user=user)
        if not tokens:
            self.stdout.write(f"{user.username} 没有访问令牌。")
            return
        self.stdout.write("前缀\t名称\t创建\t过期\t最近使用\t状态")
        for token in tokens:
            state = "有效" if token.is_active else ("已吊销" if token.revoked_at else "已过期")
            self.stdout.write(
                "\t".join(
                    [
                        token.prefix,
                        token.name,
                        _when(token.created_at),
                        _when(token.expires_at),
                        _when(token.last_used_at),
                        state,
                    ]
                )
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        matches = list(AccessToken.objects.select_related("user").filter(prefix=options["prefix"]))
        if not matches:
            raise CommandError(f"没有前缀为“{options['prefix']}”的令牌。")
        if len(matches) > 1:
            owners = "、".join(t.user.username for t in matches)
            raise CommandError(f"前缀“{options['prefix']}”对应多个令牌（{owners}），请在网页上吊销。")
        token = services.token_revoke(actor=None, token=matches[0])
        self.stdout.write(f"已吊销 {token.user.username} 的令牌“{token.name}”（{token.prefix}）。")

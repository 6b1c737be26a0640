"""The demo logins printed by `make run` (one per role and level)."""

from __future__ import annotations

from django.conf import settings

from .models import User


def describe_demo_accounts() -> str:
    if not settings.DEMO_MODE:
        return ""
    users = User.objects.filter(username__in=DEMO_USERNAMES).select_related("org_unit")
    by_name = {u.username: u for u in users}
    lines = ["", f"演示账号（密码均为 {settings.DEMO_PASSWORD}）："]
    for name in DEMO_USERNAMES:
        user = by_name.get(name)
        if user:
            unit = f" · {user.org_unit}" if user.org_unit else ""
            lines.append(f"  {name:<22} {user.get_role_display()}{unit}")
    return "\n".join(lines) + "\n"


DEMO_USERNAMES = [
    "city_admin",
    "county_admin",
    "school_admin",
    "examiner",
    "supervisor",
    "expert",
    "hrss_officer",
    "learner",
]

"""Small helpers for thin views."""

from __future__ import annotations

from django.http import HttpRequest

from .errors import PermissionDenied
from .models import User


def actor_of(request: HttpRequest) -> User:
    """The logged-in user behind a request (views are behind login_required)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("请先登录。")
    return user

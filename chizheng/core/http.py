"""Small helpers for thin views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from .errors import DomainError, NotFound, PermissionDenied
from .models import User


def actor_of(request: HttpRequest) -> User:
    """The logged-in user behind a request (views are behind login_required)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("请先登录。")
    return user


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    title: str,
    back: str,
    call: Callable[[dict[str, Any]], Any],
    done: str,
    note: str = "",
) -> HttpResponseBase:
    """Show a form; on a valid POST run the service; a DomainError becomes a form error, never a 500.

    The service may return a URL to go to; otherwise the page goes `back`. NotFound stays a 404.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except DomainError as err:
            if isinstance(err, NotFound):
                raise
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, done)
            return redirect(result if isinstance(result, str) else back)
    return render(request, "core/form.html", {"form": form, "title": title, "back": back, "note": note})


def action_page(request: HttpRequest, back: str, call: Callable[[], Any], done: str) -> HttpResponseBase:
    """Run a one-click service (a POST button) and go `back`, with `done` or the domain error as a message.

    A DomainError becomes the message, never a 500; NotFound stays a 404.
    """
    try:
        call()
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        messages.error(request, err.message)
    else:
        messages.success(request, done)
    return redirect(back)

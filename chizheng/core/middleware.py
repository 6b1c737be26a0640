"""Request-scoped audit context: client IP and a request id for every audit row."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import AuditContext, reset_context, set_context


def client_ip(request: HttpRequest) -> str | None:
    # Behind the bundled gunicorn there is no proxy; trust REMOTE_ADDR only.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        token = set_context(AuditContext(ip=client_ip(request), request_id=request_id[:36], channel=channel))
        try:
            response = self.get_response(request)
        finally:
            reset_context(token)
        response["X-Request-ID"] = request_id[:36]
        return response


class DomainErrorMiddleware:
    """Turn a DomainError escaping a view into a page (or JSON for the API): never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import JsonResponse
        from django.shortcuts import render

        from .errors import DomainError

        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(exception.as_dict(), status=exception.status)
        return render(request, "core/error.html", {"error": exception}, status=exception.status)

"""A small fixed-window rate limit per client IP, kept in Django's cache (public verification)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(request: HttpRequest, scope: str = "verify") -> bool:
    """True while the client's IP has made at most `CERT_VERIFY_RATE` = (requests, seconds) requests in the
    current window; the counter lives in the cache, so all processes sharing the cache share the limit.
    `CERT_VERIFY_RATE = None` (env CHIZHENG_VERIFY_RATE=off) lifts the limit, for load benchmarks only."""
    rate = getattr(settings, "CERT_VERIFY_RATE", (60, 60))
    if rate is None:
        return True
    limit, window = rate
    key = f"rl:{scope}:{client_ip(request)}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= limit

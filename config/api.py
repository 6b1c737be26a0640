"""The one JSON API object: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Authentication: a personal access token (`Authorization: Bearer czp_…`) or the browser's
session (with CSRF). Every error, including unknown paths and wrong methods, answers
{"code", "message", "extra"}. See docs/api.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from chizheng.assessments.api import router as assessments_router
from chizheng.certification.api import router as certification_router
from chizheng.certification.report_api import router as certification_report_router
from chizheng.core.api import API_AUTH, Utf8JSONRenderer, error_body, install_error_handlers
from chizheng.core.api import router as core_router
from chizheng.institutions.api import router as institutions_router
from chizheng.occupations.api import router as occupations_router
from chizheng.occupations.spec_api import router as specs_router
from chizheng.pathways.api import router as pathways_router
from chizheng.people.api import router as people_router


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a plain-text 405; give it the API's error shape."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            body = error_body("method_not_allowed", "该地址不支持此请求方法。", allowed=allowed.split(", "))
            json = JsonResponse(body, status=405, json_dumps_params={"ensure_ascii": False})
            json["Allow"] = allowed
            return json
        return response

    return wrapper


def _api_root(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return JsonResponse(
        {"openapi": reverse("api:openapi-json"), "docs": reverse("api:openapi-view")},
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
def _unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    body = error_body("not_found", "没有这个 API 地址，请查看 /api/v1/docs。", path=request.path)
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})


class ChizhengAPI(NinjaAPI):
    """NinjaAPI whose URL list also answers unknown paths and wrong methods in the error shape."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":
                    pattern.callback = _api_root
                else:
                    pattern.callback = _json_method_not_allowed(pattern.callback)
        patterns.append(path("<path:rest>", _unknown_path, name="unknown-path"))
        return patterns


api = ChizhengAPI(
    title="持证 chizheng API",
    version="1",
    description="焦作市“人人持证、技能河南”平台的 JSON API。认证、错误格式与分页见 docs/api.md。",
    urls_namespace="api",
    auth=API_AUTH,
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("", core_router)
api.add_router("", people_router)
api.add_router("", occupations_router)
api.add_router("", specs_router)
api.add_router("", institutions_router)
api.add_router("", certification_router)
api.add_router("", certification_report_router)
api.add_router("", assessments_router)
api.add_router("", pathways_router)

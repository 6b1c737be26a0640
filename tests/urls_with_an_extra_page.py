"""The real URL conf plus pages nobody put in the permission matrix (tests/test_permission_matrix.py)."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as real_patterns


def _view(request):
    return HttpResponse("")


extra = ([path("extra/", _view, name="unlisted")], "core_extra")

urlpatterns = [*real_patterns, path("core/", include(extra)), path("unnamed/", _view)]

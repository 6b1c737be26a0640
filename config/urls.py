from django.contrib.auth import views as auth_views
from django.urls import include, path

from chizheng.certification import views as certification_views
from chizheng.core import views as core_views
from chizheng.institutions import views as institution_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", core_views.DemoLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("core/", include("chizheng.core.urls")),
    path("people/", include("chizheng.people.urls")),
    path("occupations/", include("chizheng.occupations.urls")),
    path("institutions/", include("chizheng.institutions.urls")),
    path("assessments/", include("chizheng.assessments.urls")),
    path("pathways/", include("chizheng.pathways.urls")),
    path("catalog/", institution_views.catalog, name="catalog"),
    path("certificates/", include("chizheng.certification.urls")),
    path("coverage/", include("chizheng.coverage.urls")),
    path("verify/", certification_views.verify, name="verify"),
    path("verify/t/<str:token>/", certification_views.verify_token, name="verify_token"),
    path("api/v1/", api.urls),
]

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("org/", views.org_list, name="org_list"),
    path("org/new/", views.org_create, name="org_create"),
    path("org/<int:pk>/", views.org_detail, name="org_detail"),
    path("org/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("users/", views.user_list, name="user_list"),
    path("audit/", views.audit_list, name="audit_list"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("imports/", views.import_list, name="import_list"),
]

from django.urls import path

from . import import_views, views

app_name = "core"

urlpatterns = [
    path("org/", views.org_list, name="org_list"),
    path("org/new/", views.org_create, name="org_create"),
    path("org/tree/", views.org_tree, name="org_tree"),
    path("org/<int:pk>/", views.org_detail, name="org_detail"),
    path("org/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("audit/", views.audit_list, name="audit_list"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/upload/", import_views.import_upload, name="import_upload"),
    path("imports/template/<slug:kind>/", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors/", import_views.import_errors, name="import_errors"),
]

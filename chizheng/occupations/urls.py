from django.urls import include, path

from . import spec_views, views

app_name = "occupations"

urlpatterns = [
    path("", views.occupation_list, name="occupation_list"),
    path("groups/", views.browse, name="browse"),
    path("groups/<str:code>/", views.browse, name="browse_group"),
    path("specs/", include(spec_views.urlpatterns)),  # evaluation specs (R3); before <str:code>/
    path("<str:code>/", views.occupation_detail, name="occupation_detail"),
    path("<str:code>/edit/", views.occupation_edit, name="occupation_edit"),
    path("<str:code>/trades/", views.trade_add, name="trade_add"),
    path("<str:code>/trades/<int:pk>/delete/", views.trade_delete, name="trade_delete"),
]

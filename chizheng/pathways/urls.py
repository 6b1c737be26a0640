from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("new/<str:pathway>/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/preview/", views.batch_preview, name="batch_preview"),
    path("<int:pk>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("<int:pk>/issue/", views.batch_issue, name="batch_issue"),
    path("x/", views.x_list, name="x_list"),
    path("x/mappings/", views.mapping_list, name="mapping_list"),
    path("x/mappings/new/", views.mapping_create, name="mapping_create"),
    path("x/mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
]

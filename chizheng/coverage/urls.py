from django.urls import path

from . import views

app_name = "coverage"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/", views.unit, name="unit"),
    path("without-certificate/", views.students_without, name="students_without"),
]

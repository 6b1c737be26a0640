from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("students/", views.student_list, name="student_list"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("learners/", views.learner_list, name="learner_list"),
    path("me/", views.me, name="me"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("students/<int:pk>/edit/", views.student_edit, name="student_edit"),
]

from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("new/", views.session_create, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/register/", views.registration_add, name="registration_add"),
    path("<int:pk>/registrations/<int:reg_pk>/remove/", views.registration_remove, name="registration_remove"),
    path("<int:pk>/registrations/<int:reg_pk>/score/", views.score_enter, name="score_enter"),
    path("<int:pk>/registrations/<int:reg_pk>/correct/", views.score_correct, name="score_correct"),
    path("<int:pk>/registrations/<int:reg_pk>/objection/", views.objection_add, name="objection_add"),
    path("<int:pk>/objections/<int:objection_pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("<int:pk>/staff/add/", views.staff_add, name="staff_add"),
    path("<int:pk>/staff/<int:staff_pk>/remove/", views.staff_remove, name="staff_remove"),
    path("<int:pk>/start/", views.session_start, name="session_start"),
    path("<int:pk>/confirm/", views.session_confirm, name="session_confirm"),
    path("<int:pk>/publicise/", views.session_publicise, name="session_publicise"),
    path("<int:pk>/issue/", views.session_issue, name="session_issue"),
    path("<int:pk>/scores/template/", views.score_template, name="score_template"),
    path("<int:pk>/scores/upload/", views.score_upload, name="score_upload"),
    path("staffing/standards/<str:code>/", views.staffing_standard, name="staffing_standard"),
    path("staffing/specs/<int:pk>/", views.staffing_spec, name="staffing_spec"),
]

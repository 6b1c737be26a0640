from django.urls import path

from . import competition_views as r7
from . import course_views as r6
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
    # R6 process assessment (过程化考核)
    path("courses/mappings/", r6.course_mapping_list, name="course_mapping_list"),
    path("courses/mappings/new/", r6.course_mapping_create, name="course_mapping_create"),
    path("courses/mappings/<int:pk>/", r6.course_mapping_detail, name="course_mapping_detail"),
    path("courses/mappings/<int:pk>/edit/", r6.course_mapping_edit, name="course_mapping_edit"),
    path("courses/mappings/<int:pk>/toggle/", r6.course_mapping_toggle, name="course_mapping_toggle"),
    path("courses/results/", r6.course_result_list, name="course_result_list"),
    # R7 competitions (竞赛取证)
    path("competitions/", r7.competition_list, name="competition_list"),
    path("competitions/new/", r7.competition_create, name="competition_create"),
    path("competitions/<int:pk>/", r7.competition_detail, name="competition_detail"),
    path("competitions/<int:pk>/edit/", r7.competition_edit, name="competition_edit"),
    path("competitions/<int:pk>/delete/", r7.competition_delete, name="competition_delete"),
    path("competitions/<int:pk>/entries/new/", r7.entry_create, name="competition_entry_create"),
    path("competitions/<int:pk>/results.xlsx", r7.results_sheet, name="competition_results_sheet"),
    path("competition-entries/<int:pk>/result/", r7.entry_result, name="competition_entry_result"),
    path("competition-entries/<int:pk>/delete/", r7.entry_delete, name="competition_entry_delete"),
]

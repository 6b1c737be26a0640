from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="institution_list"),
    path("new/", views.institution_create, name="institution_create"),
    path("review/", views.review_queue, name="review_queue"),
    path("subsidy-list/", views.subsidy_list, name="subsidy_list"),
    path("subsidy-list/add/", views.subsidy_add, name="subsidy_add"),
    path("subsidy-list/<int:pk>/remove/", views.subsidy_remove, name="subsidy_remove"),
    path("examiners/", views.examiner_list, name="examiner_list"),
    path("examiners/new/", views.examiner_create, name="examiner_create"),
    path("examiners/<int:pk>/remove/", views.examiner_remove, name="examiner_remove"),
    path("<int:pk>/", views.institution_detail, name="institution_detail"),
    path("<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("<int:pk>/submit/", views.institution_submit, name="institution_submit"),
    path("<int:pk>/scopes/add/", views.scope_add, name="scope_add"),
    path("<int:pk>/scopes/<int:scope_pk>/remove/", views.scope_remove, name="scope_remove"),
    path("<int:pk>/attachments/add/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:att_pk>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/approve/", views.institution_approve, name="institution_approve"),
    path("<int:pk>/return/", views.institution_return, name="institution_return"),
    path("<int:pk>/annual-review/", views.institution_annual_review, name="institution_annual_review"),
    path("<int:pk>/suspend/", views.institution_suspend, name="institution_suspend"),
    path("<int:pk>/restore/", views.institution_restore, name="institution_restore"),
    path("<int:pk>/revoke/", views.institution_revoke, name="institution_revoke"),
]

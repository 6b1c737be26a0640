from django.urls import path

from . import objection_views, pdf_views, report_views, views

app_name = "certification"

urlpatterns = [
    path("", views.certificate_list, name="certificate_list"),
    path("mine/", views.my_certificates, name="my_certificates"),
    path("<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("<int:pk>/reissue/", views.certificate_reissue, name="certificate_reissue"),
    # query systems (R10)
    path("reports/", report_views.report_batch_list, name="report_batch_list"),
    path("reports/new/", report_views.report_batch_create, name="report_batch_create"),
    path("reports/unreported/", report_views.report_unreported, name="report_unreported"),
    path("reports/<int:pk>/", report_views.report_batch_detail, name="report_batch_detail"),
    path("reports/<int:pk>/download/", report_views.report_batch_download, name="report_batch_download"),
    # printed certificates (PDF)
    path("<int:pk>/pdf/", pdf_views.certificate_pdf, name="certificate_pdf"),
    path("pdf.zip", pdf_views.certificate_zip, name="certificate_zip"),
    # objections during publicity (公示异议)
    path("objections/", objection_views.objection_list, name="objection_list"),
    path("<int:pk>/objections/new/", objection_views.objection_raise, name="objection_raise"),
    path("objections/<int:pk>/resolve/", objection_views.objection_resolve, name="objection_resolve"),
]

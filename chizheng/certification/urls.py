from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("", views.certificate_list, name="certificate_list"),
    path("mine/", views.my_certificates, name="my_certificates"),
    path("<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("<int:pk>/reissue/", views.certificate_reissue, name="certificate_reissue"),
]

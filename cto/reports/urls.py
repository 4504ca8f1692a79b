from django.urls import path

from cto.reports import views

app_name = "reports"

urlpatterns = [
    path("engagements/<int:engagement_pk>/reports/", views.reports_card, name="card"),
    path("engagements/<int:engagement_pk>/reports/new/", views.report_generate, name="generate"),
    path("reports/<int:pk>/retry/", views.report_retry, name="retry"),
    path("reports/<int:pk>/download/", views.report_download, name="download"),
]

from django.urls import path

from cto.reports import views

app_name = "reports"

urlpatterns = [
    path("engagements/<id:engagement_pk>/reports/", views.reports_card, name="card"),
    path("engagements/<id:engagement_pk>/reports/new/", views.report_generate, name="generate"),
    path(
        "engagements/<id:engagement_pk>/reports/<slug:kind>/text/",
        views.narrative_edit,
        name="narrative",
    ),
    path("reports/<id:pk>/retry/", views.report_retry, name="retry"),
    path("reports/<id:pk>/download/", views.report_download, name="download"),
]

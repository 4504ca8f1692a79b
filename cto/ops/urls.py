from django.urls import path

from cto.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("exports/<slug:key>.csv", views.export, name="export"),
    path("engagements/<id:pk>/advance/", views.engagement_advance, name="advance"),
    path("engagements/<id:pk>/report/", views.engagement_report, name="report"),
]

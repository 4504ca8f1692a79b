from django.urls import path

from cto.audits import views

app_name = "audits"

urlpatterns = [
    path("audits/<int:pk>/", views.audit_detail, name="detail"),
    path("audits/<int:pk>/answer/<slug:question>/", views.audit_answer, name="answer"),
    path("audits/<int:pk>/result/", views.audit_result, name="result"),
    path("audits/<int:pk>/lock/", views.audit_lock, name="lock"),
    path("engagements/<int:engagement_pk>/audits/open/", views.audit_open, name="open"),
]

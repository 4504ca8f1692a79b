from django.urls import path

from cto.audits import views

app_name = "audits"

urlpatterns = [
    path("audits/<id:pk>/", views.audit_detail, name="detail"),
    path("audits/<id:pk>/answer/<slug:question>/", views.audit_answer, name="answer"),
    path("audits/<id:pk>/result/", views.audit_result, name="result"),
    path("audits/<id:pk>/lock/", views.audit_lock, name="lock"),
    path("engagements/<id:engagement_pk>/audits/open/", views.audit_open, name="open"),
]

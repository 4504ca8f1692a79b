from django.urls import path

from cto.engagements import views

app_name = "engagements"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("engagements/<id:pk>/", views.portal_detail, name="portal_detail"),
]

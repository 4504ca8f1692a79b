from django.urls import path

from cto.api import views

app_name = "tokens"

urlpatterns = [
    path("tokens/", views.token_list, name="list"),
    path("tokens/<id:pk>/revoke/", views.token_revoke, name="revoke"),
]

from django.urls import path

from cto.api import views

app_name = "tokens"

urlpatterns = [
    path("tokens/", views.token_list, name="list"),
    path("tokens/<id:pk>/revoke/", views.token_revoke, name="revoke"),
    path("service-accounts/", views.service_account_list, name="service_accounts"),
    path(
        "service-accounts/<id:pk>/tokens/",
        views.service_account_token_create,
        name="service_account_token_create",
    ),
    path(
        "service-accounts/<id:pk>/tokens/<id:token_pk>/revoke/",
        views.service_account_token_revoke,
        name="service_account_token_revoke",
    ),
    path(
        "service-accounts/<id:pk>/deactivate/",
        views.service_account_deactivate,
        name="service_account_deactivate",
    ),
]

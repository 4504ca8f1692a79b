from django.urls import path

from cto.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="list"),
    path("webhooks/<id:pk>/", views.endpoint_detail, name="detail"),
    path("webhooks/<id:pk>/delete/", views.endpoint_delete, name="delete"),
    path("webhooks/deliveries/<id:pk>/replay/", views.delivery_replay, name="replay"),
]

from django.urls import path

from cto.receipts import views

app_name = "receipts"

urlpatterns = [
    path(
        "ai-plans/<id:pk>/gates/<id:gate_pk>/receipts/",
        views.receipt_upload,
        name="upload",
    ),
    path("ai-plans/<id:pk>/traces/", views.trace_upload, name="trace_upload"),
    path(
        "ai-plans/<id:pk>/receipts/<id:receipt_pk>/file",
        views.receipt_download,
        name="download",
    ),
    path(
        "ai-plans/<id:pk>/receipts/<id:receipt_pk>/propose/",
        views.receipt_propose,
        name="propose",
    ),
]

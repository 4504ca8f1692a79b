from django.urls import path

from cto.brand import views

app_name = "brand"
urlpatterns = [
    path("brand.css", views.brand_stylesheet, name="stylesheet"),
    path("logo.svg", views.brand_logo, name="logo"),
]

from django.urls import path

from cto.pricing import views

app_name = "pricing"

urlpatterns = [
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("quotes/<int:pk>/accept/", views.quote_accept, name="accept"),
    path("quotes/<int:pk>/decline/", views.quote_decline, name="decline"),
    path("quotes/<int:pk>/send/", views.quote_send, name="send"),
    path("quotes/<int:pk>/revise/", views.quote_revise, name="revise"),
    path("quotes/<int:pk>/lines/", views.line_add, name="line_add"),
    path("quotes/<int:pk>/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("engagements/<int:engagement_pk>/quotes/new/", views.quote_new, name="new"),
    path("revenue/", views.revenue, name="revenue"),
]

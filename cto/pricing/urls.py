from django.urls import path
from django.views.generic import RedirectView

from cto.pricing import views

app_name = "pricing"

urlpatterns = [
    path("quotes/<id:pk>/", views.quote_detail, name="quote"),
    path("quotes/<id:pk>/accept/", views.quote_accept, name="accept"),
    path("quotes/<id:pk>/decline/", views.quote_decline, name="decline"),
    path("quotes/<id:pk>/send/", views.quote_send, name="send"),
    path("quotes/<id:pk>/revise/", views.quote_revise, name="revise"),
    path("quotes/<id:pk>/lines/", views.line_add, name="line_add"),
    path("quotes/<id:pk>/lines/<id:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("engagements/<id:engagement_pk>/quotes/new/", views.quote_new, name="new"),
    # Where the revenue page was before operator pages moved under /ops/.
    path(
        "revenue/",
        RedirectView.as_view(pattern_name="pricing:revenue", permanent=True, query_string=True),
    ),
]

# Operator pages: cto/urls.py mounts these under /ops/, in the same namespace.
ops_urlpatterns = [
    path("revenue/", views.revenue, name="revenue"),
]

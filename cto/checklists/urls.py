from django.urls import path
from django.views.generic import RedirectView

from cto.checklists import views

app_name = "checklists"

urlpatterns = [
    path("engagements/<id:engagement_pk>/checklist/", views.checklist_detail, name="detail"),
    path("engagements/<id:engagement_pk>/checklist/apply/", views.checklist_apply, name="apply"),
    path("engagements/<id:engagement_pk>/checklist/items/", views.item_add, name="item_add"),
    path("checklist-items/<id:pk>/status/", views.item_status, name="item_status"),
    path("checklist-items/<id:pk>/evidence/", views.item_evidence, name="item_evidence"),
    path("checklist-items/<id:pk>/owner/", views.item_owner, name="item_owner"),
    path("checklist-items/<id:pk>/drop/", views.item_drop, name="item_drop"),
    path("evidence/<id:pk>/download/", views.evidence_download, name="evidence_download"),
    # Where the list was before operator pages moved under /ops/.
    path(
        "due-this-week/",
        RedirectView.as_view(
            pattern_name="checklists:due_this_week", permanent=True, query_string=True
        ),
    ),
]

# Operator pages: cto/urls.py mounts these under /ops/, in the same namespace.
ops_urlpatterns = [
    path("due-this-week/", views.due_this_week, name="due_this_week"),
]

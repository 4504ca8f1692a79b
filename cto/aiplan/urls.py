from django.urls import path

from cto.aiplan import views

app_name = "aiplan"

urlpatterns = [
    path("engagements/<id:engagement_pk>/ai-plan/start/", views.plan_start, name="start"),
    path("ai-plans/<id:pk>/", views.plan_detail, name="detail"),
    path("ai-plans/<id:pk>/export.json", views.plan_export, name="export"),
    path("ai-plans/<id:pk>/criteria/", views.criterion_add, name="criterion_add"),
    path(
        "ai-plans/<id:pk>/criteria/<id:criterion_pk>/weight/",
        views.criterion_weight,
        name="criterion_weight",
    ),
    path("ai-plans/<id:pk>/candidates/", views.candidate_add, name="candidate_add"),
    path("ai-plans/<id:pk>/scores/", views.cell_score, name="cell_score"),
    path("ai-plans/<id:pk>/choice/", views.plan_choose, name="choose"),
    path("ai-plans/<id:pk>/gates/<id:gate_pk>/result/", views.gate_result, name="gate_result"),
    path(
        "ai-plans/<id:pk>/failure-modes/<id:mode_pk>/status/",
        views.failure_mode_status,
        name="failure_mode_status",
    ),
    path(
        "ai-plans/<id:pk>/failure-mode-proposals/",
        views.failure_mode_propose,
        name="failure_mode_propose",
    ),
    path(
        "ai-plans/<id:pk>/failure-mode-proposals/<id:proposal_pk>/confirm/",
        views.proposal_confirm,
        name="proposal_confirm",
    ),
    path(
        "ai-plans/<id:pk>/failure-mode-proposals/<id:proposal_pk>/dismiss/",
        views.proposal_dismiss,
        name="proposal_dismiss",
    ),
    path("ai-plans/<id:pk>/comments/", views.comment_add, name="comment_add"),
]

from django.urls import path

from cto.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.intake_home, name="home"),
    path("start/", views.intake_start, name="start"),
    path("q/<slug:node>/", views.intake_question, name="question"),
    path("result/", views.intake_result, name="result"),
    path("thanks/", views.intake_thanks, name="thanks"),
    path("call/", views.intake_call, name="call"),
    path("resume/<str:token>/", views.intake_resume, name="resume"),
    path("email-link/", views.intake_email_link, name="email_link"),
    path("confirm/<str:token>/", views.intake_confirm, name="confirm"),
]

from django.urls import path

from cto.users import views

app_name = "users"

urlpatterns = [
    path("organizations/<id:pk>/team/", views.team, name="team"),
    path("organizations/<id:pk>/team/invite/", views.invite, name="invite"),
    path("invitations/<id:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("memberships/<id:pk>/remove/", views.membership_remove, name="membership_remove"),
    # The emailed link: <token> is signed (see Invitation.token), never a bare id.
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]

"""Forms of the users app: the admin's for the email-login user (Django's own assume a
username) and the team page's invitation form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm

from cto.users.models import Membership, User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, type] = {}


class InvitationForm(forms.Form):
    """An owner's invitation: the rules (a member already, one open invitation per address)
    are the service's; this only reads the fields."""

    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        choices=Membership.Role.choices, initial=Membership.Role.MEMBER, label="Role"
    )

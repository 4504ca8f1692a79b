"""People, the client organisations they belong to, and the invitations that bring them in."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core import signing
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from cto.core.models import TimeStampedModel
from cto.users.addresses import normalize_email


class UserManager(DjangoUserManager["User"]):
    """Email is the login: no usernames anywhere."""

    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The project's one normalisation (Django's own lowers the domain only)."""
        return normalize_email(email or "")

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]  # email replaces username
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]  # email replaces username
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email. ``is_staff`` marks the practice's operators."""

    username = None  # type: ignore[assignment]  # email is the login
    first_name = None  # type: ignore[assignment]  # one name field suits every culture
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=200, blank=True)
    # A CI pipeline's or an agent's account, made by an operator (cto.api.service_accounts): it
    # holds API tokens and never signs in, and no email is sent to it.
    is_service_account = models.BooleanField(default=False, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_operator(self) -> bool:
        return self.is_active and self.is_staff


class Organization(TimeStampedModel):
    """A client company. Everything a client sees hangs off one of these."""

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    members = models.ManyToManyField(User, through="Membership", related_name="organizations")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organization_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"


def _invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_TTL_DAYS)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked: the ones the one-per-address constraint counts
        (an expired invitation stays open until it is replaced or revoked)."""
        return self.filter(accepted_at=None, revoked_at=None)

    def pending(self) -> InvitationQuerySet:
        """Open and not yet expired: the ones whose link still works."""
        return self.open().filter(expires_at__gt=timezone.now())

    def from_token(self, token: str) -> Invitation | None:
        """The invitation a link's token names, or ``None`` for a forged, mangled or stale
        token (whatever its state: callers say why it cannot be accepted)."""
        try:
            pk, nonce = _token_signer().unsign_object(token)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        invitation = self.select_related("organization", "invited_by").filter(pk=pk).first()
        if invitation is None or not constant_time_compare(invitation.nonce, str(nonce)):
            return None
        return invitation


def _token_signer() -> signing.Signer:
    # "." never occurs in URL-safe base64, so the token is one clean path segment.
    return signing.Signer(salt="cto.users.invitation", sep=".")


class Invitation(TimeStampedModel):
    """An owner's invitation for an email address to join an organisation with a role.

    The link's token is the pair (id, nonce) signed with the SECRET_KEY: forging one needs
    the key and reading the nonce needs the database, and the emailing task can rebuild the
    link from the id alone, so no secret travels through the broker. Its state is derived
    from the timestamps (see ``status``) and changes only in ``cto.users.services``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"
        EXPIRED = "expired", "Expired"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(help_text="Lower-case: an address is compared without case.")
    role = models.CharField(
        max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nonce = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_one_open_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="invitation_email_lower"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at=None) | models.Q(revoked_at=None),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} ({self.get_role_display()})"

    @property
    def status(self) -> Invitation.Status:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def token(self) -> str:
        return _token_signer().sign_object([self.pk, self.nonce])

    def get_absolute_url(self) -> str:
        return reverse("users:invitation", kwargs={"token": self.token})


class OrganizationEvent(models.Model):
    """One change to who belongs to an organisation: an invitation sent, withdrawn or
    accepted, a member removed or gone. Never edited; kept after the membership is gone."""

    class Verb(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_REVOKED = "invitation_revoked", "Invitation withdrawn"
        JOINED = "joined", "Joined"
        REMOVED = "removed", "Removed"
        LEFT = "left", "Left"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=32, choices=Verb.choices)
    # The address concerned, kept as text: the user row may change or go.
    email = models.EmailField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_verb_display()}: {self.email} (by {self.actor or 'system'})"

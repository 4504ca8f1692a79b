"""The practice's identity: one row, edited in the admin, read through the cache."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from cto.brand.colors import check_readable_on_white, normalize_hex_color
from cto.brand.logo import clean_logo_svg

SINGLETON_ID = 1


class Brand(models.Model):
    """Who the practice is: its name, mark, colours and how to reach it.

    There is at most one row (id 1). Without it, the settings' BRAND_* values apply; see
    cto.brand.selectors.brand_current, the one way to read the brand."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    name = models.CharField(max_length=80, help_text="As clients know the practice.")
    tagline = models.CharField(
        max_length=120, blank=True, help_text="A short line shown with the name."
    )
    logo_svg = models.TextField(
        "logo (SVG)",
        blank=True,
        help_text="The SVG source of the logo, at most 32 KB of shapes, gradients and text. "
        "Empty: the default mark.",
    )
    primary_color = models.CharField(
        "primary colour",
        max_length=7,
        help_text="Hex, e.g. #143d6e: links, buttons and headings. Dark enough for white text.",
    )
    accent_color = models.CharField(
        "accent colour", max_length=7, help_text="Hex, e.g. #f2a541: rules and highlights."
    )
    address = models.TextField("postal address", blank=True, help_text="One line per line.")
    email = models.EmailField("contact email", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(
        blank=True, validators=[URLValidator(schemes=["http", "https"])], max_length=200
    )
    booking_url = models.URLField(
        "booking link",
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where a prospect books a first call (a scheduling page, https://…), offered "
        "after the intake beside the calendar invitation. Empty: the invitation only.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "practice brand"
        verbose_name_plural = "practice brand"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=SINGLETON_ID), name="brand_single_row"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Normalise every field to the one form stored: the logo rewritten by the sanitiser,
        colours as #rrggbb, single-line texts without line breaks (they go into headers)."""
        errors: dict[str, list[ValidationError]] = {}
        self.name = " ".join(self.name.split())
        self.tagline = " ".join(self.tagline.split())
        self.phone = " ".join(self.phone.split())
        self.address = "\n".join(line.strip() for line in self.address.splitlines() if line.strip())
        for field in ("primary_color", "accent_color"):
            try:
                setattr(self, field, normalize_hex_color(getattr(self, field)))
            except ValidationError as error:
                errors.setdefault(field, []).append(error)
        if "primary_color" not in errors:
            try:
                check_readable_on_white(self.primary_color)
            except ValidationError as error:
                errors.setdefault("primary_color", []).append(error)
        if self.logo_svg.strip():
            try:
                self.logo_svg = clean_logo_svg(self.logo_svg)
            except ValidationError as error:
                errors.setdefault("logo_svg", []).append(error)
        else:
            self.logo_svg = ""
        if errors:
            raise ValidationError(errors)

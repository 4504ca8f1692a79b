"""The admin's form for the brand: the logo as pasted SVG source or as an uploaded file."""

from __future__ import annotations

from typing import Any

from django import forms

from cto.brand.logo import MAX_BYTES
from cto.brand.models import Brand


class BrandForm(forms.ModelForm):
    website = forms.URLField(
        required=False, max_length=200, assume_scheme="https", help_text="https://…"
    )
    booking_url = forms.URLField(
        label="Booking link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=Brand._meta.get_field("booking_url").help_text,
    )
    logo_file = forms.FileField(
        label="Upload a logo",
        required=False,
        help_text="An .svg file; it replaces the SVG source above.",
        widget=forms.ClearableFileInput(attrs={"accept": ".svg,image/svg+xml"}),
    )

    class Meta:
        model = Brand
        fields = [
            "name",
            "tagline",
            "logo_svg",
            "logo_file",
            "primary_color",
            "accent_color",
            "address",
            "email",
            "phone",
            "website",
            "booking_url",
        ]
        widgets = {
            "logo_svg": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
            "primary_color": forms.TextInput(attrs={"size": 8}),
            "accent_color": forms.TextInput(attrs={"size": 8}),
            "address": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self) -> dict[str, Any]:
        """An uploaded file stands in for the pasted source; the model's clean sanitises it."""
        cleaned = super().clean() or {}
        upload = cleaned.get("logo_file")
        if upload:
            raw = upload.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                self.add_error(
                    "logo_file",
                    f"The file is larger than the {MAX_BYTES // 1024} KB a logo may be.",
                )
                return cleaned
            try:
                cleaned["logo_svg"] = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("logo_file", "The file is not an SVG: SVG is text, in UTF-8.")
        return cleaned

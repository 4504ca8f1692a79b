"""Writes to the practice's brand."""

from __future__ import annotations

from django.db import transaction

from cto.brand.models import Brand
from cto.brand.selectors import brand_forget


@transaction.atomic
def brand_save(*, brand: Brand) -> Brand:
    """Validate and store the practice's one brand row (logo sanitised, colours normalised);
    every process sees it once the transaction commits, when the cached brand is dropped."""
    brand.full_clean()
    brand.save()
    # Now, for what this transaction reads next (the demo seed asks for a report with the new
    # brand), and again on commit, for a process that cached the old row meanwhile.
    brand_forget()
    transaction.on_commit(brand_forget)
    return brand

"""The templates themselves: Django's short comment `{# ... #}` ends on its own line; one
spread over several lines is not a comment at all, and its text shows on the page (it did, at
the foot of every page, once). Long comments use {% comment %}."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def _templates() -> list[Path]:
    roots = [
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR, "cto").glob("*/templates"),
    ]
    return sorted(path for root in roots for path in root.rglob("*") if path.is_file())


def test_no_short_comment_runs_over_a_line() -> None:
    templates = _templates()
    assert len(templates) > 50  # the walk found the project's templates
    unclosed = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert unclosed == []

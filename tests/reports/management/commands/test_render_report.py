"""cto/reports/management/commands/render_report.py: renders to a file and records nothing."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from django.core.management import CommandError, call_command

from cto.engagements.models import Engagement
from cto.reports.models import Report

pytestmark = pytest.mark.django_db


def test_render_report_writes_a_file_and_records_nothing(
    ai_engagement: Engagement, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "week-one.pdf"
    events = ai_engagement.events.count()
    call_command(
        "render_report", str(ai_engagement.pk), "--kind", "week_one", "--output", str(target)
    )
    printed = capsys.readouterr().out
    pages = len(pypdf.PdfReader(target).pages)
    assert f"{pages} pages, {target.stat().st_size} bytes" in printed
    assert " ms rendering" in printed
    assert not Report.objects.exists()
    assert ai_engagement.events.count() == events
    with pytest.raises(CommandError, match="no engagement 999999"):
        call_command("render_report", "999999", "--output", str(target))

"""Our PDF against the engine a user would pick instead: the week-one report's final HTML
printed by WeasyPrint (pdf.render, in this process, as a warm worker does) and by headless
Chromium (a whole `chromium --print-to-pdf` process per document, as a document service pays),
interleaved in one run so that a busy moment of the machine weighs on both alike (issue 22,
section 5). The target is a ratio of the medians of at most 1.0 x. Beside it, for the record:
the whole of our path from the database (snapshot, template and render, as
services.report_render_unsaved runs them), which Chromium, given the HTML, is spared.

Run with `make bench` (Debian's `chromium`, which `make test` installs; without it this script
says so and records nothing). Standalone: `DATABASE_URL=postgres://.../cto_bench_chromium
uv run python bench/report_chromium.py`; BENCH_CHROMIUM_ROUNDS (default 7) rounds of each.

Both get the same HTML (bench/week_one.py's report), with the same stylesheet and fonts: for
Chromium they are written to a temporary folder and named by file:// URLs, the stylesheet by a
<link> in the head (WeasyPrint is given it by pdf.py). Chromium ignores what CSS it does not
implement (running strings, leaders, bookmarks), so its file has no running header text, no
page numbers in the contents and no outline: it does less than ours, never more.

Prints a Markdown table with the page count of each and writes the `pdf_chromium` section of
bench/results.json.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")
os.environ.setdefault("PRIVATE_ROOT", tempfile.mkdtemp(prefix="cto-bench-"))
django.setup()

import pypdf  # noqa: E402  # after django.setup()
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import results  # noqa: E402  # after the path
from bench.week_one import CHECKLIST_ITEMS, realistic_engagement  # noqa: E402  # same

ROUNDS = int(os.environ.get("BENCH_CHROMIUM_ROUNDS", "7"))
CHROMIUM = shutil.which("chromium")


def pages_of(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


class ChromiumPrinter:
    """Prints HTML meant for pdf.render with headless Chromium, one process per document, from
    a folder holding our stylesheet and fonts. Its profile lives in the folder too, made by a
    first run, as a document service keeps one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        static = folder / "static"
        for part in ("css", "fonts"):
            shutil.copytree(ROOT / "static" / part, static / part)
        self.static_url = static.as_uri() + "/"
        stylesheet = static / "css" / "report.css"
        # report.css names its fonts by static: URLs, which only our fetcher serves.
        stylesheet.write_text(stylesheet.read_text().replace("static:", self.static_url))
        self.head = (
            f'<head><base href="{self.static_url}">'
            f'<link rel="stylesheet" href="{self.static_url}css/report.css">'
        )

    def print(self, html: str) -> bytes:
        page = self.folder / "report.html"
        page.write_text(html.replace("<head>", self.head, 1))
        out = self.folder / "report.pdf"
        out.unlink(missing_ok=True)
        assert CHROMIUM is not None  # noqa: S101  # main() checks
        subprocess.run(  # noqa: S603  # our own arguments
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={self.folder / 'profile'}",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return out.read_bytes()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("make bench measures on PostgreSQL: set DATABASE_URL (make bench does).")
    if CHROMIUM is None:
        print("bench: chromium is not installed (Debian's chromium): Chromium ratio skipped.")
        return
    setup_test_environment()
    for noisy in ("fontTools", "weasyprint"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    settings.DEBUG = False
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    ours_ms, pipeline_ms, theirs_ms = [], [], []
    try:
        from cto.reports import services

        engagement = realistic_engagement()
        with tempfile.TemporaryDirectory(prefix="cto-chromium-") as folder:
            chromium = ChromiumPrinter(Path(folder))
            # Warm-ups: the stylesheet and fonts, once a process; Chromium's profile, made once.
            timed = services.report_render_unsaved(engagement=engagement, kind="week_one")
            ours_pages, theirs_pages = timed.rendered.pages, pages_of(chromium.print(timed.html))
            for _ in range(ROUNDS):
                started = time.perf_counter()
                timed = services.report_render_unsaved(engagement=engagement, kind="week_one")
                pipeline_ms.append((time.perf_counter() - started) * 1000)
                ours_ms.append(timed.rendered.milliseconds)  # pdf.render's own time
                started = time.perf_counter()
                printed = chromium.print(timed.html)
                theirs_ms.append((time.perf_counter() - started) * 1000)
                assert (timed.rendered.pages, pages_of(printed)) == (ours_pages, theirs_pages)  # noqa: S101
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    ours, theirs = statistics.median(ours_ms), statistics.median(theirs_ms)
    pipeline = statistics.median(pipeline_ms)
    ratio = ours / theirs
    written = results.record(
        "pdf_chromium",
        {
            "report": f"week_one, {CHECKLIST_ITEMS} checklist items",
            "rounds": ROUNDS,
            "weasyprint_median_ms": round(ours, 1),
            "weasyprint_pages": ours_pages,
            "pipeline_median_ms": round(pipeline, 1),
            "pipeline_ratio": round(pipeline / theirs, 3),
            "chromium_median_ms": round(theirs, 1),
            "chromium_pages": theirs_pages,
            "chromium": subprocess.run(  # noqa: S603  # our own arguments
                [CHROMIUM, "--version"], capture_output=True, text=True, check=False
            ).stdout.strip(),
            "ratio": round(ratio, 3),
            "ratio_met": ratio <= 1.0,
        },
    )
    print(f"\nWeek-one report, the same HTML, {ROUNDS} rounds of each, interleaved:\n")
    print("| engine | median | pages |")
    print("|---|---:|---:|")
    print(f"| WeasyPrint (pdf.render, warm worker) | {ours:.0f} ms | {ours_pages} |")
    print(f"| headless Chromium (a process per document) | {theirs:.0f} ms | {theirs_pages} |")
    print(f"| ours from the database: snapshot + template + render | {pipeline:.0f} ms | |")
    print(f"\nRatio of the medians: {ratio:.2f} x (target: at most 1.0 x); from the database, ")
    print(f"{pipeline / theirs:.2f} x.")
    print(f"Written to {written.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()

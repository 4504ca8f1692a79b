"""HTML to PDF with WeasyPrint, fetching nothing from the network or the disk.

The only URLs a report may load are ``static:`` ones, naming our own files under ``static/``
(the print stylesheet, images). Anything else, http, https, file, data, or a path that climbs
out of static/, is refused. The stylesheet is parsed once per worker process."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import weasyprint
from django.conf import settings
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# fontTools stamps each font subset it embeds with the current time unless SOURCE_DATE_EPOCH is
# set; a fixed stamp keeps the same HTML giving the same bytes.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

GENERATOR = f"cto-reports/1 weasyprint/{weasyprint.__version__}"
PRINT_CSS = "css/report.css"


class StaticOnlyFetcher(URLFetcher):
    """Serves ``static:<path>`` from our static folder; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"static"}, allow_redirects=False, fail_on_errors=False)
        self.root = (Path(settings.BASE_DIR) / "static").resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if not url.startswith("static:"):
            self.refused.append(url)
            raise ValueError(f"Reports load nothing from outside: {url[:80]}")
        path = (self.root / url.removeprefix("static:").lstrip("/")).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"Not one of our static files: {url[:80]}")
        return URLFetcherResponse(url, path.read_bytes())


@lru_cache(maxsize=1)
def font_configuration() -> FontConfiguration:
    """One per process: the fonts report.css declares (@font-face) are loaded into it once."""
    return FontConfiguration()


@lru_cache(maxsize=1)
def print_stylesheet() -> weasyprint.CSS:
    """report.css, parsed once per process, with its fonts loaded into font_configuration()."""
    return weasyprint.CSS(
        url=f"static:{PRINT_CSS}",
        url_fetcher=StaticOnlyFetcher(),
        font_config=font_configuration(),
    )


class OverBudget(Exception):
    """The content is more than one report may hold: refused with a message, never retried."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    milliseconds: int


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one rendering, then run once over the young
    generation, which holds everything the rendering allocated.

    A rendering allocates some hundreds of thousands of objects (boxes, styles, text runs) that
    live until it ends, so the collector's passes during it found nothing to free and took about
    a sixth of the time. One pass at the end frees the rendering's cycles: a worker's memory
    stays level (docs/performance.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect(0)


def layout(html: str) -> Document:
    """``html`` laid out in pages with our stylesheet, fetcher and fonts, not yet written: what
    render() writes, and what tests/reports/test_layout.py reads the page boxes of."""
    return weasyprint.HTML(
        string=html, base_url="static:/", url_fetcher=StaticOnlyFetcher()
    ).render(stylesheets=[print_stylesheet()], font_config=font_configuration())


def render(html: str) -> Rendered:
    """The PDF of ``html``. Its metadata (title, author, dates) comes from the HTML's own
    <meta> tags, so the same HTML gives the same bytes.

    Within budget or refused: HTML past REPORT_MAX_HTML_BYTES is refused before parsing, and a
    layout past REPORT_MAX_PAGES before the PDF is written. (Time is the worker's soft limit.)"""
    started = time.perf_counter()
    size = len(html.encode())
    if size > settings.REPORT_MAX_HTML_BYTES:
        raise OverBudget(
            f"The report's content is {size / 1_048_576:.1f} MB, more than the "
            f"{settings.REPORT_MAX_HTML_BYTES / 1_048_576:.1f} MB one report may hold."
        )
    with collector_paused():
        document = layout(html)
        pages = len(document.pages)
        if pages > settings.REPORT_MAX_PAGES:
            raise OverBudget(
                f"The report would have {pages} pages, more than the "
                f"{settings.REPORT_MAX_PAGES} one report may have."
            )
        pdf = document.write_pdf()
        del document  # its boxes are freed by the collector's pass, not kept until we return
    return Rendered(pdf, pages, round((time.perf_counter() - started) * 1000))

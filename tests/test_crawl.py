"""A crawl of every page reachable from the navigation, as a prospect, a demo client and the demo
operator, on the demo data: no answer may be a server error.

Cross-cutting: it walks the whole app as people find it, so it mirrors no single module and
stays at the top of tests/. It runs in both of `make test`'s passes: on PostgreSQL, and on
SQLite with the file-system broker, the embedded default `make run` uses (where a page that
only PostgreSQL could serve once answered 500 unseen).

From each role's landing pages it follows, breadth first, every same-site link (``<a href>``)
and every htmx fragment (``hx-get``, requested as htmx asks for it). Downloads that are not
HTML are requested once and not read for links. Sign-out is not followed (the rest of the crawl
would be anonymous), nor the admin beyond its index and its lists: its filters, sorts and
object pages multiply without end and are Django's own."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from cto.demo.seed import CLIENTS, OPERATOR, seed_demo
from cto.reports.models import Report
from cto.reports.services import report_render
from cto.users.models import User

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SITE = "http://testserver"


class _Links(HTMLParser):
    """The same-page-relative targets of a page: links and htmx fragments, apart."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.fragments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if values.get("hx-get"):
            self.fragments.append(values["hx-get"] or "")


def _same_site_path(base: str, target: str) -> str | None:
    """``target`` resolved against the page it is on, without its fragment; None when it leaves
    the site or is no page (mailto:, javascript:, a bare #)."""
    url = urldefrag(urljoin(SITE + base, target.strip())).url
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != urlsplit(SITE).netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _followed(path: str) -> bool:
    if path.startswith(reverse("account_logout")):
        return False
    if path.startswith("/admin/"):
        # The index, an app's page and a model's list; no query strings, no object pages.
        depth = len([part for part in path.split("/") if part])
        return "?" not in path and depth <= 3
    return True


@dataclass
class Crawl:
    visited: dict[tuple[str, bool], int] = field(default_factory=dict)  # (path, htmx) → status
    errors: list[str] = field(default_factory=list)

    def pages(self, status: int) -> list[str]:
        return [path for (path, _), code in self.visited.items() if code == status]


def crawl(client: Client, start: list[str]) -> Crawl:
    result = Crawl()
    queue: deque[tuple[str, bool]] = deque((path, False) for path in start)
    while queue:
        path, htmx = queue.popleft()
        if (path, htmx) in result.visited:
            continue
        try:
            response = client.get(path, headers=HTMX if htmx else {})
        except Exception as error:  # the crawl reports every page that fails
            result.visited[path, htmx] = 500
            result.errors.append(f"{path} (htmx={htmx}): {type(error).__name__}: {error}")
            continue
        result.visited[path, htmx] = response.status_code
        if response.status_code >= 500:
            result.errors.append(f"{path} (htmx={htmx}): {response.status_code}")
        if response.status_code in {301, 302, 303, 307, 308}:
            target = _same_site_path(path, response["Location"])
            if target and _followed(target):
                queue.append((target, False))
            continue
        if response.streaming:  # a file: read to its end, as a browser would, and no further
            # The test client closes the file at the end (closing it here would also close the
            # test's database connection, through Django's request_finished signal).
            response.getvalue()
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for targets, as_htmx in ((parser.links, False), (parser.fragments, True)):
            for target in targets:
                found = _same_site_path(path, target)
                if found and _followed(found) and (found, as_htmx) not in result.visited:
                    queue.append((found, as_htmx))
    return result


# role → (who signs in, the landing pages, the fewest pages a crawl that works must reach). The
# floors sit below today's figures on the demo data (prospect 6, Ada 37, Sam 12, operator 77)
# so that a new or removed link does not break the test, and far above what a crawl stopped at
# its start reaches.
ROLES: dict[str, tuple[str | None, list[str], int]] = {
    "prospect": (None, ["/", "/pricing/", "/intake/"], 5),
    "client-ai": (CLIENTS[0][0].email, ["/", "/portal/"], 25),
    "client-generic": (CLIENTS[1][0].email, ["/", "/portal/"], 8),
    "operator": (OPERATOR.email, ["/", "/portal/", "/ops/", "/admin/"], 60),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_reachable_from_the_navigation_answers_without_a_server_error(
    client: Client, role: str
) -> None:
    seed_demo()
    # The demo's week-one report, rendered here as make run's worker would: its download is
    # linked then, and requested once.
    for report in Report.objects.filter(status=Report.Status.QUEUED):
        report_render(report_id=report.pk)
    email, start, fewest = ROLES[role]
    if email:
        client.force_login(User.objects.get(email=email))

    result = crawl(client, start)

    assert result.errors == []
    assert len(result.visited) >= fewest, sorted(result.visited)
    # Every link leads somewhere: a missing page is a broken link, not an answer.
    assert result.pages(404) == []
    if email:  # the portal home links to the person's API tokens, and that page to the API
        assert ("/portal/tokens/", False) in result.visited
        assert result.visited["/api/v1/docs", False] == 200
    if role in {"client-ai", "operator"}:  # the report is of Ada's engagement
        assert any(path.endswith("/download/") for path, _ in result.visited), "no report"

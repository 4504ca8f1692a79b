"""The browser of the end-to-end tests: Debian's Chromium driven by Playwright, with what it
watches on every page (console errors, uncaught exceptions, Content-Security-Policy
violations), the axe-core scan and the screenshots.

`make test` installs the `chromium` package and axe-core (npm ci) when they are missing; a
machine without them fails here with what to do, never skips.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    WebError,
    expect,
    sync_playwright,
)

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SHOTS_DIR = Path(settings.BASE_DIR) / "var" / "e2e"
DOCS_DIR = Path(settings.BASE_DIR) / "docs"
# The README's screenshots are refreshed only when asked (E2E_UPDATE_DOCS=1 make test): a test
# run must not leave tracked files changed.
UPDATE_DOCS = os.environ.get("E2E_UPDATE_DOCS") == "1"

# Generous for a 2-core CI machine: these bound a wait for something visible, they are not sleeps.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = "Pixel 7"  # a Chromium phone profile of Playwright's device list: touch, mobile
# ... narrowed to 375 px, the narrowest phone the pages promise to serve.
PHONE_VIEWPORT = {"width": 375, "height": 740}

# Runs in every document before the page's own scripts. Init scripts go through the DevTools
# protocol, so the page's Content-Security-Policy does not apply to them; the binding they call
# is the same kind of channel (`test_the_checks_catch_what_they_are_for` proves both work).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__e2eCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "(inline)"} ` +
    `in ${event.documentURI} (${event.sourceFile || "?"}:${event.lineNumber})`
  ).then(() => { window.__e2eCspReported = (window.__e2eCspReported || 0) + 1; });
});
"""

# Every finding fails a test, whatever its impact: the pages are at 0 and stay there (issue 25).
# A finding axe gives no impact (it has none for some rules) fails too.
AXE_FAILING_IMPACTS = ("minor", "moderate", "serious", "critical", None)


@dataclass
class Watch:
    """Everything the browser complained about, page by page, across the journey."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            page = message.page.url if message.page else "?"
            self.console_errors.append(f"{message.text} (on {page})")

    def on_web_error(self, error: WebError) -> None:
        page = error.page.url if error.page else "?"
        self.page_errors.append(f"{error.error} (on {page})")

    def on_csp_violation(self, source: dict[str, Any], report: str) -> None:
        self.csp_violations.append(report)

    def problems(self) -> dict[str, list[str]]:
        return {
            "console errors": self.console_errors,
            "uncaught exceptions": self.page_errors,
            "CSP violations": self.csp_violations,
        }


@dataclass
class AxeFinding:
    page: str
    passed: int  # rules that found nothing wrong: proof that axe looked at a real page
    counts: dict[str, int]  # impact -> number of violated rules
    failing: list[str]  # "rule (impact): help, at selectors", one per rule violated


@dataclass
class E2EBrowser:
    """One Chromium for a test: contexts (one per person), the watch, screenshots and axe."""

    playwright: Playwright
    browser: Browser
    watch: Watch
    shots_dir: Path
    axe_source: str
    axe_findings: list[AxeFinding] = field(default_factory=list)
    shots_taken: int = 0

    def new_context(self, *, phone: bool = False) -> BrowserContext:
        """A fresh browser profile (its own cookies), on a phone or a 1280-wide desktop."""
        options: dict[str, Any] = (
            {**self.playwright.devices[PHONE], "viewport": PHONE_VIEWPORT}
            if phone
            else {"viewport": DESKTOP}
        )
        context = self.browser.new_context(**options, accept_downloads=True, locale="en-GB")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.expose_binding("__e2eCspViolation", self.watch.on_csp_violation)
        context.add_init_script(CSP_LISTENER)
        context.on("console", self.watch.on_console)
        context.on("weberror", self.watch.on_web_error)
        return context

    def signed_in_page(self, base_url: str, user: Any, *, phone: bool = False) -> Page:
        """A page of a fresh profile signed in as ``user`` (the journey test drives the
        sign-in pages themselves; the other tests start signed in)."""
        context = self.new_context(phone=phone)
        context.add_cookies([session_cookie(base_url, user)])
        return context.new_page()

    def screenshot(self, page: Page, name: str, *, also: Path | None = None) -> Path:
        """The whole page to var/e2e/NN-name.png (in journey order), and to ``also`` if given
        and E2E_UPDATE_DOCS=1.
        The first screenshot of a test clears what the previous run left there."""
        if self.shots_taken == 0:
            self.shots_dir.mkdir(parents=True, exist_ok=True)
            for old in self.shots_dir.iterdir():
                if old.is_file():
                    old.unlink()
        self.shots_taken += 1
        path = self.shots_dir / f"{self.shots_taken:02d}-{name}.png"
        # caret="initial": hiding the caret leaves style="" on every input, which htmx then
        # copies onto the swapped-in inputs with the same id, and the CSP rightly refuses that.
        page.screenshot(path=path, full_page=True, animations="disabled", caret="initial")
        if also is not None and UPDATE_DOCS:
            shutil.copyfile(path, also)
        return path

    def axe(self, page: Page, name: str) -> AxeFinding:
        """Run axe-core in the page (every rule it has) and record what it found.

        The script goes in through the DevTools protocol as well: an injected <script> tag would
        be refused by the page's CSP, and would count as a violation itself.
        """
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        result = page.evaluate("async () => await window.axe.run(document)")
        counts = Counter(violation["impact"] or "unknown" for violation in result["violations"])
        failing = [
            f"{violation['id']} ({violation['impact']}): {violation['help']}, at "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in result["violations"]
            if violation["impact"] in AXE_FAILING_IMPACTS
        ]
        finding = AxeFinding(
            page=name, passed=len(result["passes"]), counts=dict(counts), failing=failing
        )
        self.axe_findings.append(finding)
        return finding


def session_cookie(base_url: str, user: Any) -> dict[str, Any]:
    """The cookie of a session signed in as ``user``, made by Django's test client."""
    django_client = Client()
    django_client.force_login(user)
    session = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Chromium is not installed: `make test` installs Debian's `chromium` package "
            "(as root), or run `apt-get install chromium`.",
            pytrace=False,
        )
    return found


def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(
            f"axe-core is missing ({AXE_JS}): `make test` runs `npm ci`, or run it yourself.",
            pytrace=False,
        )
    return AXE_JS.read_text()


@pytest.fixture
def e2e_browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[E2EBrowser]:
    """Chromium and its watch; closed however the test ends.

    Playwright's synchronous API keeps an asyncio loop running in this thread, which Django
    takes for an async context and refuses ORM calls in; the test's own queries are plain
    synchronous code, so the check is lifted for the e2e tests alone.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    chromium, axe_source = _chromium(), _axe_source()
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        e2e = E2EBrowser(
            playwright=playwright,
            browser=browser,
            watch=Watch(),
            shots_dir=SHOTS_DIR,
            axe_source=axe_source,
        )
        try:
            yield e2e
        finally:
            browser.close()  # and with it every context still open
            for kind, seen in e2e.watch.problems().items():  # shown when the test fails
                for problem in seen:
                    print(f"browser {kind}: {problem}")
            # Under Playwright's loop, Django keeps this thread's connections in a context
            # variable of their own: close them here, or one stays open and the test database
            # cannot be dropped at the end of the run.
            connections.close_all()
            if e2e.shots_taken:  # the test that records the run in var/e2e: its axe results too
                findings = [vars(finding) for finding in e2e.axe_findings]
                (SHOTS_DIR / "axe.json").write_text(json.dumps(findings, indent=2))

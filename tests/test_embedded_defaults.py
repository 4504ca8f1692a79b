"""`make run` on the embedded defaults: SQLite under var/, the file-system broker, a real worker
and the web server started together by the Procfile, with no server installed; on a port of its
own, which the links in its emails follow.

Runs the real processes in a scratch folder, outside the PostgreSQL test database.

Cross-cutting: it runs the whole app as `make run` starts it, so it mirrors no single module
and stays at the top of tests/."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from cto.demo.seed import OPERATOR
from tests.celery_worker import wait_for

SERVER_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_KEY_PREFIX",
    "REDIS_URL",
    "SITE_URL",
    "PORT",
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        EMAIL_URL=f"filemail://{tmp_path / 'mail'}",
        DEBUG="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.mark.slow
@pytest.mark.worker
def test_embedded_defaults_serve_pages_and_run_tasks(tmp_path: Path) -> None:
    env = _embedded_env(tmp_path)
    database = tmp_path / "var" / "db.sqlite3"

    # make run itself, on a port of its own: it migrates, seeds the demo and starts honcho.
    port = _free_port()
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        make_run = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        browser = urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def fetch(path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            request = urllib.request.Request(base + path, data=body, headers={"Referer": base})
            try:
                with browser.open(request, timeout=10) as response:
                    return (
                        response.status,
                        response.headers.get("Location", ""),
                        response.read().decode(),
                    )
            except urllib.error.HTTPError as error:
                return error.code, error.headers.get("Location", ""), error.read().decode()

        def serving() -> bool:
            try:
                return fetch("/health/")[0] == 200
            except OSError:
                return False

        # The first run installs nothing (uv sync is done), but migrates and seeds first.
        assert wait_for(serving, timeout=120), log_path.read_text()
        assert database.exists()
        assert "operator@example.com" in log_path.read_text()  # seed_demo printed the logins

        # The pages make run promises.
        assert fetch("/")[0] == 200
        status, location, _ = fetch("/portal/")
        assert (status, location) == (302, "/accounts/login/?next=/portal/")
        status, location, _ = fetch("/admin/")
        assert (status, location) == (302, "/admin/login/?next=/admin/")

        # The demo operator signs in through the login form.
        _, _, page = fetch("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page
        status, location, _ = fetch(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "login": OPERATOR.email,
                "password": OPERATOR.password,
            },
        )
        assert (status, location) == (302, "/portal/")
        status, _, page = fetch("/portal/")
        assert status == 200
        assert "AI support agent to production" in page
        # The operators' dashboard, which once answered 500 on SQLite.
        status, _, page = fetch("/ops/")
        assert status == 200, page
        assert 'id="stage-lead"' in page

        # The worker consumed the seed's stage-change notifications from the file broker.
        def all_notified() -> bool:
            with sqlite3.connect(database) as db:
                (pending,) = db.execute(
                    "SELECT count(*) FROM engagements_activityevent "
                    "WHERE verb = 'engagement.stage_changed' AND notified_at IS NULL"
                ).fetchone()
            return pending == 0

        assert wait_for(all_notified, timeout=60), log_path.read_text()
        mails = "".join(path.read_text() for path in (tmp_path / "mail").iterdir())
        assert "Stage moved from Lead to Qualified" in mails
        # The worker sent them, with links to the port make run serves on (SITE_URL unset).
        links = set(re.findall(r"https?://[^/\s]+/", mails))
        assert links == {f"{base}/"}, links

        # The demo's week-one report is rendered by the worker; the operator asks for a new
        # version on the engagement page, and downloads it once the worker has rendered it.
        def reports_ready() -> list[int]:
            with sqlite3.connect(database) as db:
                rows = db.execute(
                    "SELECT id FROM reports_report WHERE kind = 'week_one' AND status = 'ready' "
                    "ORDER BY number"
                ).fetchall()
            return [row[0] for row in rows]

        assert wait_for(lambda: len(reports_ready()) == 1, timeout=90), log_path.read_text()
        with sqlite3.connect(database) as db:
            (engagement_id,) = db.execute(
                "SELECT id FROM engagements_engagement WHERE title = ?",
                ("AI support agent to production",),
            ).fetchone()
        status, _, page = fetch(f"/portal/engagements/{engagement_id}/")
        assert status == 200
        assert "Week-one deliverable v1" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page
        status, _, _ = fetch(
            f"/portal/engagements/{engagement_id}/reports/new/",
            {"csrfmiddlewaretoken": token.group(1), "kind": "week_one"},
        )
        assert status == 303
        assert wait_for(lambda: len(reports_ready()) == 2, timeout=90), log_path.read_text()
        request = urllib.request.Request(f"{base}/portal/reports/{reports_ready()[1]}/download/")
        with browser.open(request, timeout=10) as response:
            assert response.read(5) == b"%PDF-"
    finally:
        # One Ctrl-C (to the terminal's process group, as a terminal sends it) stops both.
        os.killpg(make_run.pid, signal.SIGINT)
        try:
            make_run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(make_run.pid, signal.SIGKILL)
            pytest.fail(f"make run's processes did not stop on Ctrl-C:\n{log_path.read_text()}")
    with pytest.raises(ProcessLookupError):
        os.killpg(make_run.pid, 0)

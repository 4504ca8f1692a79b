"""gunicorn on a free loopback port, configured as in production, stopped on exit."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Server:
    port: int
    access_log: Path

    def pids_seen(self) -> set[str]:
        """The worker process ids that answered a request (the access log's first column)."""
        if not self.access_log.exists():
            return set()
        return {line.split()[0] for line in self.access_log.read_text().splitlines() if line}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/health/")
        return conn.getresponse().status in (200, 503)
    except OSError:
        return False


@contextlib.contextmanager
def gunicorn(*, workers: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run the app under gunicorn with DEBUG off (collected static files, the production
    error pages), on the environment's database and cache."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="cto-drills-") as tmp:
        log = Path(tmp) / "access.log"
        # Each 429 is logged as a warning: the server's own output goes to a file, shown only
        # when the server fails to start.
        errors = (Path(tmp) / "server.log").open("w")
        server_env = {
            **os.environ,
            "DEBUG": "0",
            # The drill's own process signs the sessions it hands the server: same key.
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "VAR_DIR": tmp,
            **(env or {}),
        }
        subprocess.run(  # our own manage.py, fixed arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=server_env,
            check=True,
        )
        process = subprocess.Popen(  # noqa: S603  # the project's own server
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cto.wsgi:application",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{port}",
                f"--access-logfile={log}",
                "--access-logformat=%(p)s %(s)s %(m)s %(U)s",
                "--log-level=warning",
            ],
            env=server_env,
            stdout=errors,
            stderr=errors,
        )
        try:
            server = Server(port=port, access_log=log)
            deadline = time.monotonic() + 30
            # Ready when every worker has answered, so that the drill meets all of them.
            while len(server.pids_seen()) < workers:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (Path(tmp) / "server.log").read_text()[-2000:]
                    raise RuntimeError(f"gunicorn did not start, or not all its workers: {tail}")
                with ThreadPoolExecutor(max_workers=2 * workers) as pool:
                    list(pool.map(lambda _: _answers(port), range(2 * workers)))
                time.sleep(0.2)
            log.write_text("")  # the readiness probes are not part of the drill
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            errors.close()

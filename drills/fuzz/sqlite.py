"""The fuzz on the embedded default: SQLite, the file-system broker and the in-process cache,
as `make run` uses them. Django reads its settings once per process, so the drill runs in a
child process with the embedded defaults' environment, in a scratch folder (its database
migrated fresh), and reports its verdict as one JSON line.

``run()`` starts the child, which runs ``main()`` (Django set up first: the package's
``__init__`` imports models).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from drills.verdict import Verdict

NAME = "fuzz-sqlite"
MARK = "fuzz-sqlite-verdict: "
# The drills' environment names PostgreSQL, Redis and the Redis broker: without them,
# cto/settings.py falls back to its embedded defaults (under VAR_DIR).
SERVICES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_KEY_PREFIX", "PRIVATE_ROOT")
CHILD = "import django; django.setup(); from drills.fuzz.sqlite import main; main()"
TIME_LIMIT = 600  # seconds: past this the child hangs


def run() -> Verdict:
    with tempfile.TemporaryDirectory(prefix="cto-fuzz-sqlite-") as folder:
        environment = {key: value for key, value in os.environ.items() if key not in SERVICES}
        environment["VAR_DIR"] = folder
        environment.setdefault("DJANGO_SETTINGS_MODULE", "cto.settings")
        try:
            child = subprocess.run(  # noqa: S603  # a constant command, this interpreter
                [sys.executable, "-c", CHILD],
                env=environment,
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT,
                check=False,
                cwd=Path(__file__).resolve().parents[2],
            )
        except subprocess.TimeoutExpired:
            return Verdict(NAME, False, f"the child process ran past {TIME_LIMIT} s")
    for line in child.stdout.splitlines():
        if line.startswith(MARK):
            verdict = json.loads(line.removeprefix(MARK))
            return Verdict(NAME, verdict["passed"], verdict["figures"])
    tail = (child.stderr or child.stdout)[-600:]
    return Verdict(
        NAME, False, f"the child process gave no verdict (exit {child.returncode}): {tail}"
    )


def main() -> None:
    from django.core.management import call_command
    from django.db import connection

    from cto.playbooks.loading import playbooks_load
    from drills import fuzz

    assert connection.vendor == "sqlite", connection.vendor  # noqa: S101  # setup, not input
    call_command("migrate", interactive=False, verbosity=0)
    playbooks_load(publish=True)
    verdict = fuzz.run()
    print(MARK + json.dumps({"passed": verdict.passed, "figures": verdict.figures}), flush=True)

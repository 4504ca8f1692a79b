"""A pytest plugin for runs split over pytest-xdist workers (`make test-fast`): loaded with
`-p tests.parallel`, before Django reads its settings.

pytest-django gives each worker a database of its own (test_<name>_gw0, ...). What the settings
read from the environment is shared by every worker unless it is split here: the Celery key
prefix (each worker removes its own keys at the end of its session, and must not remove a
neighbour's while it still runs) and PRIVATE_ROOT (each worker's database numbers its rows from
1, so two workers would write reports and evidence under the same file names)."""

from __future__ import annotations

import os
from pathlib import Path

# xdist sets this in the worker's environment before the worker's pytest starts.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    if os.environ.get("CELERY_KEY_PREFIX"):
        os.environ["CELERY_KEY_PREFIX"] += f"{_worker}:"
    if os.environ.get("PRIVATE_ROOT"):
        os.environ["PRIVATE_ROOT"] = str(Path(os.environ["PRIVATE_ROOT"]) / _worker)

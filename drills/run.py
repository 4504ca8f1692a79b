"""Run the drills in turn and print one line per drill; exit 1 if any failed.

`python -m drills.run [name ...]` from the project root, with DATABASE_URL naming the drills'
own database (scripts/drills sets it up: `make drills`).
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable

from drills.verdict import Verdict

# Each drill: its name on the command line, and the module and function that run it.
DRILLS: dict[str, tuple[str, str]] = {
    "races": ("drills.races", "run"),
    "ratelimit": ("drills.ratelimit", "run"),
    "fuzz": ("drills.fuzz", "run"),
    # The same on the embedded default (SQLite), in a child process of its own.
    "fuzz-sqlite": ("drills.fuzz", "run_sqlite"),
    "broker": ("drills.broker", "run"),
    "database": ("drills.dboutage", "run"),
    "workers": ("drills.workers", "run_killed"),
    "poison": ("drills.workers", "run_poison"),
    "webhooks": ("drills.webhooks", "run"),
}
NAMES = tuple(DRILLS)


def _drill(name: str) -> Callable[[], Verdict]:
    # Imported only after Django is set up: the drills import models.
    module, function = DRILLS[name]
    drill: Callable[[], Verdict] = getattr(importlib.import_module(module), function)
    return drill


def main(argv: list[str]) -> int:
    names = argv or list(NAMES)
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        print(f"drills: no drill named {', '.join(unknown)} (there are {', '.join(NAMES)})")
        return 2
    from drills import database

    started = time.monotonic()
    database.prepare()
    print(f"drills: database ready in {time.monotonic() - started:.1f} s", flush=True)
    verdicts = []
    for name in names:
        started = time.monotonic()
        try:
            verdict = _drill(name)()
        except Exception as error:  # a drill that crashes is a failed drill
            verdict = Verdict(name, False, f"crashed: {error!r}")
        verdicts.append(verdict)
        print(f"{verdict.line()}  ({time.monotonic() - started:.1f} s)", flush=True)
    from drills import broker_keys

    broker_keys.forget_run()  # the run's queues in Redis: whichever drills published to them
    failed = [verdict.name for verdict in verdicts if not verdict.passed]
    print(f"drills: {len(verdicts) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

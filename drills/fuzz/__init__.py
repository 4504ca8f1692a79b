"""Fuzz: Hypothesis on every form a person can reach and on the intake as a state machine.

Whatever visitors send (NUL bytes, lone surrogates, homoglyph emails, 1 MB fields, htmx
attributes and template syntax in text, Unicode digits, huge, negative, non-finite and
out-of-range numbers, forged ids, tampered tokens, replays, back from the first step, answers
to questions not reached), the app answers with 0 unhandled exceptions, 0 responses 5xx, 0 rows
failing ``full_clean()`` and 0 injections echoed unescaped.

The forms: the public ones by hand-written drives (forms.py, which know the intake's tree and
the emailed codes), and every form of every page, signed-in ones included, found by walking
the URL patterns (discovery.py): nobody has to remember to add a new form.

``run()`` is the drill on PostgreSQL (``make drills``, in its own database); ``run_sqlite()``
runs the same in a child process on the embedded default, SQLite (sqlite.py). tests/fuzz runs
the same properties with fewer examples in ``make test``.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import time
import warnings
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import (
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

from drills.fuzz import world as world_module
from drills.fuzz.discovery import Discovery, discover
from drills.fuzz.forms import FORMS, run_form
from drills.fuzz.found_forms import describe, foreign_client, roles, run_found
from drills.fuzz.harness import Rows, Tally, check_rows, watching
from drills.fuzz.machine import NAME as MACHINE
from drills.fuzz.machine import run_machine
from drills.verdict import Verdict

# The fuzz runs on two databases in make drills, and both passes together should take under
# five minutes: so 40 examples per hand-written public form (each a few requests), 12 per form
# found by the discovery (some seventy form-and-role pairs, each example one request) and 20
# runs of the intake's state machine. FUZZ_EXAMPLES=n multiplies them all by n for a deeper run.
DEPTH = int(os.environ.get("FUZZ_EXAMPLES", "1"))
EXAMPLES_PER_FORM = 40 * DEPTH
EXAMPLES_PER_FOUND_FORM = 12 * DEPTH
# FUZZ_DERANDOMIZE=1 (CI): the same examples every run, so that a red build is reproducible;
# otherwise each run explores anew.
DERANDOMIZE = os.environ.get("FUZZ_DERANDOMIZE") == "1"
MACHINE_RUNS = 20 * DEPTH
WHERE = re.compile(r" (in|on) (GET|POST|PUT|DELETE) .*")  # a problem's request, for grouping
MACHINE_STEPS = 30


def run() -> Verdict:
    tally = Tally()
    failed: list[str] = []
    started = time.monotonic()
    found: Discovery | None = None
    phases: dict[str, float] = {}  # when each phase ended
    # DEBUG off, email to memory, "testserver" an allowed host: as the test client expects.
    setup_test_environment(debug=False)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="cto-fuzz-") as private,
            # Evidence uploads land in a folder of the run's own, removed afterwards: the
            # rows are rolled back, the files would stay.
            override_settings(STORAGES=_private_storage_in(private)),
            watching(tally),
            transaction.atomic(),
            warnings.catch_warnings(),
        ):
            # whitenoise's, once per handler: the drills serve no collected static files.
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            rows = Rows()
            world = world_module.build()
            phases["setting up"] = time.monotonic()
            check_rows(tally, rows, "setting up")  # the services' own rows, once
            for name in FORMS:
                try:
                    run_form(
                        name,
                        world=world,
                        tally=tally,
                        rows=rows,
                        examples=EXAMPLES_PER_FORM,
                        derandomize=DERANDOMIZE,
                    )
                except Exception as error:  # a falsified property: the figures say which
                    failed.append(f"{name}: {error}"[:300])
            phases["public forms"] = time.monotonic()
            prepare = roles(world)
            found = discover(
                tally=tally,
                roles=prepare,
                foreign=foreign_client(world),
                extra={"token": list(world.emailed_tokens())},
            )
            phases["discovery"] = time.monotonic()
            if found.unreached:
                failed.append(f"routes taking POST that no form reaches: {found.unreached}")
            if found.stale:
                failed.append(f"NOT_FUZZED names routes that are gone: {found.stale}")
            for form in found.forms.values():
                try:
                    run_found(
                        form,
                        prepare=prepare[form.role],
                        tally=tally,
                        rows=rows,
                        examples=EXAMPLES_PER_FOUND_FORM,
                        derandomize=DERANDOMIZE,
                    )
                except Exception as error:
                    failed.append(f"{describe(form)}: {error}"[:300])
            phases["found forms"] = time.monotonic()
            try:
                run_machine(
                    world=world,
                    tally=tally,
                    rows=rows,
                    runs=MACHINE_RUNS,
                    steps=MACHINE_STEPS,
                    derandomize=DERANDOMIZE,
                )
            except Exception as error:
                failed.append(f"{MACHINE}: {error}"[:300])
            phases["state machine"] = time.monotonic()
            transaction.set_rollback(True)  # the drill leaves its database as it found it
    finally:
        teardown_test_environment()
    public = sum(tally.examples[name] for name in FORMS)
    figures = (
        f"on {connection.vendor}: {public} examples over {len(FORMS)} public forms "
        f"({min(tally.examples[name] for name in FORMS)}+ each), "
    )
    if found is not None:
        discovered = sum(tally.examples[describe(form)] for form in found.forms.values())
        pages = ", ".join(f"{count} as {role}" for role, count in found.pages.items())
        figures += (
            f"{discovered} examples over {len(found.distinct)} distinct forms found "
            f"({len(found.forms)} by role) on {len(found.routes)} URL patterns, pages visited "
            f"{pages}, {len(found.accepts_post)} patterns taking POST, "
            f"{len(found.unreached)} unreached, "
        )
    figures += (
        f"{tally.examples[MACHINE]} state machine runs of {tally.steps} steps in all, "
        f"{tally.figures()} in {time.monotonic() - started:.0f} s ({_durations(started, phases)})"
    )
    if tally.problems:
        # One of each: a bug found on every page would otherwise hide the others.
        distinct = list(dict.fromkeys(re.sub(WHERE, "", problem) for problem in tally.problems))
        figures += f"; {len(distinct)} kinds, first of each: {' | '.join(distinct[:8])}"
    elif failed:
        figures += f"; failed: {' | '.join(failed)}"
    return Verdict("fuzz", not failed and tally.clean, figures)


def _durations(started: float, phases: dict[str, float]) -> str:
    ends = list(phases.items())
    starts = [started, *(end for _, end in ends)]
    return ", ".join(
        f"{name} {end - start:.0f} s" for (name, end), start in zip(ends, starts, strict=False)
    )


def _private_storage_in(folder: str) -> dict[str, dict[str, Any]]:
    storages: dict[str, dict[str, Any]] = copy.deepcopy(settings.STORAGES)  # type: ignore[arg-type]  # django-stubs types STORAGES loosely
    storages["private"]["OPTIONS"] = {"location": folder}
    return storages


def run_sqlite() -> Verdict:
    """The same drill on the embedded default (SQLite), in a child process: Django's settings
    are per process."""
    from drills.fuzz import sqlite

    return sqlite.run()

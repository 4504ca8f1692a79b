"""Fuzz: Hypothesis on every public form and on the intake as a state machine.

Whatever anonymous visitors send (NUL bytes, lone surrogates, homoglyph emails, 1 MB fields,
htmx attributes and template syntax in text, huge, negative and NaN numbers, forged ids,
tampered tokens, replays, back from the first step, answers to questions not reached), the app
answers with 0 unhandled exceptions, 0 responses 5xx, 0 rows failing ``full_clean()`` and 0
injections echoed unescaped.

``run()`` is the drill (``make drills``, in its own database); tests/fuzz runs the same
properties with fewer examples in ``make test``.
"""

from __future__ import annotations

import os
import time
import warnings

from django.db import transaction
from django.test.utils import setup_test_environment, teardown_test_environment

from drills.fuzz import world as world_module
from drills.fuzz.forms import FORMS, run_form
from drills.fuzz.harness import Rows, Tally, check_rows, watching
from drills.fuzz.machine import NAME as MACHINE
from drills.fuzz.machine import run_machine
from drills.verdict import Verdict

EXAMPLES_PER_FORM = 200
# FUZZ_DERANDOMIZE=1 (CI): the same examples every run, so that a red build is reproducible;
# otherwise each run explores anew.
DERANDOMIZE = os.environ.get("FUZZ_DERANDOMIZE") == "1"
MACHINE_RUNS = 60
MACHINE_STEPS = 30


def run() -> Verdict:
    tally = Tally()
    failed: list[str] = []
    started = time.monotonic()
    # DEBUG off, email to memory, "testserver" an allowed host: as the test client expects.
    setup_test_environment(debug=False)
    try:
        with watching(tally), transaction.atomic(), warnings.catch_warnings():
            # whitenoise's, once per handler: the drills serve no collected static files.
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            rows = Rows()
            world = world_module.build()
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
            transaction.set_rollback(True)  # the drill leaves its database as it found it
    finally:
        teardown_test_environment()
    forms = sum(count for name, count in tally.examples.items() if name != MACHINE)
    figures = (
        f"{forms} examples over {len(FORMS)} forms "
        f"({min(tally.examples[name] for name in FORMS)}+ each), "
        f"{tally.examples[MACHINE]} state machine runs of {tally.steps} steps in all, "
        f"{tally.figures()} in {time.monotonic() - started:.0f} s"
    )
    if tally.problems:
        figures += f"; first: {' | '.join(tally.problems[:3])}"
    elif failed:
        figures += f"; failed: {' | '.join(failed)}"
    return Verdict("fuzz", not failed and tally.clean, figures)

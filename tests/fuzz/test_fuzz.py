"""The fuzz drill in a reduced form, for make test: every public form with a few dozen hostile
examples, and short runs of the intake state machine, the same examples every run (the full
form, which explores anew each time: `make drills`).

Cross-cutting: it throws hostile input at every public form of every app, so it mirrors no
single module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drills.fuzz.forms import FORMS, run_form
from drills.fuzz.harness import Rows, Tally, check_rows, watching
from drills.fuzz.machine import NAME as MACHINE
from drills.fuzz.machine import run_machine
from drills.fuzz.world import World, build

pytestmark = pytest.mark.django_db

EXAMPLES = 30
MACHINE_RUNS = 15
MACHINE_STEPS = 20


@pytest.fixture
def tally() -> Iterator[Tally]:
    tally = Tally()
    with watching(tally):
        yield tally


@pytest.fixture
def rows(db: None) -> Rows:
    return Rows()  # before the world: its rows are checked too


@pytest.fixture
def world(rows: Rows, tally: Tally) -> World:
    world = build()
    rows.problems()  # reported by the test below, not by every form's
    return world


def test_the_rows_the_services_make_for_the_fuzz_pass_full_clean(tally: Tally, db: None) -> None:
    strict = Rows()
    build()
    check_rows(tally, strict, "setting up")
    assert tally.invalid_rows == 0, tally.problems


@pytest.mark.parametrize("name", list(FORMS))
def test_a_public_form_survives_hostile_input(
    name: str, world: World, tally: Tally, rows: Rows
) -> None:
    run_form(name, world=world, tally=tally, rows=rows, examples=EXAMPLES, derandomize=True)
    assert tally.examples[name] >= EXAMPLES
    assert tally.requests >= EXAMPLES
    assert tally.clean, tally.problems


def test_the_intake_survives_any_order_of_steps(world: World, tally: Tally, rows: Rows) -> None:
    run_machine(
        world=world,
        tally=tally,
        rows=rows,
        runs=MACHINE_RUNS,
        steps=MACHINE_STEPS,
        derandomize=True,
    )
    assert tally.examples[MACHINE] >= MACHINE_RUNS
    assert tally.steps >= MACHINE_RUNS
    assert tally.clean, tally.problems

"""The intake as a state machine: one visitor doing things in any order. Answering where they
are (so runs reach the outcome and the contact form), answering anything anywhere, going back
(also from the first question), answering questions not reached, replaying any earlier
request, resuming with other people's or tampered links, asking for the resume link,
submitting the contact form, losing their cookies, opening any page.

After every step: no exception, no 5xx, no unescaped injection, and every row made since the
run began passes ``full_clean()``. Each run is one transaction, rolled back at the end.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import transaction
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from hypothesis.strategies import DataObject

from drills.fuzz import strategies as fuzz
from drills.fuzz.forms import (
    CONTACT,
    PUBLIC_PAGES,
    answer_fields,
    hypothesis_settings,
    mutated,
    node_name,
    own_response,
    valid_answer,
)
from drills.fuzz.harness import Fields, FuzzFailure, Rows, Tally, Visitor, check_rows, encode
from drills.fuzz.world import World

NAME = "intake state machine"


class IntakeMachine(RuleBasedStateMachine):
    world: ClassVar[World]
    tally: ClassVar[Tally]
    rows: ClassVar[Rows]

    def __init__(self) -> None:
        super().__init__()
        self.tally.examples[NAME] += 1
        self.checked = len(self.tally.problems)
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.visitor = Visitor(self.tally)
        self.sent: list[tuple[str, str, Fields, bool]] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def send(
        self, method: str, path: str, fields: Fields | None = None, htmx: bool = False
    ) -> None:
        self.tally.steps += 1
        self.sent.append((method, path, fields or {}, htmx))
        self.visitor.send(method, path, fields, htmx=htmx)

    def tree_version(self) -> str:
        response = own_response(self.visitor)
        return str(response.tree_version_id if response else self.world.version.pk)

    @initialize()
    def arrive(self) -> None:
        """Most visits begin at the start button; the rules may still lose the session."""
        self.send("POST", "/intake/start/")

    @invariant()
    def nothing_went_wrong(self) -> None:
        check_rows(self.tally, self.rows, NAME)
        new = self.tally.problems[self.checked :]
        self.checked = len(self.tally.problems)
        if new:
            raise FuzzFailure("; ".join(new[:5]))

    @rule(htmx=st.booleans(), extras=fuzz.form_extras())
    def start(self, htmx: bool, extras: dict[str, str]) -> None:
        self.send("POST", "/intake/start/", extras, htmx)

    @rule(data=st.data(), htmx=st.booleans())
    def answer_where_i_am(self, data: DataObject, htmx: bool) -> None:
        response = own_response(self.visitor)
        frontier = response.walk().frontier if response else None
        if frontier is None:
            self.send("GET", "/intake/result/", htmx=htmx)
            return
        fields = {**valid_answer(frontier, data.draw), "tree_version": self.tree_version()}
        self.send("POST", f"/intake/q/{frontier.id}/", fields, htmx)

    @rule(data=st.data(), htmx=st.booleans())
    def answer_anything(self, data: DataObject, htmx: bool) -> None:
        node = data.draw(node_name(self.world))
        fields = answer_fields(self.world, data.draw, node)
        self.send("POST", f"/intake/q/{encode(node)}/", fields, htmx)

    @rule(data=st.data(), htmx=st.booleans())
    def answer_a_question_not_reached(self, data: DataObject, htmx: bool) -> None:
        response = own_response(self.visitor)
        path = response.walk().path if response else []
        ahead = [node for node in self.world.tree.questions if node not in path]
        if not ahead:
            return
        question = self.world.tree.questions[data.draw(st.sampled_from(ahead))]
        fields = {**valid_answer(question, data.draw), "tree_version": self.tree_version()}
        self.send("POST", f"/intake/q/{question.id}/", fields, htmx)

    @rule(htmx=st.booleans(), first=st.booleans())
    def back(self, htmx: bool, first: bool) -> None:
        """The Back link: one question back, or from the first question (where there is none)."""
        response = own_response(self.visitor)
        path = response.walk().path if response else [self.world.tree.start]
        node = path[0] if first or len(path) < 2 else path[-2]
        self.send("GET", f"/intake/q/{node}/", htmx=htmx)

    @rule(data=st.data(), htmx=st.booleans())
    def change_the_first_answer(self, data: DataObject, htmx: bool) -> None:
        question = self.world.tree.questions[self.world.tree.start]
        fields = {**valid_answer(question, data.draw), "tree_version": self.tree_version()}
        self.send("POST", f"/intake/q/{question.id}/", fields, htmx)

    @rule(index=st.integers(min_value=0))
    def replay(self, index: int) -> None:
        if self.sent:
            method, path, fields, htmx = self.sent[index % len(self.sent)]
            self.send(method, path, fields, htmx)

    @rule(data=st.data())
    def resume(self, data: DataObject) -> None:
        response = own_response(self.visitor)
        known = st.sampled_from((*self.world.tokens, *([response.token] if response else [])))
        token = data.draw(st.one_of(known, known.flatmap(fuzz.tampered), fuzz.short_text))
        self.send("GET", f"/intake/resume/{encode(token)}/")

    @rule(data=st.data(), htmx=st.booleans())
    def ask_for_the_resume_link(self, data: DataObject, htmx: bool) -> None:
        fields = {
            "email": data.draw(fuzz.email(self.world.emails)),
            "next_node": data.draw(node_name(self.world)),
        }
        self.send("POST", "/intake/email-link/", fields, htmx)

    @rule(data=st.data(), htmx=st.booleans())
    def submit_contact_details(self, data: DataObject, htmx: bool) -> None:
        hostile = {name: fuzz.text() for name in CONTACT}
        fields = mutated(data.draw, CONTACT, {**hostile, "email": fuzz.email(self.world.emails)})
        self.send("POST", "/intake/result/", fields, htmx)

    @rule(page=st.sampled_from(PUBLIC_PAGES), htmx=st.booleans())
    def open_a_page(self, page: str, htmx: bool) -> None:
        self.send("GET", page, htmx=htmx)

    @rule()
    def lose_the_cookies(self) -> None:
        self.visitor.cookies.clear()


def run_machine(
    *, world: World, tally: Tally, rows: Rows, runs: int, steps: int, derandomize: bool = False
) -> None:
    """``runs`` runs of at most ``steps`` steps; raises (a shrunk run) when one fails.
    ``derandomize`` as for ``run_form``."""
    machine = type(
        "IntakeMachineRun", (IntakeMachine,), {"world": world, "tally": tally, "rows": rows}
    )
    run_state_machine_as_test(
        machine,
        settings=hypothesis_settings(runs, stateful_step_count=steps, derandomize=derandomize),
    )

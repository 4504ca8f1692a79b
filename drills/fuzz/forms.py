"""One property per public form: whatever a visitor types, the app answers without an
exception or a 5xx, writes only rows that pass ``full_clean()`` and echoes no markup.

Each form is a function that drives one visitor through the form with values drawn from
``drills.fuzz.strategies``; ``run_form`` runs it as a Hypothesis test of ``examples`` examples.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core import mail
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DataObject

from cto.intake import prospect
from cto.intake import tree as tree_module
from cto.intake.models import IntakeResponse
from drills.fuzz import strategies as fuzz
from drills.fuzz.harness import Rows, Tally, Visitor, encode, example
from drills.fuzz.world import AI_PATH, PASSWORD, World, answered_response

Draw = Callable[..., Any]
Drive = Callable[[Visitor, World, Draw], None]
CONTACT = {
    "name": "Pat Lee",
    "email": "pat@acme.example",
    "company": "Acme Robotics",
    "role": "CTO",
    "consent": "yes",
}
PUBLIC_PAGES = (
    "/",
    "/intake/",
    "/intake/result/",
    "/intake/thanks/",
    "/intake/summary/",
    "/intake/summary.pdf",
    "/pricing/",
    "/accounts/login/",
    "/accounts/login/code/",
    "/accounts/login/code/confirm/",
    "/accounts/password/reset/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
)


def _htmx(draw: Draw) -> bool:
    return bool(draw(st.booleans()))


def take_over(visitor: Visitor, response: IntakeResponse) -> None:
    """Put ``response`` in the visitor's cookie, as following its resume link would."""
    visitor.cookies[prospect.COOKIE] = prospect.signed(response.token)


def own_response(visitor: Visitor) -> IntakeResponse | None:
    cookie = visitor.cookies.get(prospect.COOKIE)
    token = prospect.unsigned(cookie.value) if cookie else None
    return IntakeResponse.objects.filter(token=token).first() if token else None


def tree_version_field(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(str(world.version.pk)),
        st.just(str(world.other_version.pk)),  # another tree's version
        fuzz.numbers,
        fuzz.text(),
    )


def node_name(world: World) -> st.SearchStrategy[str]:
    """Nodes of the tree, of another tree, made up, and junk (which the URL may refuse)."""
    return st.one_of(
        st.sampled_from(world.nodes),
        st.sampled_from(("nonexistent", "start", "outcome", "x" * 65, "-", "__init__")),
        fuzz.short_text,
    )


def mutated(draw: Draw, valid: Mapping[str, Any], hostile: Mapping[str, Any]) -> dict[str, Any]:
    """``valid`` with some of its fields (none, at the simplest) replaced by values drawn from
    ``hostile``: most examples then get past the form to the service and the database."""
    names = draw(st.lists(st.sampled_from(sorted(hostile)), unique=True))
    return {**valid, **{name: draw(hostile[name]) for name in names}}


def valid_answer(question: tree_module.Question, draw: Draw) -> dict[str, Any]:
    """An answer the question accepts."""
    if question.kind == "text":
        return {"text": draw(st.text(max_size=40))}
    ids = [choice.id for choice in question.choices]
    if question.kind == "multiple":
        return {"choice": draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))}
    return {"choice": draw(st.sampled_from(ids))}


def answer_fields(world: World, draw: Draw, node: str) -> dict[str, Any]:
    """The fields of a question's form: a valid answer to ``node`` (when it is a question)
    for the right tree version, with some of them swapped for anything."""
    question = world.tree.questions.get(node)
    valid = {
        "tree_version": str(world.version.pk),
        **(valid_answer(question, draw) if question else {}),
    }
    hostile = {
        "tree_version": tree_version_field(world),
        "choice": st.lists(st.one_of(st.sampled_from(world.choice_ids), fuzz.text()), max_size=4),
        "text": fuzz.text(ordinary=st.text(max_size=600)),
    }
    return {**mutated(draw, valid, hostile), **draw(fuzz.form_extras())}


# --- The intake --------------------------------------------------------------------------------


def intake_start(visitor: Visitor, world: World, draw: Draw) -> None:
    visitor.send("POST", "/intake/start/", draw(fuzz.form_extras()), htmx=_htmx(draw))
    visitor.send("GET", "/intake/")


def intake_answer(visitor: Visitor, world: World, draw: Draw) -> None:
    """A prospect part-way along (or at the outcome, or sent) answers any node with anything."""
    answered = draw(st.integers(0, len(AI_PATH)))
    response = answered_response(answered)
    take_over(visitor, response)
    node = draw(st.one_of(st.sampled_from(tuple(world.tree.questions)), node_name(world)))
    path = f"/intake/q/{encode(node)}/"
    visitor.send("POST", path, answer_fields(world, draw, node), htmx=_htmx(draw))
    visitor.send("GET", path, htmx=_htmx(draw))
    visitor.send("GET", "/intake/result/")


def intake_contact(visitor: Visitor, world: World, draw: Draw) -> None:
    """The contact details after the outcome, sent once or twice (a double click)."""
    take_over(visitor, answered_response(draw(st.sampled_from((len(AI_PATH), 3)))))
    names = st.sampled_from(("Pat Lee", "Acme Robotics", "ACME ROBOTICS ", "Globex"))
    fields = mutated(
        draw,
        CONTACT,
        {
            "name": fuzz.text(ordinary=names),
            "email": fuzz.email(world.emails),
            "company": fuzz.text(ordinary=names),
            "role": fuzz.text(ordinary=st.sampled_from(("CEO", ""))),
            "consent": st.one_of(st.sampled_from(("YES", "on", "")), fuzz.short_text),
            "website": fuzz.text(),  # the honeypot
        },
    )
    for _ in range(draw(st.integers(1, 2))):
        visitor.send("POST", "/intake/result/", fields, htmx=_htmx(draw))
    for page in ("/intake/result/", "/intake/thanks/", "/intake/summary/", "/intake/summary.pdf"):
        visitor.send("GET", page)


def intake_email_link(visitor: Visitor, world: World, draw: Draw) -> None:
    """Asking for the resume link, on a response in progress or one already sent."""
    take_over(visitor, answered_response(draw(st.integers(0, len(AI_PATH)))))
    valid = {"email": "me@prospect.example", "next_node": world.tree.start}
    hostile = {"email": fuzz.email(world.emails), "next_node": node_name(world)}
    fields = {**mutated(draw, valid, hostile), **draw(fuzz.form_extras())}
    visitor.send("POST", "/intake/email-link/", fields, htmx=_htmx(draw))


def intake_resume(visitor: Visitor, world: World, draw: Draw) -> None:
    """Resume links: other prospects' tokens, tampered ones and junk."""
    known = st.sampled_from(world.tokens)
    token = draw(st.one_of(known, known.flatmap(fuzz.tampered), fuzz.text()))
    visitor.send("GET", f"/intake/resume/{encode(token)}/")
    visitor.send("GET", "/intake/", htmx=_htmx(draw))


# --- Accounts ----------------------------------------------------------------------------------


def invitation(visitor: Visitor, world: World, draw: Draw) -> None:
    """The emailed link: real, tampered, forged and junk tokens; opened and accepted."""
    tokens = world.invitation_tokens()
    real = st.sampled_from(tokens[: len(world.invitations)])
    kind = draw(st.sampled_from(("real", "forged", "tampered", "junk")))
    token = draw(
        {
            "real": real,
            "forged": st.sampled_from(tokens[len(world.invitations) :]),
            "tampered": real.flatmap(fuzz.tampered),
            "junk": fuzz.text(),
        }[kind]
    )
    path = f"/portal/invitations/{encode(token)}/"
    visitor.send("GET", path, draw(fuzz.form_extras()))
    for _ in range(draw(st.integers(1, 2))):
        visitor.send("POST", path, draw(fuzz.form_extras()), htmx=_htmx(draw))


def sign_in_by_code(visitor: Visitor, world: World, draw: Draw) -> None:
    sent = len(mail.outbox)
    visitor.send("POST", "/accounts/login/code/", {"email": draw(fuzz.email(world.emails))})
    lines = [line.strip() for message in mail.outbox[sent:] for line in message.body.splitlines()]
    real = [line for line in lines if len(line) == 9 and line[4:5] == "-"]
    # The same draws whether or not a code was mailed: Hypothesis replays examples by them.
    junk, use_real = draw(fuzz.text()), draw(st.booleans())
    code = real[-1] if use_real and real else junk
    visitor.send("POST", "/accounts/login/code/confirm/", {"code": code}, htmx=_htmx(draw))


def sign_in_by_password(visitor: Visitor, world: World, draw: Draw) -> None:
    valid = {"login": world.client.email, "password": PASSWORD}
    hostile = {"login": fuzz.email(world.emails), "password": fuzz.text()}
    fields = {**mutated(draw, valid, hostile), **draw(fuzz.form_extras())}
    visitor.send("POST", "/accounts/login/", fields, htmx=_htmx(draw))


def password_reset(visitor: Visitor, world: World, draw: Draw) -> None:
    visitor.send("POST", "/accounts/password/reset/", {"email": draw(fuzz.email(world.emails))})
    uid = draw(st.one_of(st.sampled_from(("1", "0", "zzzzzzzzzzzz")), fuzz.numbers))
    key = draw(fuzz.text(ordinary=st.just("set-password")))
    path = f"/accounts/password/reset/key/{encode(uid)}-{encode(key)}/"
    visitor.send("GET", path)
    password = draw(fuzz.text())
    visitor.send("POST", path, {"password1": password, "password2": password})


def sign_up(visitor: Visitor, world: World, draw: Draw) -> None:
    password = draw(fuzz.text())
    fields = {"email": draw(fuzz.email(world.emails)), "password1": password, "password2": password}
    visitor.send("POST", "/accounts/signup/", fields)


def public_pages(visitor: Visitor, world: World, draw: Draw) -> None:
    """Every public page with junk in its query string (``next`` included), with and without
    a session pointing at a response."""
    if draw(st.booleans()):
        take_over(visitor, answered_response(draw(st.integers(0, len(AI_PATH)))))
    page = draw(st.sampled_from(PUBLIC_PAGES))
    query = draw(st.dictionaries(st.sampled_from(("next", "q", "page", "token")), fuzz.text()))
    visitor.send("GET", page, query, htmx=_htmx(draw))


FORMS: Mapping[str, Drive] = {
    "intake start": intake_start,
    "intake answer": intake_answer,
    "intake contact": intake_contact,
    "intake email link": intake_email_link,
    "intake resume": intake_resume,
    "invitation": invitation,
    "sign-in by code": sign_in_by_code,
    "sign-in by password": sign_in_by_password,
    "password reset": password_reset,
    "sign-up": sign_up,
    "public pages": public_pages,
}


def hypothesis_settings(examples: int, **more: Any) -> settings:
    # No example database: the fuzz leaves no .hypothesis/ folder behind in the repository.
    # No shrinking: an example is a few requests and shrinking one takes Hypothesis's full
    # five minutes, while the problem it reports already names the request that failed.
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
        **more,
    )


def run_form(
    name: str,
    *,
    world: World,
    tally: Tally,
    rows: Rows,
    examples: int,
    derandomize: bool = False,
) -> None:
    """Run the property of form ``name``; raises (a shrunk example) when it fails.
    ``derandomize``: the same examples every run (make test's reduced form, so that CI is
    reproducible); the drill explores anew each time."""
    drive = FORMS[name]

    @hypothesis_settings(examples, derandomize=derandomize)
    @given(data=st.data())
    def prop(data: DataObject) -> None:
        with example(tally, name, rows):
            drive(Visitor(tally), world, data.draw)

    prop()

"""Find every form a person can reach, without a hand-kept list.

``routes()`` walks the project's URL patterns (Django's admin left out: operators only, and
Django's own code). ``discover()`` then visits pages as each role: first by following links
from the entry pages, then every route once more with its path parameters filled from what
the crawl saw (the visitor's own ids), from what a foreign organisation's client saw (their
ids), and with junk. Each HTML page is parsed (pages.py) for its forms and htmx actions.
Finally every route is sent an empty POST: one that answers anything but 405 accepts POST, and
must be the target of a discovered form or be named in ``NOT_FUZZED`` below.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from drills.fuzz.harness import Tally, Visitor, encode
from drills.fuzz.pages import Form, PageParser

# Routes that accept POST but no discovered form needs to reach, and why.
NOT_FUZZED: Mapping[str, str] = {
    # Old addresses of operator pages: a RedirectView answers every method with a redirect.
    "portal/due-this-week/": "a permanent redirect, no form",
    "portal/revenue/": "a permanent redirect, no form",
    # allauth's own flows that no page links to here, or that need a secret from an email (the
    # hand-written drives of forms.py fuzz the sign-in, code, reset and sign-up forms).
    "accounts/inactive/": "allauth: a notice page",
    "accounts/confirm-email/": "allauth: a notice page; the keyed link comes by email",
    "accounts/password/reset/done/": "allauth: a notice page",
    "accounts/password/reset/key/done/": "allauth: a notice page",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
        "allauth: the emailed reset link; forms.password_reset fuzzes it"
    ),
    "accounts/login/code/confirm/": "allauth: the code step; forms.sign_in_by_code fuzzes it",
    "accounts/signup/": "allauth: sign-up is closed; forms.sign_up fuzzes it",
    # The API's problem document for a path it does not have, whatever the method: no form.
    # (The API's own operations answer 405 to a POST they do not take: tests/api/v1.)
    "api/v1/<anypath:rest>": "the API's 404 for unknown paths, any method; no form",
    # The API's writes take a bearer token and JSON (or a form for a file), from no page:
    # schemathesis fuzzes them from the OpenAPI document (tests/api/v1/test_schemathesis.py).
    "api/v1/checklist-items/<id:pk>/evidence": "an API write: fuzzed by schemathesis",
    "api/v1/engagements/<id:pk>/reports": "an API write: fuzzed by schemathesis",
    "api/v1/plans/<id:pk>/comments": "an API write: fuzzed by schemathesis",
    "api/v1/plans/<id:pk>/failure-mode-proposals": "an API write: fuzzed by schemathesis",
    "api/v1/gates/<id:gate_pk>/receipts": "an API write: fuzzed by schemathesis",
    "api/v1/plans/<id:pk>/traces": "an API write: fuzzed by schemathesis",
    # JSON-RPC with a bearer token, no form: tests/mcp/test_fuzz.py sends it junk arguments.
    "mcp/": "the MCP server; no form",
}
# Pages not crawled: a PDF rendered on each visit (forms.public_pages opens it).
NOT_CRAWLED = ("intake/summary.pdf",)
# How many pages of one route each role's crawl opens (an engagement page per engagement
# would only repeat the same forms).
PAGES_PER_ROUTE = 2
OWN_PER_ROUTE = 6  # own ids a route is visited with, after the crawl
CRAWL_LIMIT = 200  # pages per role, a bound on a crawl gone wrong
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
JUNK = {
    "int": ("0", str(2**64)),
    "id": ("0", str(2**64)),
    "slug": ("x" * 65, "-"),
    "str": ("not-a-token", "%00"),
}


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route (``portal/audits/<int:pk>/``) and name."""

    route: str
    name: str | None
    regex: bool

    @property
    def label(self) -> str:
        return self.name or self.route

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """(name, converter) of each path parameter; none for regex routes."""
        if self.regex:
            return []
        return [
            (match["name"], match["converter"] or "str") for match in PARAMETER.finditer(self.route)
        ]

    def fill(self, values: Mapping[str, str]) -> str:
        """The percent-encoded path with ``values`` for the parameters."""
        return "/" + PARAMETER.sub(lambda match: encode(values[match["name"]]), self.route)


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: Iterable[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # Django's admin: operators only, Django's own code
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else None
                regex = not hasattr(pattern.pattern, "_route")
                found.append(
                    Route(prefix + str(pattern.pattern), name or pattern.name, regex=regex)
                )

    walk(get_resolver().url_patterns, "", "")
    return found


@dataclass(frozen=True)
class Found:
    """A form as one role found it: where it posts, and its fields as the page filled them."""

    role: str
    route: Route
    page: str
    form: Form
    # The action with a foreign organisation's ids or junk in its path: a valid body sent
    # there must answer 404 (or a refusal), never act.
    elsewhere: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.route.label, tuple(sorted(self.form.fields)))


@dataclass
class Discovery:
    routes: list[Route]
    pages: dict[str, int] = field(default_factory=dict)  # pages opened, per role
    forms: dict[tuple[str, tuple[str, tuple[str, ...]]], Found] = field(default_factory=dict)
    accepts_post: set[str] = field(default_factory=set)  # route strings

    @property
    def distinct(self) -> set[tuple[str, tuple[str, ...]]]:
        return {found.key for found in self.forms.values()}

    @property
    def unreached(self) -> list[str]:
        """Routes that take POST, that no discovered form posts to and NOT_FUZZED leaves out."""
        reached = {found.route.route for found in self.forms.values() if found.form.method != "GET"}
        return sorted(self.accepts_post - reached - set(NOT_FUZZED))

    @property
    def stale(self) -> list[str]:
        """Names in NOT_FUZZED that are no route of the project (any more)."""
        return sorted(set(NOT_FUZZED) - {route.route for route in self.routes})


def route_of(path: str, by_route: Mapping[str, Route]) -> tuple[Route, dict[str, str]] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    route = by_route.get(match.route)
    return (route, {key: str(value) for key, value in match.kwargs.items()}) if route else None


Prepare = Callable[[Visitor], None]


def discover(
    *, tally: Tally, roles: Mapping[str, Prepare], foreign: Prepare, extra: Mapping[str, list[str]]
) -> Discovery:
    """Visit the site as each of ``roles`` (a function that signs a fresh visitor in or gives
    it a cookie) and as ``foreign`` (a client of another organisation, whose ids are only
    collected), and find the forms. ``extra``: values for path parameters that no page links
    to (the emailed tokens)."""
    with transaction.atomic():
        try:
            return _discover(tally=tally, roles=roles, foreign=foreign, extra=extra)
        finally:
            # The empty POSTs may have locked the audit or sent the draft quote: the forms
            # are fuzzed against the world as it was.
            transaction.set_rollback(True)


def _discover(
    *, tally: Tally, roles: Mapping[str, Prepare], foreign: Prepare, extra: Mapping[str, list[str]]
) -> Discovery:
    all_routes = routes()
    by_route = {route.route: route for route in all_routes}
    found = Discovery(all_routes)
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    own: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def note(role: str, path: str, into: dict[str, dict[str, list[str]]]) -> Route | None:
        resolved = route_of(path, by_route)
        if resolved is None:
            return None
        route, kwargs = resolved
        for name, value in kwargs.items():
            if value not in into[route.route][name]:
                into[route.route][name].append(value)
        return route

    def visit(
        role: str, visitor: Visitor, path: str, into: dict[str, dict[str, list[str]]]
    ) -> list[str]:
        response = visitor.send("GET", path)
        found.pages[role] = found.pages.get(role, 0) + 1
        if not isinstance(response, HttpResponse) or not response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            return []
        parser = PageParser(path)
        parser.feed(response.content.decode(errors="replace"))
        for form in parser.forms:
            route = note(role, form.action, into)
            if route is not None and into is own:
                one = Found(role, route, path, form)
                found.forms.setdefault((role, one.key), one)
        links = []
        for link in parser.links:
            parts = urlsplit(link)
            if parts.netloc and parts.netloc != "testserver":
                continue
            if note(role, parts.path, into) is not None:
                links.append(parts.path)
        return links

    def crawl(role: str, prepare: Prepare, into: dict[str, dict[str, list[str]]]) -> None:
        visitor = Visitor(tally)
        prepare(visitor)
        queue = ["/", "/portal/", "/ops/", "/intake/"]
        opened: set[str] = set()
        per_route: dict[str, int] = defaultdict(int)
        while queue and len(opened) < CRAWL_LIMIT:
            path = queue.pop(0)
            resolved = route_of(path, by_route)
            if path in opened or resolved is None:
                continue
            route = resolved[0]
            if route.route in NOT_CRAWLED or route.route.startswith("accounts/"):
                continue  # allauth's pages are visited below, by route, not crawled
            if per_route[route.route] >= PAGES_PER_ROUTE:
                continue
            per_route[route.route] += 1
            opened.add(path)
            queue.extend(visit(role, visitor, path, into))

    crawl("foreign", foreign, seen)
    for role, prepare in roles.items():
        crawl(role, prepare, own)

    def candidates(route: Route) -> list[dict[str, str]]:
        """Own values, foreign values and junk for each parameter, in as many URLs as the
        parameter with the most values needs."""
        parameters = route.parameters
        if not parameters:
            return [{}]
        columns = []
        for name, converter in parameters:
            # Every own id the crawl saw for this route (a quote page per quote: a draft's
            # page has forms a sent one has not), else a few seen for the name anywhere.
            mine = (
                own[route.route][name][:OWN_PER_ROUTE]
                or [value for values in own.values() for value in values.get(name, [])][:2]
            )
            theirs = seen[route.route][name][:1]
            junk = list(JUNK.get(converter, JUNK["str"]))
            columns.append([*mine, *extra.get(name, []), *theirs, *junk])
        width = max(len(column) for column in columns)
        return [
            {
                name: column[i % len(column)]
                for (name, _), column in zip(parameters, columns, strict=True)
            }
            for i in range(width)
        ]

    def visit_route(route: Route) -> None:
        urls = [route.fill(values) for values in candidates(route)]
        # As the most privileged role, with the first (own) values: an empty POST (anything
        # but 405: the route takes POST), and a GET (405: the route serves no page to visit).
        *others, (last, most) = roles.items()
        visitor = Visitor(tally)
        most(visitor)
        with transaction.atomic():  # the POST may accept, lock or send what the pages show
            if visitor.send("POST", urls[0]).status_code != 405:
                found.accepts_post.add(route.route)
            transaction.set_rollback(True)
        if visitor.send("GET", urls[0]).status_code == 405:
            return
        for role, prepare in [*others, (last, most)]:
            visitor = Visitor(tally)
            prepare(visitor)
            for url in urls:
                visit(role, visitor, url, own)

    for route in all_routes:
        if route.regex or route.route in NOT_CRAWLED:
            continue
        # Each route's requests are undone before the next route's: an empty POST may have
        # signed the role out (its session is shared) or sent the quote whose form is next.
        with transaction.atomic():
            visit_route(route)
            transaction.set_rollback(True)
    for key, one in found.forms.items():
        resolved = route_of(one.form.action, by_route)
        if resolved is None or not resolved[1]:
            continue
        route, kwargs = resolved
        theirs = {name: (seen[route.route][name] or [value])[0] for name, value in kwargs.items()}
        junk = {name: JUNK.get(converter, JUNK["str"])[1] for name, converter in route.parameters}
        elsewhere = tuple({route.fill(theirs), route.fill(junk)} - {one.form.action})
        found.forms[key] = replace(one, elsewhere=elsewhere)
    return found

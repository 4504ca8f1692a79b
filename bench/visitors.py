"""Visitors of the app under load: sessions made the way a browser makes them (login form,
intake start), whose cookies the load generator then sends."""

from __future__ import annotations

import http.client
import re
import sys
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Visitor:
    """One browser: its own cookies, sent back by hand (with DEBUG off the server marks them
    Secure, which a cookie jar would then withhold over plain-HTTP loopback)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        """Return the status, the body and the Location header."""
        sent = {"Cookie": self.cookie_header(), **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                parsed: SimpleCookie = SimpleCookie()
                parsed.load(value)
                for name, morsel in parsed.items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, response.read().decode(), response.headers.get("Location", "")
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str]:
        return self.request("POST", path, form={**form, "csrfmiddlewaretoken": self.csrf()})

    def csrf(self) -> str:
        if "csrftoken" not in self.cookies:
            raise RuntimeError("No CSRF cookie yet: load a page with a form first.")
        return self.cookies["csrftoken"]

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def expect(result: tuple[int, str, str], status: int, what: str) -> tuple[int, str, str]:
    if result[0] != status:
        sys.exit(f"bench/web: {what} answered {result[0]}, not {status}:\n{result[1][:2000]}")
    return result


def signed_in(port: int, email: str, password: str) -> Visitor:
    visitor = Visitor(port)
    expect(visitor.get("/accounts/login/"), 200, "the login page")
    status, body, _ = visitor.post("/accounts/login/", {"login": email, "password": password})
    if status != 302 or "sessionid" not in visitor.cookies:
        sys.exit(f"bench/web: signing in as {email} failed ({status}):\n{body[:2000]}")
    return visitor


def intake_visitor(port: int) -> tuple[Visitor, str]:
    """A prospect one answer into the intake, on the question the load then asks and answers
    (the same as bench/intake_step.py); returns the visitor and its tree version."""
    visitor = Visitor(port)
    expect(visitor.get("/intake/"), 200, "the intake page")
    _, _, first = expect(visitor.post("/intake/start/", {}), 302, "starting the intake")
    _, page, _ = expect(visitor.get(first), 200, "the first question")
    found = re.search(r'name="tree_version" value="(\d+)"', page)
    if found is None:
        sys.exit("bench/web: no tree_version field on the first question.")
    version = found.group(1)
    expect(visitor.post(first, {"tree_version": version, "text": "x"}), 303, "the first answer")
    return visitor, version

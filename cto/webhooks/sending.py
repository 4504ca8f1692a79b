"""One signed request to a webhook endpoint, to the address the SSRF check approved.

Standard Webhooks: the headers webhook-id, webhook-timestamp and webhook-signature, signed by
the `standardwebhooks` library. No redirect is followed (http.client follows none: a 3xx is an
answer like any other, and not a success), the timeout is short, and only the start of the
answer is read."""

from __future__ import annotations

import datetime
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from standardwebhooks.webhooks import Webhook

from cto.webhooks.addresses import Target, UnsafeUrl, url_check

EXCERPT_CHARS = 300
USER_AGENT = "cto-webhooks/1"


@dataclass(frozen=True)
class Answer:
    succeeded: bool
    status_code: int | None
    excerpt: str  # the start of the body, or why there was no answer
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to by now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As _PinnedHTTPConnection, with TLS verified for the host name (not the address)."""

    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def signed_headers(
    *, secret: str, message_id: str, body: str, at: datetime.datetime
) -> dict[str, str]:
    """The Standard Webhooks headers of ``body`` sent at ``at``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def send(
    *, url: str, secret: str, message_id: str, body: str, timeout: float, now: datetime.datetime
) -> Answer:
    """POST ``body`` to ``url``, signed; never raises for what the receiver or the network
    does: every outcome is an Answer (a 2xx is the only success)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = url_check(url)  # resolved again now: the address may have changed
    except UnsafeUrl as refused:
        return Answer(False, None, f"Not sent: {refused}"[:EXCERPT_CHARS], took())
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(secret=secret, message_id=message_id, body=body, at=now),
    }
    try:
        connection.request("POST", target.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS * 4).decode(errors="replace")[:EXCERPT_CHARS]
        status = response.status
    except TimeoutError:
        return Answer(False, None, f"No answer within {timeout:g} s.", took())
    except (OSError, http.client.HTTPException) as error:
        return Answer(False, None, f"No answer: {error!r}"[:EXCERPT_CHARS], took())
    finally:
        connection.close()
    return Answer(200 <= status < 300, status, excerpt, took())

"""Exit 0 when the service at the URL answers, 1 otherwise: `probe.py postgres|redis URL`.

Used by scripts/test-services.sh before the test suite runs. Standard library only, so it
runs before the project's dependencies are installed."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlparse


def answers(kind: str, url: str, timeout: float = 2.0) -> bool:
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or (5432 if kind == "postgres" else 6379)
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            if kind == "redis":
                conn.sendall(b"PING\r\n")
                reply = conn.recv(64)
                return reply.startswith((b"+PONG", b"-NOAUTH"))
            # PostgreSQL: an SSLRequest gets a one-byte answer ('S' or 'N') from a live server.
            conn.sendall(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")
            return conn.recv(1) in (b"S", b"N")
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1], sys.argv[2]) else 1)

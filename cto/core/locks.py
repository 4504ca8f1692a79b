"""Locks that belong to a live process rather than to a transaction.

A row lock lasts as long as its transaction, and a PDF rendering must not hold a transaction
open for a minute. PostgreSQL's session-level advisory locks fit instead: held by the
connection, released when the holder says so, and released by the server when the holder's
connection ends, so a process killed mid-work never leaves its lock behind.

(Session-level locks need the connection to stay the process's own: a transaction-pooling
proxy such as PgBouncer in transaction mode would break them. Workers connect directly.)"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator

from django.db import DatabaseError, connection


def _namespace(name: str) -> int:
    # A stable 31-bit number for the kind of thing locked, so that ids of different kinds
    # never share a lock.
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def held_by_this_process(name: str, key: int) -> Iterator[bool]:
    """Try to take the lock on (``name``, ``key``) without waiting; yield whether this process
    holds it, and release it on exit. Another live process holding it means that one is doing
    the work now. Elsewhere than PostgreSQL (the embedded SQLite of `make run`, one worker)
    there is no such lock and every caller holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    # The two-integer form takes 32-bit keys: ids 2**31 apart share a lock (one of them may
    # wait for the sweeper: a delay, no harm).
    namespace, key = _namespace(name), key & 0x7FFFFFFF
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            # A connection lost meanwhile took the lock with it: nothing left to release.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])

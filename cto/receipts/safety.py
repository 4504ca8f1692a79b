"""Reading files a stranger made, within bounds: every adapter reads its bytes through here.

The size is checked before anything is parsed; JSON is refused past a nesting depth; what is
refused is a ``Refusal`` with a sentence that says why, never a crash of the request."""

from __future__ import annotations

import json
from typing import Any

from cto.receipts.results import Refusal

MAX_BYTES = 20 * 1024 * 1024
MAX_JSON_DEPTH = 64


def check_size(data: bytes, *, max_bytes: int = MAX_BYTES) -> None:
    if len(data) > max_bytes:
        raise Refusal(
            f"The file is {len(data) / 1_048_576:.1f} MB; receipts are read up to "
            f"{max_bytes / 1_048_576:.0f} MB."
        )


def load_json(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The parsed document, or a Refusal when it is too big, not JSON or nested too deep."""
    check_size(data, max_bytes=max_bytes)
    try:
        document = json.loads(data)
    except RecursionError:
        raise Refusal(f"The JSON is nested deeper than {max_depth} levels.") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise Refusal(f"The file is not valid JSON ({error}).") from None
    if _depth_exceeds(document, max_depth):
        raise Refusal(f"The JSON is nested deeper than {max_depth} levels.")
    return document


def _depth_exceeds(document: Any, max_depth: int) -> bool:
    # Iterative, so a deep document cannot exhaust the stack here either.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False

"""bench/results.json: one section per benchmark, each written by the script that measured it.

Every `make bench` script records its own section and leaves the others alone, so the file
always holds the latest figures of each part, with the date and machine they came from.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def record(section: str, data: dict[str, Any]) -> Path:
    """Write ``data`` as the file's ``section``, stamped with the date and machine."""
    try:
        results = json.loads(RESULTS.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        results = {}
    results[section] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **data,
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    return RESULTS

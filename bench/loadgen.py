"""wrk, the load generator, driven by a generated Lua script: the requests of a page taken in
turn, any status but 200 counted, and the figures handed back as one JSON line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def wrk_path() -> str:
    """wrk, installed from Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("bench/web: wrk is not installed and we cannot install it: install Debian's wrk.")
    print("bench/web: installing the Debian package wrk...", file=sys.stderr, flush=True)
    apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["update", "-qq"], ["install", "-y", "-qq", "wrk"]):
        # apt-get from PATH, as root, with fixed arguments
        subprocess.run(["apt-get", *step], env=apt, stdout=subprocess.DEVNULL, check=True)  # noqa: S603, S607
    return shutil.which("wrk") or sys.exit("bench/web: wrk is still missing after installing it.")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


@dataclass(frozen=True)
class Page:
    name: str
    group: str
    requests: list[Request]  # taken in turn, so the connections share several sessions


def lua_string(text: str) -> str:
    if not text.isascii():
        raise ValueError(f"Only ASCII goes into the wrk script: {text!r}")
    return json.dumps(text)  # an ASCII JSON string is a valid Lua string literal


WRK_SCRIPT = """
local specs = {%(specs)s}
local prepared = {}
local sent = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  for i, spec in ipairs(specs) do
    prepared[i] = wrk.format(spec[1], spec[2], spec[3], spec[4])
  end
end

function request()
  sent = sent + 1
  return prepared[(sent %% #prepared) + 1]
end

function response(status, headers, body)
  if status ~= 200 then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "timeout": %%d, "not_200": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.timeout, bad, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def wrk_script(page: Page) -> str:
    specs = []
    for item in page.requests:
        headers = ", ".join(
            f"[{lua_string(name)}] = {lua_string(value)}" for name, value in item.headers.items()
        )
        body = lua_string(item.body) if item.body else "nil"
        specs.append(
            f"{{{lua_string(item.method)}, {lua_string(item.path)}, {{{headers}}}, {body}}}"
        )
    return WRK_SCRIPT % {"specs": ",\n  ".join(specs)}


def wrk_run(
    wrk: str, port: int, script: Path, *, seconds: int, connections: int, threads: int
) -> dict[str, int]:
    """Load the server for ``seconds`` and return the script's figures (times in microseconds)."""
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=5s",
        f"--script={script}",
        f"http://127.0.0.1:{port}/",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # wrk, found by which
    for line in finished.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return dict(json.loads(line.removeprefix("BENCH-RESULT ")))
    sys.exit(f"bench/web: wrk gave no result:\n{finished.stdout}\n{finished.stderr}")

from __future__ import annotations

import io
import json
import stat
import time
import zipfile
from pathlib import Path

import pytest

from cto.receipts import safety
from cto.receipts.adapters import inspect, junit, promptfoo, read_eval
from cto.receipts.results import Hostile, Refusal
from cto.receipts.safety import Budget, SafeZip, load_json, load_xml

INSPECT_FIXTURES = Path(__file__).parent / "fixtures" / "inspect"


def archive(entries: dict[str, bytes], **options) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, **options) as zipped:
        for name, content in entries.items():
            zipped.writestr(name, content)
    return out.getvalue()


def test_zip_bomb_is_refused_before_inflating_by_its_declared_size():
    bomb = archive({"header.json": b"0" * (120 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024
    started = time.monotonic()
    with pytest.raises(Hostile, match="would inflate"):
        SafeZip(bomb, budget=Budget())
    assert time.monotonic() - started < 1


def test_zip_bomb_that_lies_about_its_size_stops_at_the_declared_bound():
    # Declares 1 KB, inflates to 10 MB: reading stops at the first chunk past 1 KB.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("header.json", b"0" * (10 * 1024 * 1024))
    data = bytearray(out.getvalue())
    real = (10 * 1024 * 1024).to_bytes(4, "little")
    small = (1024).to_bytes(4, "little")
    data = bytearray(bytes(data).replace(real, small))  # local and central headers both lie
    reader = SafeZip(bytes(data), budget=Budget())
    with pytest.raises(Hostile, match="inflates past what the archive declares"):
        reader.read("header.json")


def test_an_entry_with_a_bomb_ratio_is_refused():
    with pytest.raises(Hostile, match="times its size"):
        SafeZip(archive({"samples/1.json": b"\0" * (5 * 1024 * 1024)}), budget=Budget())


@pytest.mark.parametrize(
    "name", ["../evil.json", "samples/../../evil.json", "/etc/passwd", "C:/x.json", "a\\..\\b"]
)
def test_path_traversal_names_are_refused(name):
    with pytest.raises(Hostile, match="unsafe name"):
        SafeZip(archive({name: b"{}"}), budget=Budget())


def test_symlink_entries_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        link = zipfile.ZipInfo("header.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
    with pytest.raises(Hostile, match="holds a link"):
        SafeZip(out.getvalue(), budget=Budget())


def test_too_many_entries_are_refused():
    entries = {f"samples/{n}.json": b"{}" for n in range(50)}
    with pytest.raises(Hostile, match="holds 50 entries; receipts are read up to 10"):
        SafeZip(archive(entries), budget=Budget(), max_entries=10)


def test_nested_archives_are_bytes_never_opened():
    inner = archive({"../escape.json": b"{}"})
    reader = SafeZip(archive({"inner.zip": inner}), budget=Budget())
    assert reader.read("inner.zip") == inner


def test_a_damaged_entry_is_refused_by_its_checksum():
    data = bytearray(archive({"header.json": b'{"version": 2}'}))
    reader = SafeZip(bytes(data), budget=Budget())
    entry = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("header.json")
    data[entry.header_offset + 30 + len("header.json") + 2] ^= 0xFF
    with pytest.raises(Refusal, match="is damaged") as raised:
        SafeZip(bytes(data), budget=Budget()).read("header.json")
    assert not isinstance(raised.value, Hostile)  # malformed, not harmful
    assert reader.read("header.json") == b'{"version": 2}'


def test_zstd_entries_are_read_like_inspect_writes_them():
    data = (INSPECT_FIXTURES / "capitals-pass.eval").read_bytes()
    assert {entry.compress_type for entry in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {93}
    header = json.loads(SafeZip(data, budget=Budget()).read("header.json"))
    assert header["status"] == "success"


def test_billion_laughs_is_refused():
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuites><testsuite><testcase name="&lol3;"/></testsuite></testsuites>"""
    with pytest.raises(Hostile, match="declares a document type or entities"):
        junit.read(laughs, "junit.xml")


def test_external_entities_are_refused():
    external = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<testsuites><testsuite><testcase name="&secret;"/></testsuite></testsuites>"""
    with pytest.raises(Hostile, match="declares a document type or entities"):
        load_xml(external)


def test_fifty_megabyte_json_is_refused_by_size_before_parsing(tmp_path):
    path = tmp_path / "results.json"
    with path.open("wb") as out:
        out.write(b'{"evalId": "x", "results": {"version": 3, "results": [')
        out.write(b"1," * (25 * 1024 * 1024))
        out.write(b"1]}}")
    data = path.read_bytes()
    assert len(data) > 50 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(Hostile, match="receipts are read up to 20 MB"):
        read_eval(data, "results.json")
    # Parsing fifty million numbers takes seconds; refusing by length takes none.
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_nesting_is_refused(depth):
    deep = b"[" * depth + b"]" * depth
    with pytest.raises(Hostile, match="nested deeper than 64 levels"):
        load_json(deep)


def test_deep_nesting_inside_a_promptfoo_file_is_refused():
    deep = b'{"evalId": "x", "results": ' + b"[" * 200 + b"]" * 200 + b"}"
    with pytest.raises(Hostile, match="nested deeper"):
        promptfoo.read(deep, "results.json")


def test_a_spent_budget_stops_reading_between_cases():
    budget = Budget(seconds=0)
    time.sleep(0.001)
    data = (INSPECT_FIXTURES / "capitals-pass.json").read_bytes()
    with pytest.raises(Hostile, match="took longer than 0 s to read"):
        inspect.read(data, "log.json", budget=budget)


def test_an_unknown_format_names_the_formats_we_read():
    with pytest.raises(Refusal, match="We read promptfoo results JSON") as raised:
        read_eval(b"name,score\na,1\n", "results.csv")
    assert not isinstance(raised.value, Hostile)  # kept, to be reviewed


def test_the_size_limit_is_checked_before_sniffing():
    with pytest.raises(Hostile, match="receipts are read up to"):
        read_eval(b" " * (safety.MAX_BYTES + 1), "anything.bin")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"<testsuites><testsuite>", "not well-formed XML"),
        (b"PK\x03\x04 not really", "not a readable zip archive"),
    ],
)
def test_malformed_files_are_plain_refusals_not_hostile(data, reason):
    # A malformed file is kept as a receipt that needs review; only a hostile one is refused.
    readers = {"{": load_json, "<": load_xml, "P": lambda d: SafeZip(d, budget=Budget())}
    with pytest.raises(Refusal, match=reason) as raised:
        readers[chr(data[0])](data)
    assert type(raised.value) is Refusal

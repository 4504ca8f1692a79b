"""Reading files a stranger made, within bounds: every adapter reads its bytes through here.

The size is checked before anything is parsed; JSON is refused past a nesting depth; a zip
archive is checked entry by entry before a byte is inflated, and inflating stops at the bound
whatever the archive declares; XML goes through defusedxml only; and a ``Budget`` bounds the
time an adapter spends. Passing one of these bounds is ``Hostile`` (nothing of the file is
kept); a file that is merely malformed (not JSON, not well-formed XML, a damaged archive) is a
plain ``Refusal``, kept as a receipt that needs review. Either carries a sentence that says
why, never a crash of the request."""

from __future__ import annotations

import io
import json
import stat
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree
import zstandard
from defusedxml import DefusedXmlException

from cto.receipts.results import Hostile, Refusal

MAX_BYTES = 20 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_SECONDS = 10.0

MAX_ZIP_ENTRIES = 10_000
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_ENTRY_RATIO = 200
"""An entry inflating more than this many times its compressed size is refused. JSON logs
compress 5-30 times; a zip bomb, a thousand times and more."""
RATIO_FREE_BYTES = 1024 * 1024
"""Entries that inflate to no more than this are not held to the ratio: a tiny file of
repeated bytes compresses very well and harms nobody."""

_STORED, _DEFLATED, _ZSTD = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, 93
_COMPRESSION_NAMES = {_STORED: "stored", _DEFLATED: "deflate", _ZSTD: "zstd"}
# Bounds the zstd decoder's memory; zstd's usual compression levels use far smaller windows.
_ZSTD_MAX_WINDOW = 1 << 26
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CHUNK = 64 * 1024


def check_size(data: bytes, *, max_bytes: int = MAX_BYTES) -> None:
    if len(data) > max_bytes:
        raise Hostile(
            f"The file is {len(data) / 1_048_576:.1f} MB; receipts are read up to "
            f"{max_bytes / 1_048_576:.0f} MB."
        )


@dataclass
class Budget:
    """A deadline for reading one file. Cooperative: nothing interrupts a parser midway; the
    adapters call ``check()`` between cases and entries, so one slow step (a single
    ``json.loads`` of a file already bounded by size) can run past it, but no loop over a
    file's contents can."""

    seconds: float = MAX_SECONDS
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise Hostile(f"The file took longer than {self.seconds:g} s to read.")


# --- JSON -------------------------------------------------------------------------------------


def load_json(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The parsed document, or a Refusal when it is too big, not JSON or nested too deep."""
    check_size(data, max_bytes=max_bytes)
    try:
        document = json.loads(data)
    except RecursionError:
        raise Hostile(f"The JSON is nested deeper than {max_depth} levels.") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise Refusal(f"The file is not valid JSON ({error}).") from None
    if _depth_exceeds(document, max_depth):
        raise Hostile(f"The JSON is nested deeper than {max_depth} levels.")
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


# --- XML --------------------------------------------------------------------------------------


def load_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> Element:
    """The root element, parsed by defusedxml with DTDs, entities and external references all
    forbidden (billion laughs, external entities); a Refusal for anything else."""
    check_size(data, max_bytes=max_bytes)
    try:
        return defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise Hostile(
            "The XML declares a document type or entities; receipts are read without them."
        ) from None
    except ParseError as error:
        raise Refusal(f"The file is not well-formed XML ({error}).") from None


# --- Zip archives -----------------------------------------------------------------------------


class SafeZip:
    """A zip archive whose central directory has been checked: entry count, names (no "..",
    no absolute or drive paths, no backslashes, no duplicates), no links, no encryption, known
    compression (stored, deflate, zstd), declared sizes and ratios within bounds. Nothing is
    inflated until ``read``, which stops at the bounds whatever the archive declared. An
    entry that is itself an archive comes back as bytes and is never opened: nested archives
    are not followed."""

    def __init__(
        self,
        data: bytes,
        *,
        budget: Budget,
        max_bytes: int = MAX_BYTES,
        max_entries: int = MAX_ZIP_ENTRIES,
        max_inflated: int = MAX_INFLATED_BYTES,
    ) -> None:
        check_size(data, max_bytes=max_bytes)
        self._data = data
        self._budget = budget
        self._max_inflated = max_inflated
        self._inflated = 0
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise Refusal("The file is not a readable zip archive.") from None
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise Hostile(
                f"The archive holds {len(entries)} entries; receipts are read up to {max_entries}."
            )
        self._entries: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for entry in entries:
            budget.check()
            _check_entry(entry)
            if entry.filename in self._entries:
                raise Refusal(f"The archive holds {entry.filename!r} twice.")
            self._entries[entry.filename] = entry
            declared += entry.file_size
        if declared > max_inflated:
            raise Hostile(
                f"The archive would inflate to {declared / 1_048_576:.0f} MB; receipts are "
                f"read up to {max_inflated / 1_048_576:.0f} MB."
            )

    @property
    def names(self) -> list[str]:
        return list(self._entries)

    def read(self, name: str) -> bytes:
        """The entry's inflated bytes, read through the bounds: never more than it declared,
        nor more than the archive's remaining allowance; its CRC must match."""
        entry = self._entries.get(name)
        if entry is None:
            raise Refusal(f"The archive has no {name!r}.")
        raw = self._raw(entry)
        limit = min(entry.file_size, self._max_inflated - self._inflated)
        chunks: list[bytes] = []
        size = 0
        for chunk in _inflate(raw, entry.compress_type):
            self._budget.check()
            size += len(chunk)
            if size > limit:
                raise Hostile(
                    f"{name!r} inflates past what the archive declares or allows; "
                    "it was not read further."
                )
            chunks.append(chunk)
        content = b"".join(chunks)
        if size != entry.file_size or zlib.crc32(content) != entry.CRC:
            raise Refusal(f"{name!r} is damaged (its size or checksum does not match).")
        self._inflated += size
        return content

    def _raw(self, entry: zipfile.ZipInfo) -> bytes:
        # The compressed bytes, found through the entry's local header (zipfile cannot open
        # zstd entries on Python 3.11, so every method is inflated here, the same way).
        start = entry.header_offset
        header = self._data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise Refusal(f"{entry.filename!r} is damaged (no local header).")
        fields = _LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[-2], fields[-1]
        begin = start + _LOCAL_HEADER.size + name_length + extra_length
        end = begin + entry.compress_size
        if end > len(self._data):
            raise Refusal(f"{entry.filename!r} is damaged (it runs past the end of the file).")
        return self._data[begin:end]


def _check_entry(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or ".." in name.split("/")
    ):
        raise Hostile(f"The archive holds an entry with an unsafe name: {name!r}.")
    mode = entry.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise Hostile(f"The archive holds a link ({name!r}); receipts hold files only.")
    if entry.flag_bits & 0x1:
        raise Refusal(f"{name!r} is encrypted.")
    if entry.compress_type not in _COMPRESSION_NAMES:
        raise Refusal(f"{name!r} uses a compression method ({entry.compress_type}) we do not read.")
    if entry.file_size > RATIO_FREE_BYTES and (
        entry.file_size > MAX_ENTRY_RATIO * max(entry.compress_size, 1)
    ):
        raise Hostile(
            f"{name!r} would inflate {entry.file_size // max(entry.compress_size, 1)} times its "
            f"size; receipts are read up to {MAX_ENTRY_RATIO} times."
        )


def _inflate(raw: bytes, method: int) -> Iterator[bytes]:
    """The inflated bytes of one entry, a chunk at a time, so the caller can stop at its bound
    before the whole of a bomb is in memory."""
    try:
        if method == _STORED:
            for start in range(0, len(raw), _CHUNK):
                yield raw[start : start + _CHUNK]
        elif method == _DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            pending = raw
            while pending:
                yield inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
            yield inflater.flush()
        else:
            decoder = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
            with decoder.stream_reader(io.BytesIO(raw), read_across_frames=True) as reader:
                while chunk := reader.read(_CHUNK):
                    yield chunk
    except (zlib.error, zstandard.ZstdError) as error:
        raise Refusal(f"An entry of the archive cannot be inflated ({error}).") from None

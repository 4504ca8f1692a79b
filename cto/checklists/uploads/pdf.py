"""What a PDF may hold to be accepted as evidence: pages, not programs. A pure module.

An operator opens evidence in their own PDF reader; a PDF can ask that reader to run
JavaScript, launch a program, submit or import data, play rich media or carry other files
inside it. Such a file is refused, whatever the upload's purpose. The check reads the file with a
PDF parser (pypdf), not by searching bytes: names may be written with #-escapes (/#4A#53 is /JS)
and objects may sit in compressed object streams, and a parser reads both as the reader will.
Every object reachable from the file's trailer is walked: what a reader can reach is what it
may act on."""

from __future__ import annotations

from typing import IO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from cto.checklists.uploads.errors import UploadError

# Keys that hold a script, or files, or a form whose scripts run in the reader.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "actions that run by themselves",
    "/EmbeddedFile": "files inside it",
    "/EmbeddedFiles": "files inside it",
    "/RichMedia": "embedded media that runs in the reader",
    "/XFA": "a form with scripts (XFA)",
}
# Action types (/S) that do more than move within the document or open a web link.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that launches a program",
    "/ImportData": "an action that imports data",
    "/SubmitForm": "an action that sends data away",
    "/RichMediaExecute": "embedded media that runs in the reader",
    "/GoToE": "files inside it",
}
ACTIVE_SUBTYPES = {
    "/FileAttachment": "files inside it",
    "/RichMedia": "embedded media that runs in the reader",
    "/Movie": "embedded media that runs in the reader",
    "/Sound": "embedded media that runs in the reader",
    "/Screen": "embedded media that runs in the reader",
}
# A 10 MB file holds at most a few hundred thousand objects; past this the file is refused
# rather than walked for minutes.
MAX_OBJECTS = 500_000


def check_pdf(stream: IO[bytes]) -> None:
    """Nothing when the PDF is readable, unencrypted and holds no active content; UploadError
    naming what was found otherwise."""
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise UploadError(
                "That PDF is encrypted, so its content cannot be checked. Please upload a copy "
                "saved without a password or restrictions."
            )
        found = _active_content(reader)
    except UploadError:
        raise
    except Exception as error:
        # pypdf raises many kinds of error on damaged or crafted files (its own, ValueError,
        # KeyError, zlib and struct errors, its decompression limits). A file it cannot read
        # through, a reader application might still read another way: it is not accepted
        # unchecked, and it is never a 500.
        raise UploadError(
            "That PDF could not be read, so its content cannot be checked."
        ) from error
    if found is not None:
        raise UploadError(
            f"That PDF contains {found}, which is not accepted in evidence. Please upload a "
            "copy printed or exported to PDF without it."
        )


def _active_content(reader: PdfReader) -> str | None:
    """What active content the document holds (the first found), or None."""
    pending: list[PdfObject | None] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while pending:
        node = pending.pop()
        visited += 1
        if visited > MAX_OBJECTS:
            raise UploadError("That PDF has too many parts to be checked.")
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
            if node is None:
                continue
        if isinstance(node, DictionaryObject):  # stream dictionaries included
            found = _active_entry(node)
            if found is not None:
                return found
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return None


def _active_entry(dictionary: DictionaryObject) -> str | None:
    for key in dictionary:
        if key in ACTIVE_KEYS:
            return ACTIVE_KEYS[key]
    kind = dictionary.get("/S")
    if isinstance(kind, NameObject) and kind in ACTIVE_ACTIONS:
        return ACTIVE_ACTIONS[kind]
    subtype = dictionary.get("/Subtype")
    if isinstance(subtype, NameObject) and subtype in ACTIVE_SUBTYPES:
        return ACTIVE_SUBTYPES[subtype]
    return None

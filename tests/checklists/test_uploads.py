"""cto/checklists/uploads/: which evidence files are accepted, and their clean names; PDFs
without scripts or actions, Office archives within their limits and without macros.
No database."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cto.checklists.uploads import (
    ArchiveLimits,
    UploadError,
    check_content,
    check_upload,
    clean_name,
)
from tests import evidence_files

MB = 1_000_000


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("report.pdf", b"MZ\x90\x00", "not really a .pdf"),  # an executable dressed as a PDF
        ("report.pdf", b"\x7fELF", "not really a .pdf"),
        ("tool.exe", b"MZ", "not accepted"),
        ("notes.txt", b"ok\x00\x00binary", "not plain text"),
        ("script.sh", b"#!/bin/sh", "not accepted"),
    ],
)
def test_disguised_or_unknown_files_are_refused(name: str, head: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        check_upload(name, 100, head, max_bytes=10 * MB)


def test_oversized_and_empty_files_are_refused() -> None:
    with pytest.raises(UploadError, match="the limit is 10 MB"):
        check_upload("big.pdf", 11 * MB, b"%PDF-1.7", max_bytes=10 * MB)
    with pytest.raises(UploadError, match="empty"):
        check_upload("empty.pdf", 0, b"", max_bytes=10 * MB)


def test_accepted_files_get_a_clean_name_and_type() -> None:
    assert check_upload("Q3 plan.PDF", 10, b"%PDF-1.4", max_bytes=MB) == (
        "Q3 plan.PDF",
        "application/pdf",
    )
    assert clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_name("C:\\Users\\me\\r<e>p|o*rt.pdf") == "r_e_p_o_rt.pdf"
    assert clean_name("....") == "evidence"


# --- The whole content ------------------------------------------------------------------------

LIMITS = ArchiveLimits(max_inflated_bytes=200 * MB, max_ratio=100, max_members=2000)


def check(name: str, data: bytes, limits: ArchiveLimits = LIMITS) -> None:
    check_content(name, io.BytesIO(data), size=len(data), limits=limits)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("proof.pdf", evidence_files.clean_pdf),
        ("proof.docx", evidence_files.clean_docx),
        ("proof.xlsx", evidence_files.clean_docx),  # the same archive checks for every type
    ],
)
def test_clean_documents_are_accepted(name: str, make: Callable[[], bytes]) -> None:
    check(name, make())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (evidence_files.pdf_with_javascript, "contains JavaScript"),
        (evidence_files.pdf_with_escaped_javascript_name, "contains JavaScript"),
        (evidence_files.pdf_with_javascript_in_an_object_stream, "contains JavaScript"),
        (evidence_files.pdf_with_launch_action, "launches a program"),
        (evidence_files.pdf_with_attachment, "files inside it"),
        (evidence_files.encrypted_pdf, "encrypted"),
        (lambda: b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "could not be read"),
        (lambda: evidence_files.clean_pdf()[:300], "could not be read"),
    ],
)
def test_pdfs_with_scripts_actions_or_unreadable_are_refused(
    make: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(UploadError, match=message):
        check("proof.pdf", make())


def test_the_hidden_javascript_is_not_in_the_bytes_a_search_would_read() -> None:
    """The two hand-made files hide it from a byte search: only a parser finds it."""
    escaped = evidence_files.pdf_with_escaped_javascript_name()
    packed = evidence_files.pdf_with_javascript_in_an_object_stream()
    assert b"/JS" not in escaped
    assert b"/JavaScript" not in escaped
    assert b"JavaScript" not in packed


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (evidence_files.docx_with_macro, "macros"),
        (evidence_files.zip_bomb, "100 times its size"),
        (evidence_files.damaged_docx, "not a valid .docx"),
        (lambda: evidence_files.clean_docx()[:-30], "not a valid .docx"),  # truncated
        (
            lambda: evidence_files.clean_docx().replace(b"[Content_Types]", b"[Other_Things_]"),
            "not really a .docx",
        ),
    ],
)
def test_office_files_with_macros_bombs_or_damage_are_refused(
    make: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(UploadError, match=message):
        check("proof.docx", make())


def test_the_limits_on_inflated_size_and_parts_are_the_settings_given() -> None:
    bomb = evidence_files.zip_bomb(8 * MB)  # under a ratio of 1000, over 4 MB inflated
    check(
        "proof.docx", bomb, ArchiveLimits(max_inflated_bytes=9 * MB, max_ratio=1000, max_members=10)
    )
    with pytest.raises(UploadError, match="more than 4 MB"):
        check(
            "proof.docx",
            bomb,
            ArchiveLimits(max_inflated_bytes=4 * MB, max_ratio=1000, max_members=10),
        )
    many = evidence_files.many_parts_docx(20)
    check("proof.docx", many, ArchiveLimits(max_inflated_bytes=MB, max_ratio=100, max_members=23))
    with pytest.raises(UploadError, match="holds 23 parts; at most 22"):
        check(
            "proof.docx", many, ArchiveLimits(max_inflated_bytes=MB, max_ratio=100, max_members=22)
        )


def test_other_types_are_not_opened() -> None:
    check("notes.txt", b"=cmd|' /C calc'!A0")
    check("photo.png", b"\x89PNG\r\n\x1a\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_pdfs_and_archives_are_refused_with_a_message_never_an_error(
    data: st.DataObject,
) -> None:
    """Bytes of a clean file overwritten, cut or repeated anywhere: accepted or refused with
    UploadError, never another exception (which would be a 500)."""
    name, original = data.draw(
        st.sampled_from(
            [
                ("proof.pdf", evidence_files.clean_pdf()),
                ("proof.pdf", evidence_files.pdf_with_javascript_in_an_object_stream()),
                ("proof.docx", evidence_files.clean_docx()),
            ]
        )
    )
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        match data.draw(st.sampled_from(["overwrite", "cut", "repeat"])):
            case "overwrite":
                damaged[at : at + 4] = data.draw(st.binary(min_size=1, max_size=4))
            case "cut":
                del damaged[at : at + data.draw(st.integers(1, 64))]
            case "repeat":
                damaged[at:at] = damaged[at : at + data.draw(st.integers(1, 64))]
    with contextlib.suppress(UploadError):
        check(name, bytes(damaged))

"""cto/checklists/uploads.py: which evidence files are accepted, and their clean names.
No database."""

from __future__ import annotations

import pytest

from cto.checklists.uploads import UploadError, check_upload, clean_name

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

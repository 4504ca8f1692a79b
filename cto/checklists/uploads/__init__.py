"""What an evidence upload may be: a few document and image types, checked by their first
bytes as well as their name, under a size limit (``check_upload``); then, for the types that can
carry more than they show, by their whole content (``check_content``): a PDF without scripts or
actions (uploads/pdf.py), an Office archive that inflates to a bounded size without macros
(uploads/office.py). Pure modules: the caller passes the file and the limits."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import IO

from cto.checklists.uploads.errors import UploadError
from cto.checklists.uploads.office import ArchiveLimits, check_office
from cto.checklists.uploads.pdf import check_pdf

__all__ = ["ArchiveLimits", "UploadError", "check_content", "check_upload", "clean_name"]

ZIP = (b"PK\x03\x04",)
SIGNATURES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    # extension: (content type, accepted first bytes; None = plain UTF-8 text)
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain", None),
    ".md": ("text/markdown", None),
    ".csv": ("text/csv", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
}


def clean_name(name: str) -> str:
    """The file's own name, without any path, control characters or odd punctuation."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return base[-150:] or "evidence"


def check_upload(name: str, size: int, head: bytes, *, max_bytes: int) -> tuple[str, str]:
    """(clean name, content type) for an acceptable file; UploadError otherwise."""
    cleaned = clean_name(name)
    extension = PurePosixPath(cleaned).suffix.lower()
    if extension not in SIGNATURES:
        allowed = ", ".join(sorted(SIGNATURES))
        raise UploadError(f"That kind of file is not accepted. Please upload one of: {allowed}.")
    if size <= 0:
        raise UploadError("The file is empty.")
    if size > max_bytes:
        raise UploadError(
            f"The file is {size / 1_000_000:.1f} MB; the limit is {max_bytes / 1_000_000:.0f} MB."
        )
    content_type, signatures = SIGNATURES[extension]
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # The head may end inside a multi-byte character; allow that one cut only.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError as error:
                raise UploadError("That file is not plain text, whatever its name says.") from error
        if b"\x00" in head:
            raise UploadError("That file is not plain text, whatever its name says.")
    elif not head.startswith(signatures):
        raise UploadError(f"That file is not really a {extension} file, whatever its name says.")
    return cleaned, content_type


def check_content(name: str, stream: IO[bytes], *, size: int, limits: ArchiveLimits) -> None:
    """For a file ``check_upload`` accepted: nothing when its whole content is acceptable too,
    UploadError otherwise. ``stream`` is read from its start and left wherever it ends."""
    extension = PurePosixPath(name).suffix.lower()
    stream.seek(0)
    if extension == ".pdf":
        check_pdf(stream)
    elif SIGNATURES[extension][1] == ZIP:
        check_office(stream, size=size, extension=extension, limits=limits)

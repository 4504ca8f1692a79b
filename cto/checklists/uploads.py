"""What an evidence upload may be: a few document and image types, checked by their first
bytes as well as their name, under a size limit. A pure module."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

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


class UploadError(ValueError):
    """Why a file is refused, in words for the person uploading it."""


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

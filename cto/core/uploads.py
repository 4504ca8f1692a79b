"""Uploads dropped at the size limit while they arrive, not refused after they have landed.

Django's own upload handlers keep a file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and write
the rest to a temporary file, however large it grows: a 4 GB upload would be on the server's
disk before any form could say it is too big. This handler comes first in FILE_UPLOAD_HANDLERS
and passes each chunk on to them until the file passes the largest file any form of the app
accepts (EVIDENCE_MAX_BYTES for evidence, RECEIPT_MAX_BYTES for receipts; each form checks its
own); then it drops the file (Django closes and deletes what the next
handlers kept, and reads the rest of it without keeping it) and notes which field it was, so
that the view can say why the file is missing (``dropped_uploads``).

A reverse proxy's body limit stays the first line (see docs/deployment.md):
this one holds when the app is reached without one, and keeps the disk out of it either way.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.dropped: set[str] = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > upload_max_bytes():
            self.dropped.add(self.field_name)
            raise SkipFile
        return raw_data  # on to the handler that keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler gives the file


def upload_max_bytes() -> int:
    """The largest file any of the app's forms accepts."""
    return max(settings.EVIDENCE_MAX_BYTES, settings.RECEIPT_MAX_BYTES)


def dropped_uploads(request: HttpRequest) -> set[str]:
    """The names of the fields whose file was dropped for its size (after the form is read)."""
    return {
        field
        for handler in request.upload_handlers
        if isinstance(handler, SizeLimitedUploadHandler)
        for field in handler.dropped
    }


def too_large_message(max_bytes: int | None = None) -> str:
    limit = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    return f"The file is larger than the {limit / 1_000_000:.0f} MB limit."

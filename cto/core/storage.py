"""Private file storage: files on disk (or, by configuration, in object storage) that never
have a public URL. Views that check access stream them."""

from __future__ import annotations

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError(
            "Private files are not accessible via a URL: serve them through a view that checks "
            "who is asking."
        )


def private_storage() -> Storage:
    """The configured private storage (STORAGES["private"]), for FileFields that hold
    evidence and reports."""
    return storages["private"]


def private_download(file: File, *, filename: str, content_type: str) -> FileResponse:
    """A private file as an attachment: never cached on the way, never sniffed by the browser.
    The only way private files leave the server (views check who may have them first)."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

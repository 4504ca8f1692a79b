"""Private file storage: files on disk (or, by configuration, in object storage) that never
have a public URL. Views that check access stream them."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages


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

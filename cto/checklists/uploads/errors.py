"""The one error of the upload checks."""

from __future__ import annotations


class UploadError(ValueError):
    """Why a file is refused, in words for the person uploading it."""

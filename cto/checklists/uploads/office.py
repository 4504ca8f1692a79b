"""What an Office file (docx, xlsx, pptx: ZIP archives) may be to be accepted as evidence: a
valid archive that inflates to a bounded size, without macros or ActiveX controls. A pure
module.

The sizes come first from the archive's own central directory (zipfile's ``infolist``), which
costs nothing to read: too many members, too much inflated content, or a ratio no document has
(a "ZIP bomb") is refused before anything is inflated. Then each member is inflated as a stream
and counted, up to those same limits, without keeping it: a directory can lie about sizes, and
zipfile stops at the declared size and checks the CRC, so a lying or damaged archive is refused
as well."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from cto.checklists.uploads.errors import UploadError

CHUNK = 1024 * 1024
# Parts that hold code an Office application may run: VBA macros (vbaProject.bin, and the
# vbaData.xml beside it) and ActiveX controls.
CODE_PARTS = ("vbaproject.bin", "vbadata.xml")
CODE_FOLDERS = ("activex",)


@dataclass(frozen=True)
class ArchiveLimits:
    max_inflated_bytes: int  # the sum of the members' sizes once inflated
    max_ratio: int  # inflated size over the file's size
    max_members: int


def check_office(stream: IO[bytes], *, size: int, extension: str, limits: ArchiveLimits) -> None:
    """Nothing when ``stream`` is an Office archive within ``limits``, holding no code;
    UploadError saying what is wrong otherwise."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            _check_directory(members, size=size, extension=extension, limits=limits)
            _check_inflated(archive, members, limits=limits)
    except UploadError:
        raise
    except (
        zipfile.BadZipFile,  # damaged, truncated, or sizes and CRCs that lie
        zipfile.LargeZipFile,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # an encrypted member
        zlib.error,  # compressed data that does not inflate
        EOFError,
        OSError,
        ValueError,
    ) as error:
        raise UploadError(
            f"That file is not a valid {extension} file: it could not be opened as one."
        ) from error


def _check_directory(
    members: list[zipfile.ZipInfo], *, size: int, extension: str, limits: ArchiveLimits
) -> None:
    if len(members) > limits.max_members:
        raise UploadError(
            f"That {extension} file holds {len(members)} parts; at most {limits.max_members} "
            "are accepted."
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise UploadError(f"That file is not really a {extension} file, whatever its name says.")
    for member in members:
        path = PurePosixPath(member.filename.lower())
        if path.name in CODE_PARTS or any(part in CODE_FOLDERS for part in path.parts[:-1]):
            raise UploadError(
                f"That {extension} file contains macros or controls that run code, which are "
                "not accepted in evidence. Please save a copy without them."
            )
    _check_sizes(sum(member.file_size for member in members), size=size, limits=limits)


def _check_sizes(inflated: int, *, size: int, limits: ArchiveLimits) -> None:
    if inflated > limits.max_inflated_bytes:
        raise UploadError(
            f"That file inflates to more than {limits.max_inflated_bytes / 1_000_000:.0f} MB "
            "once opened, more than evidence may."
        )
    if inflated > limits.max_ratio * max(size, 1):
        raise UploadError(
            f"That file inflates to more than {limits.max_ratio} times its size once opened, "
            "which no document needs."
        )


def _check_inflated(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], *, limits: ArchiveLimits
) -> None:
    inflated = 0
    for member in members:
        with archive.open(member) as content:
            while chunk := content.read(CHUNK):
                inflated += len(chunk)
                if inflated > limits.max_inflated_bytes:
                    raise UploadError(
                        "That file inflates to more than "
                        f"{limits.max_inflated_bytes / 1_000_000:.0f} MB once opened, more "
                        "than evidence may."
                    )

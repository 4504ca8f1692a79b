"""Evidence files made by real tools for the upload tests: PDFs written by pypdf (clean, with
JavaScript, a launch action, an attachment, encrypted), PDFs written byte by byte where a tool
would not write the trick (a #-escaped name, an action inside a compressed object stream), and
Office archives written by zipfile (clean, with a macro, a ZIP bomb, damaged)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def _add_link(writer: PdfWriter, action: DictionaryObject) -> None:
    writer.add_annotation(
        page_number=0,
        annotation=DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(n) for n in (10, 10, 90, 30)]),
                NameObject("/A"): action,
            }
        ),
    )


def clean_pdf() -> bytes:
    """One page with a web link on it: links are fine."""
    writer = _one_page()
    _add_link(
        writer,
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/URI"),
                NameObject("/URI"): TextStringObject("https://docs.harbour.example/"),
            }
        ),
    )
    return _written(writer)


def pdf_with_javascript() -> bytes:
    """JavaScript run when the file opens (pypdf 7's own way to add it)."""
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert('opened');"))
    return _written(writer)


def pdf_with_launch_action() -> bytes:
    writer = _one_page()
    _add_link(
        writer,
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
            }
        ),
    )
    return _written(writer)


def pdf_with_attachment() -> bytes:
    writer = _one_page()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return _written(writer)


def encrypted_pdf() -> bytes:
    writer = _one_page()
    writer.encrypt("secret", algorithm="RC4-128")
    return _written(writer)


def _handmade(objects: dict[int, bytes], *, root: int = 1) -> bytes:
    """A PDF from numbered object bodies, with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max(objects) + 1
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, start)
    return bytes(out)


PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
}


def pdf_with_escaped_javascript_name() -> bytes:
    """An open action whose names are #-escaped: /#4A#61vaScript is /JavaScript, /#4A#53 /JS.
    Searching the bytes for "/JS" or "/JavaScript" finds neither."""
    return _handmade(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            **PAGES,
            4: b"<< /S /#4A#61vaScript /#4A#53 (app.alert\\(1\\)) >>",
        }
    )


def pdf_with_javascript_in_an_object_stream() -> bytes:
    """The open action inside a Flate-compressed object stream, found through a cross-reference
    stream: the file's bytes hold no readable trace of it."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        **PAGES,
    }
    for number, body in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    packed = zlib.compress(header + action)
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    start = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 5, 0)]  # object 4: the first in object stream 5
    rows += [struct.pack(">BIH", 1, offsets[5], 0), struct.pack(">BIH", 1, start, 0)]
    table = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    )
    return bytes(out)


# --- Office files --------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Access to the repositories granted.</w:t></w:r></w:p></w:body>"
    "</w:document>"
)


def _zip(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _docx_parts() -> dict[str, bytes | str]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELATIONSHIPS,
        "word/document.xml": DOCUMENT,
    }


def clean_docx() -> bytes:
    return _zip(_docx_parts())


def docx_with_macro() -> bytes:
    return _zip({**_docx_parts(), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512})


def zip_bomb(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A docx whose one extra part is a run of zeros: tens of kilobytes that inflate to
    ``inflated`` bytes. Written in chunks, so the run is never in memory whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in _docx_parts().items():
            archive.writestr(name, content)
        chunk = bytes(1024 * 1024)
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            for _ in range(inflated // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def many_parts_docx(count: int) -> bytes:
    return _zip({**_docx_parts(), **{f"word/part{n}.xml": "<p/>" for n in range(count)}})


def damaged_docx() -> bytes:
    """A clean docx with its document part's compressed bytes overwritten."""
    data = bytearray(clean_docx())
    start = data.index(b"word/document.xml") + len(b"word/document.xml")
    for index in range(start, start + 24):
        data[index] ^= 0x55
    return bytes(data)


def padded_pdf(size: int) -> bytes:
    """A clean PDF of exactly ``size`` bytes: spaces after its end, which readers ignore."""
    pdf = clean_pdf() + b"\n"
    if size < len(pdf):
        raise ValueError(f"A clean PDF takes {len(pdf)} bytes at least.")
    return pdf + b" " * (size - len(pdf))

"""What an uploaded file really is, told by its content: the name alone is never trusted, so a renamed
.exe is refused because its first bytes say what it is. Used for task evidence and problem files."""

import zipfile

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls)
ZIP = b"PK\x03\x04"
# Extension → what its content must start with; the zip-based kinds are also checked inside.
MAGIC = {
    "pdf": b"%PDF-",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
    "webp": b"RIFF",
    "doc": OLE2,
    "xls": OLE2,
    "docx": ZIP,
    "xlsx": ZIP,
    "ofd": ZIP,
    "zip": ZIP,
}
# A member every real file of the kind holds.
ZIP_MEMBER = {"docx": "word/", "xlsx": "xl/", "ofd": "OFD.xml"}


def content_matches(upload, ext: str) -> bool:
    """Whether UPLOAD's content is what its extension EXT (one of MAGIC) says."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(MAGIC[ext]):
        return False
    if ext == "webp":
        return head[8:12] == b"WEBP"
    if MAGIC[ext] != ZIP:
        return True
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    member = ZIP_MEMBER.get(ext)
    return member is None or any(n == member or n.startswith(member) for n in names)

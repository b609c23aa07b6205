"""What an uploaded file really is, told by its content: the name alone is never trusted, so a renamed
.exe is refused because its first bytes say what it is. Used for task evidence and problem files. And
the name an upload is kept under, for every upload."""

import shutil
import tempfile
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path, PureWindowsPath

# The longest original name kept (the models' original_name columns).
NAME_MAX = 200
# A suffix longer than this is part of the name, not an extension worth keeping.
EXTENSION_MAX = 16

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


def upload_name(name: str | None, *, limit: int = NAME_MAX) -> str:
    """The name an upload called NAME is kept and shown under: its last path part (some browsers send
    C:\\…\\x.pdf), without control characters, and at most LIMIT characters, shortened in the stem
    so that the extension stays (a long name must neither fail the upload nor lose its type)."""
    name = PureWindowsPath(name or "").name  # splits on / and \ alike
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) + 1 > min(EXTENSION_MAX, limit - 1):
        return name[:limit].rstrip()
    return stem[: limit - len(ext) - 1].rstrip() + "." + ext


@contextmanager
def local_path(field_file):
    """A path on this machine holding FIELD_FILE's content: the file itself on a directory storage, a
    temporary copy (removed afterwards) on object storage, which has no paths."""
    try:
        path = field_file.path
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, field_file.open("rb") as source:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield copy.name

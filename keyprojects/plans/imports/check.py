"""check: what an uploaded file really is, before anything reads its cells.

An .xlsx (a zip) or an .xls (an OLE2 compound file) by its first bytes, whatever its name says; within
the size limits; and, for a zip, not built to exhaust the server (a zip bomb, an XML entity bomb, a
million rows): its directory and every XML part are streamed, one chunk in memory at a time.
"""

import re
import zipfile
from html import unescape
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from keyprojects.plans.imports.rejections import ImportRefused

CHUNK = 1 << 20


def max_bytes():
    return settings.KP_IMPORT_MAX_BYTES


def max_rows():
    """Rows a sheet may have; checked here from the XML, and again while the rows are read."""
    return settings.KP_IMPORT_MAX_ROWS


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
XML_PARTS = (".xml", ".rels", ".vml")
DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
SAVE_AS = "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx）再上传。"


def check_file(path, name: str) -> str:
    """What PATH (uploaded as NAME) really is: "xlsx" or "xls"; ImportRefused if it is neither, or
    larger than the limits, or built to exhaust the server (zip bomb, entity expansion, a million rows)."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(_("文件为空（0 字节）。"))
    if size > max_bytes():
        raise ImportRefused(
            _("文件大小 %(size)s 超过上限 %(cap)s。") % {"size": _size(size), "cap": _size(max_bytes())}
        )
    with path.open("rb") as fh:
        head = fh.read(8192)
    ext = Path(name).suffix.lower()
    if head.startswith(ZIP_MAGICS):
        kind = "xlsx"
    elif head.startswith(OLE2_MAGIC):
        kind = "xls"
    else:
        raise ImportRefused(_describe_other(head, ext))
    if ext not in (".xlsx", ".xls"):
        raise ImportRefused(
            _("只能导入 Excel 工作簿（.xlsx 或 .xls），文件扩展名为“%(ext)s”。") % {"ext": ext or _("无")}
        )
    if kind == "xls":
        _check_ole2(path)  # an encrypted .xlsx is an OLE2 file: say so before "renamed"
    if kind == "xlsx" and ext == ".xls":
        raise ImportRefused(
            _(
                "文件扩展名为 .xls，但内容是 .xlsx（压缩包）格式：扩展名被改过。"
                "请将扩展名改为 .xlsx 后再上传。"
            )
        )
    if kind == "xls" and ext == ".xlsx":
        raise ImportRefused(
            _(
                "文件扩展名为 .xlsx，但内容是旧版 Excel 97-2003（.xls）或其他 OLE2 格式：扩展名被改过。"
                "请将扩展名改回 .xls，或在 Excel 中另存为 .xlsx 后再上传。"
            )
        )
    if kind == "xlsx":
        _check_zip(path)
    return kind


def _describe_other(head: bytes, ext: str) -> str:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut at the end of the sample
                text = head[: exc.start].decode(encoding, "ignore")
                break
    if head.startswith(b"%PDF"):
        return _("这是 PDF 文件，不是 Excel 工作簿。")
    printable = text is not None and "\x00" not in text
    lowered = (text or "").lstrip().lower()
    if printable and ("<html" in lowered[:2000] or "<table" in lowered[:2000]):
        return _("这是网页（HTML）格式的表格，只是扩展名为“%(ext)s”，不是真正的 Excel 文件。") % {
            "ext": ext
        } + _(SAVE_AS)
    if printable and lowered.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text:
        return _("这是 Excel 2003 XML 表格，不是 .xlsx 工作簿。") + _(SAVE_AS)
    if printable and ("," in text or "\t" in text or "\n" in text):
        return _("这是 CSV 或纯文本文件，不是 Excel 工作簿。") + _(SAVE_AS)
    return _("无法识别的文件格式：既不是 .xlsx 也不是 .xls 工作簿。") + _(SAVE_AS)


def _check_ole2(path):
    data = path.read_bytes()

    def has(stream):
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        raise ImportRefused(_("文件设置了打开密码（已加密），无法读取。请取消密码后再上传。"))
    if has("WordDocument"):
        raise ImportRefused(_("这是 Word 文档，不是 Excel 工作簿。"))
    if has("PowerPoint Document"):
        raise ImportRefused(_("这是 PowerPoint 文档，不是 Excel 工作簿。"))
    if not (has("Workbook") or has("Book")):
        raise ImportRefused(_("这是 OLE2 复合文档，但其中没有 Excel 工作簿。") + _(SAVE_AS))


def _zip_limits():
    unzipped = getattr(settings, "KP_IMPORT_MAX_UNZIPPED_BYTES", 512 * 1024 * 1024)
    ratio = getattr(settings, "KP_IMPORT_MAX_ZIP_RATIO", 200)
    return unzipped, ratio


def _check_zip(path):
    """Read the zip's directory first (declared sizes and ratios), then stream every XML part: the
    bytes really inflated, any DOCTYPE or ENTITY declaration, and the rows of each sheet, stopping at
    the first limit passed. Nothing is held in memory but one chunk."""
    max_unzipped, max_ratio = _zip_limits()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise ImportRefused(_("文件已损坏，无法作为 .xlsx 工作簿打开。") + _(SAVE_AS)) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            if "word/document.xml" in names:
                raise ImportRefused(_("这是 Word 文档（.docx），不是 Excel 工作簿。"))
            if any(n.startswith("ppt/") for n in names):
                raise ImportRefused(_("这是 PowerPoint 文档（.pptx），不是 Excel 工作簿。"))
            if "content.xml" in names:
                raise ImportRefused(_("这是 OpenDocument 表格（.ods），不是 .xlsx 工作簿。") + _(SAVE_AS))
            raise ImportRefused(_("压缩包中没有 Excel 工作簿（缺少 xl/workbook.xml）。") + _(SAVE_AS))
        if len(infos) > 5000:
            raise ImportRefused(
                _("工作簿内部文件过多（%(n)s 个），不像正常的 Excel 文件。") % {"n": len(infos)}
            )
        if any(info.flag_bits & 0x1 for info in infos):
            raise ImportRefused(_("文件中有加密的内容，无法读取。请取消密码后再上传。"))
        declared = sum(info.file_size for info in infos)
        if declared > max_unzipped:
            raise ImportRefused(
                _("文件解压后有 %(size)s，超过上限 %(cap)s（疑似“压缩炸弹”），已拒绝。")
                % {"size": _size(declared), "cap": _size(max_unzipped)}
            )
        for info in infos:
            if info.file_size > CHUNK and info.file_size > max_ratio * max(info.compress_size, 1):
                raise ImportRefused(
                    _("文件内部“%(part)s”的压缩比为 %(ratio)s 倍，远超正常表格（疑似“压缩炸弹”），已拒绝。")
                    % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
                )
        sheet_names = _sheet_parts(archive)
        inflated = 0
        for info in infos:
            if not info.filename.lower().endswith(XML_PARTS):
                continue
            inflated = _scan_part(archive, info, sheet_names.get(info.filename), inflated, max_unzipped)


def _scan_part(archive, info, sheet, inflated, max_unzipped):
    rows, tail, first = 0, b"", True
    cap = max_rows()
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(CHUNK):
                inflated += len(chunk)
                if inflated > max_unzipped:
                    raise ImportRefused(
                        _("文件解压后超过上限 %(cap)s（疑似“压缩炸弹”），已拒绝。")
                        % {"cap": _size(max_unzipped)}
                    )
                if first:
                    first = False
                    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:200]:
                        raise ImportRefused(
                            _("文件内部“%(part)s”的编码异常（非 UTF-8），不像 Excel 保存的文件。")
                            % {"part": info.filename}
                        )
                    if (
                        sheet is not None
                        and (m := DIMENSION.search(chunk[:4096]))
                        and int(m.group(1)) > cap * 5
                    ):
                        # Excel writes the used range here; far past the cap it is not worth reading on.
                        raise ImportRefused(too_many_rows(sheet, int(m.group(1)), cap), sheet=sheet)
                window = tail + chunk
                if DECLARATION.search(window):
                    raise ImportRefused(
                        _(
                            "文件内部“%(part)s”含有 DOCTYPE/ENTITY 声明。Excel 从不写入这类声明，"
                            "它们可被用来让解析器耗尽内存（“XML 炸弹”），已拒绝。"
                        )
                        % {"part": info.filename}
                    )
                if sheet is not None:
                    rows += len(ROW_TAG.findall(chunk))
                    if rows > cap:
                        raise ImportRefused(too_many_rows(sheet, rows, cap, at_least=True), sheet=sheet)
                tail = chunk[-16:]
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ImportRefused(
            _("文件已损坏：无法解压“%(part)s”（%(error)s）。") % {"part": info.filename, "error": exc}
        ) from None
    return inflated


def too_many_rows(sheet, rows, cap, at_least=False):
    text = _("超过") if at_least else ""
    return _("工作表“%(sheet)s”有%(more)s %(rows)s 行，超过导入上限 %(cap)s 行。请拆分后分批导入。") % {
        "sheet": sheet,
        "more": text,
        "rows": f"{rows:,}",
        "cap": f"{cap:,}",
    }


def _sheet_parts(archive) -> dict:
    """{part name: sheet name} from the workbook and its relationships (read only after their own
    size check; both are a few KB)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return {}
    if len(workbook) > CHUNK or len(rels) > CHUNK or DECLARATION.search(workbook + rels):
        return {}
    attrs = re.compile(rb'([\w:]+)="([^"]*)"')
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        a = dict(attrs.findall(tag))
        target = unescape(a.get(b"Target", b"").decode("utf-8", "replace"))
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[a.get(b"Id", b"")] = target
    parts = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", workbook):
        a = dict(attrs.findall(tag))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), b"")
        if rid in targets:
            parts[targets[rid]] = unescape(a.get(b"name", b"").decode("utf-8", "replace"))
    return parts

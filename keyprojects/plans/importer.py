"""Import of the annual key-project list from the Excel file an office really publishes.

    check_file  what the upload really is (.xlsx zip or .xls OLE2), within size, zip and XML limits
    read        the cells, by python-calamine in a memory-capped child process (openpyxl streams as
                the fallback for .xlsx)
    parse       finds the header (two-row merged or not, synonyms, a unit for each money column), then
                walks the rows: title, unit row, 合计, sections with counts, blank rows, notes
    plan        resolves every row against the database with a few bulk queries: which project, owner,
                district, sector, departments, leader; what would be created, updated or left alone
    apply       writes the plan in one transaction, or nothing at all

A file with any rejected row is rejected as a whole: the office fixes the file and uploads it again.
Amounts are whole yuan from the moment a cell is read; a cell is never a float on the way.
"""

import datetime as dt
import gc
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import unicodedata
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_entry_build, audit_record, snapshot
from keyprojects.lib.money import YUAN_PER_WAN, format_wan, to_decimal
from keyprojects.lib.text import normalise_name
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category
from keyprojects.plans.services import ENTRY_FIELDS as SERVICE_ENTRY_FIELDS
from keyprojects.plans.services import (
    annual_list_ensure,
    batch_create,
    batch_default_name,
    department_errors,
    entry_create,
    entry_snapshot,
    entry_update,
    is_official,
    monthly_plan_errors,
    plan_errors,
    raise_errors,
)
from keyprojects.projects.models import Project, Sector, StageChange, validate_project_code
from keyprojects.projects.services import project_create, project_refresh_search_text, project_update

logger = logging.getLogger(__name__)

MAX_COLS = 100  # columns read; an annual list has fewer than 40
PEEK_ROWS = 40  # rows of each sheet searched for the header
CHUNK = 1 << 20
YUAN_PER_UNIT = {"元": 1, "万元": YUAN_PER_WAN, "亿元": 100_000_000}
MAX_YUAN = 10**17


def _setting(name, default):
    return getattr(settings, name, default)


def max_bytes():
    return settings.KP_IMPORT_MAX_BYTES


def max_rows():
    return settings.KP_IMPORT_MAX_ROWS


def bulk_rows():
    """From this many rows to write, apply_plan writes in bulk (see _apply_bulk)."""
    return _setting("KP_IMPORT_BULK_ROWS", 50)


# --------------------------------------------------------------------------------------------------
# Rejections
# --------------------------------------------------------------------------------------------------


@dataclass
class Rejection:
    """One reason a file cannot be imported, located as the office sees it in Excel."""

    message: str
    sheet: str = ""
    row: int | None = None  # Excel's row number, from 1
    column: str = ""  # the header as printed, e.g. "2027年计划/计划投资"
    letter: str = ""  # Excel's column letter
    value: str = ""

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
            "value": self.value,
        }


class ImportRefused(Exception):
    """The file as a whole cannot be read: wrong kind, too big, unsafe, no recognisable header …"""

    def __init__(self, message, **where):
        super().__init__(message)
        self.rejection = Rejection(str(message), **where)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _show(value) -> str:
    """A cell's value as the office would recognise it in a message."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


# --------------------------------------------------------------------------------------------------
# What the file really is
# --------------------------------------------------------------------------------------------------

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
    unzipped = _setting("KP_IMPORT_MAX_UNZIPPED_BYTES", 512 * 1024 * 1024)
    ratio = _setting("KP_IMPORT_MAX_ZIP_RATIO", 200)
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
                        raise ImportRefused(_too_many_rows(sheet, int(m.group(1)), cap), sheet=sheet)
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
                        raise ImportRefused(_too_many_rows(sheet, rows, cap, at_least=True), sheet=sheet)
                tail = chunk[-16:]
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ImportRefused(
            _("文件已损坏：无法解压“%(part)s”（%(error)s）。") % {"part": info.filename, "error": exc}
        ) from None
    return inflated


def _too_many_rows(sheet, rows, cap, at_least=False):
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


# --------------------------------------------------------------------------------------------------
# Reading cells
# --------------------------------------------------------------------------------------------------


@dataclass
class Peek:
    name: str
    start_row: int = 0  # 0-based row of rows[0]
    rows: list = field(default_factory=list)
    merged: list | None = None  # [[r1, c1, r2, c2]] 0-based, None when the reader cannot tell
    error: str = ""


class ReaderFailed(Exception):
    pass


def _decode_cell(value):
    if isinstance(value, dict):
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
    return value


class CalamineReader:
    """python-calamine in a child process under an address-space limit (see import_reader.py)."""

    def __init__(self, path):
        self.path = str(path)
        self._stderr = tempfile.TemporaryFile()
        memory = _setting("KP_IMPORT_READER_MAX_MEMORY", 2 * 1024 * 1024 * 1024)
        script = Path(__file__).with_name("import_reader.py")
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        args = [sys.executable, str(script), self.path, str(MAX_COLS), str(max_rows()), str(PEEK_ROWS)]
        self.proc = subprocess.Popen(
            [*args, str(memory)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env
        )
        timeout = _setting("KP_IMPORT_READER_TIMEOUT", 300)
        self._timer = threading.Timer(timeout, self.proc.kill)
        self._timer.daemon = True
        self._timer.start()
        self.sheets = []
        try:
            self._peek()
        except BaseException:
            self.close()
            raise

    def _peek(self):
        first = self._line()
        if not isinstance(first, dict) or "sheets" not in first:
            raise self._failed()
        for _name in first["sheets"]:
            peek = self._line()
            if not isinstance(peek, dict) or "peek" not in peek:
                raise self._failed()
            self.sheets.append(
                Peek(
                    name=peek["peek"],
                    start_row=(peek.get("start") or [0, 0])[0],
                    rows=[[_decode_cell(v) for v in row] for row in peek.get("rows", [])],
                    merged=peek.get("merged"),
                    error=peek.get("error", ""),
                )
            )

    def _line(self):
        line = self.proc.stdout.readline()
        if not line:
            return None
        try:
            return json.loads(line)
        except ValueError:
            return None

    def _failed(self):
        if self.proc.poll() is None:  # alive but talking nonsense: it would wait on stdin forever
            self.proc.kill()
        self.proc.wait()
        self._stderr.seek(0)
        tail = self._stderr.read()[-600:].decode("utf-8", "replace")
        return ReaderFailed(f"reader exit {self.proc.returncode}: {tail}")

    def rows(self, name):
        """(merged ranges, height, iterator of (0-based row, cells)) of sheet NAME."""
        self.proc.stdin.write(name.encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        head = self._line()
        if not isinstance(head, dict) or "sheet" not in head:
            raise self._failed()

        def iterate():
            row = head["start"][0]
            while True:
                line = self._line()
                if isinstance(line, list):
                    yield row, [_decode_cell(v) for v in line]
                    row += 1
                elif isinstance(line, dict) and "end" in line:
                    return
                else:
                    raise self._failed()

        return head.get("merged"), head["start"][0] + head["height"], iterate()

    def close(self):
        self._timer.cancel()
        # A child waiting for a sheet name reads EOF; one still writing rows (the reading stopped at
        # the row cap) gets a broken pipe. Either ends at once.
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


class OpenpyxlReader:
    """openpyxl's read-only mode: streams the sheet XML row by row; no merged ranges."""

    def __init__(self, path):
        import openpyxl

        try:
            self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises anything from KeyError to its own InvalidFileException
            raise ReaderFailed(str(exc)) from exc
        self.sheets = []
        for ws in self.workbook.worksheets:
            ws.reset_dimensions()  # the stored <dimension> may lie: read what is there
            try:
                rows = [list(r) for r in ws.iter_rows(max_row=PEEK_ROWS, max_col=MAX_COLS, values_only=True)]
            except Exception as exc:  # a broken sheet: reported like calamine's, not fatal for the others
                self.sheets.append(Peek(name=ws.title, error=str(exc)[:200]))
                continue
            self.sheets.append(Peek(name=ws.title, rows=rows, merged=None))

    def rows(self, name):
        ws = self.workbook[name]

        def iterate():
            # No max_row: a row far below the cap must reach _capped and refuse the file, not vanish.
            try:
                for index, values in enumerate(ws.iter_rows(max_col=MAX_COLS, values_only=True)):
                    yield index, list(values)
            except ImportRefused:
                raise
            except Exception as exc:  # openpyxl meets what it cannot read half-way down the sheet
                raise ReaderFailed(str(exc)) from exc

        return None, None, iterate()

    def close(self):
        self.workbook.close()


def open_reader(path, kind):
    """calamine first; for .xlsx, openpyxl's streaming reader if calamine fails or is killed by its
    memory limit (a hostile file, or one calamine cannot read); for .xls there is no second reader."""
    try:
        return CalamineReader(path)
    except (ReaderFailed, OSError) as exc:
        logger.warning("calamine could not read %s: %s", path, exc)
        if kind == "xls":
            raise ImportRefused(
                _("无法读取该 .xls 文件：文件已损坏、已加密或格式异常。") + _(SAVE_AS)
            ) from None
    try:
        return OpenpyxlReader(path)
    except ReaderFailed:
        raise ImportRefused(_("无法读取该工作簿：文件已损坏或格式异常。") + _(SAVE_AS)) from None


# --------------------------------------------------------------------------------------------------
# Text and values
# --------------------------------------------------------------------------------------------------

EMPTY_MARKS = {"", "-", "--", "—", "——", "–", "―", "─", "/", "／", "\\", "无", "空", "0-0", "－"}
CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])\s+|\s+(?=[{CJK}])")
_SPACES = re.compile(r"\s+")


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious .0, dates as ISO, whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").replace("\xa0", " ").strip()


def clean_name(value) -> str:
    """A name as stored: line breaks and stray spaces typed into Excel gone, a single space kept
    between Latin words (G7211 南友高速 → G7211南友高速; New Energy Park keeps its spaces)."""
    text = cell_text(value)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SPACES.sub(" ", text).strip()


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip().replace(" ", "") in EMPTY_MARKS
    return False


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_MONEY = re.compile(r"^([+-]?\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?$")


def parse_money(value, unit: str) -> int | None:
    """An amount in UNIT (元, 万元 or 亿元) as whole yuan; None when empty; ValueError with the reason."""
    if is_empty(value):
        return None
    if isinstance(value, bool) or isinstance(value, dt.date | dt.time):
        raise ValueError(_("不是金额"))
    if isinstance(value, int | float | Decimal):
        amount = to_decimal(value)
    else:
        text = _nfkc(str(value)).replace(",", "").replace(" ", "").replace("\u00a0", "")
        match = _MONEY.match(text)
        if not match:
            raise ValueError(_("不是有效的金额"))
        amount = Decimal(match.group(1))
        if match.group(2):
            unit = {"亿": "亿元", "万": "万元"}.get(match.group(2), match.group(2))
    if amount < 0:
        raise ValueError(_("金额不能为负数"))
    yuan = (amount * YUAN_PER_UNIT[unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if yuan >= MAX_YUAN:
        raise ValueError(_("金额过大，请核对单位"))
    return int(yuan)


_YEAR = r"(\d{4})年?(?:[./](\d{1,2})|(\d{1,2})月)?份?"
_YEAR_END = r"(\d{4}|\d{2})年?(?:[./](\d{1,2})|(\d{1,2})月)?份?"
_YEARS = re.compile(rf"^{_YEAR}(?:-+|—+|–+|~+|至|到|―+)(?:{_YEAR_END})$")
_ONE_YEAR = re.compile(rf"^{_YEAR}$")


def parse_years(value) -> tuple[int, int] | None:
    """2025-2028, 2025—2028年, 2025年～2028年, 2025.01-2028.12, 2025 → (start, end)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.year, value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return _check_years(int(value), int(value))
        raise ValueError(_("无法识别的建设年限"))
    text = _nfkc(cell_text(value)).replace(" ", "").replace("年度", "年")
    if match := _YEARS.match(text):
        start, end = int(match.group(1)), match.group(4)
        end = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        return _check_years(start, end)
    if match := _ONE_YEAR.match(text):
        return _check_years(int(match.group(1)), int(match.group(1)))
    raise ValueError(_("无法识别的建设年限（应如 2025-2028、2025—2028年 或 2025年）"))


def _check_years(start, end):
    if not (1990 <= start <= 2100 and 1990 <= end <= 2100):
        raise ValueError(_("年份超出合理范围"))
    if end < start:
        raise ValueError(_("截止年早于起始年"))
    return start, end


CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def cn_number(text: str) -> int | None:
    """一 … 九十九 (enough for section numbers and months)."""
    if not text or any(c not in CN_NUMBERS for c in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (CN_NUMBERS.get(tens, 1) if tens else 1) * 10 + (CN_NUMBERS.get(ones, 0) if ones else 0)
    return CN_NUMBERS[text] if len(text) == 1 else None


_MONTH_DATE = re.compile(r"^(\d{4})[年./-](\d{1,2})(?:月|$|[./-]\d{1,2}日?|月?(?:上|中|下)旬|月?底|月?初|份)")
_MONTH_ONLY = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})月")
_YEAR_PREFIX = re.compile(r"^(\d{4})年?")
_PERIODS = {
    "一季度": 3,
    "第一季度": 3,
    "1季度": 3,
    "二季度": 6,
    "第二季度": 6,
    "2季度": 6,
    "三季度": 9,
    "第三季度": 9,
    "3季度": 9,
    "四季度": 12,
    "第四季度": 12,
    "4季度": 12,
    "上半年": 6,
    "下半年": 12,
    "年内": 12,
    "年底": 12,
    "年末": 12,
    "年初": 3,
}
ALREADY = ("已开工", "已竣工", "已投产", "已完工", "在建")


def parse_month(value) -> tuple[int | None, int | None] | None:
    """A planned start or completion time → (year or None, month or None); None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.year, value.month
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= int(value) <= 12:
            return None, int(value)
        if float(value).is_integer() and 1990 <= int(value) <= 2100:
            return int(value), None
        # 2027.03 typed as a number: read it as Excel shows it (2027.1 is January).
    text = _nfkc(cell_text(value)).replace(" ", "")
    if any(text.startswith(w) for w in ALREADY):
        return None
    if match := _MONTH_DATE.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(_("月份应为 1–12"))
        return year, month
    year = None
    if match := _YEAR_PREFIX.match(text):
        year, text = int(match.group(1)), text[match.end() :]
        if not text:
            return year, None
    if match := _MONTH_ONLY.match(text):
        raw = match.group(1)
        month = int(raw) if raw.isdigit() else cn_number(raw)
        if month and 1 <= month <= 12:
            return year, month
        raise ValueError(_("月份应为 1–12"))
    for words, month in _PERIODS.items():
        if text.startswith(words):
            return year, month
    raise ValueError(_("无法识别的时间（应如 2027年3月、2027.03 或 3月）"))


_CODE_DASHES = re.compile(r"[—–－‐‑‒―_]")


def clean_code(value) -> str:
    text = _nfkc(cell_text(value)).replace(" ", "").upper()
    return _CODE_DASHES.sub("-", text)


_LIST_SPLIT = re.compile(r"[、，,;；/\n\r\t ]+")
_PAREN = re.compile(r"[（(][^）)]*[）)]")


def split_names(value) -> list[str]:
    """市发改委（牵头）、市住建局 → [市发改委, 市住建局]."""
    text = _PAREN.sub("", cell_text(value).replace("\u3000", " "))
    return [n for n in (p.strip() for p in _LIST_SPLIT.split(text)) if n and not is_empty(n)]


# --------------------------------------------------------------------------------------------------
# The header
# --------------------------------------------------------------------------------------------------

FIELD_LABELS = {
    "seq": "序号",
    "name": "项目名称",
    "code": "项目代码",
    "owner": "建设单位",
    "district": "所在城区",
    "location": "建设地点",
    "sector": "行业领域",
    "category": "项目类别",
    "nature": "建设性质",
    "content": "建设内容及规模",
    "years": "建设起止年限",
    "total": "总投资",
    "completed_before": "截至上年底累计完成投资",
    "planned": "年度计划投资",
    "goal": "形象进度目标",
    "start": "计划开工时间",
    "completion": "计划竣工时间",
    "departments": "责任单位",
    "leader": "联系市领导",
    "contact": "联系人",
    "phone": "联系电话",
    "note": "备注",
}
REQUIRED = ("name", "owner", "planned")
MONEY_FIELDS = ("total", "completed_before", "planned")

# Header text (NFKC, no spaces, unit removed) → field. First match wins, so the narrow come first.
HEADER_RULES = [
    ("seq", r"^(序号|编号|序)$"),
    ("name", r"项目名称|^名称$|^项目$"),
    ("code", r"代码|编码|^项目编号$|赋码"),
    ("departments", r"责任单位|责任部门|牵头(协调)?(部门|单位)|主管部门|市级责任|协调部门|牵头市直"),
    ("leader", r"领导"),
    ("owner", r"建设单位|业主|法人|项目单位|建设主体|实施单位|申报单位"),
    ("district", r"^(所在|所属)?(城区|县区|县\(市、?区\)|县市区|区县|城区/开发区|属地|辖区)$"),
    ("location", r"建设地点|所在地|项目地点|建设地址|项目地址|^地点$|选址"),
    ("sector", r"^(所属)?行业|^领域$|行业领域|产业类别"),
    ("category", r"^(项目)?类别$|^建设类别$|^项目分类$"),
    ("nature", r"建设性质|^性质$"),
    ("years", r"起止|年限|建设期|建设周期"),
    ("completed_before", r"(截至|截止|至|到).*(年底|年末|上年).*(累计|完成)|以前年度.*完成|^累计完成投资$"),
    ("total", r"^(项目)?(计划)?总投资(额)?$"),
    ("planned", r"^(\d{4}年|本年|年度|当年|年)?度?计划(完成)?投资(额)?$|^年度投资计划$"),
    ("goal", r"形象进度|年度(建设)?目标|^(\d{4}年)?(主要)?建设目标$|年度建设内容|年度计划建设内容"),
    ("start", r"开工(时间|年月|日期|月份)|^开工$"),
    ("completion", r"(竣工|投产|建成|完工)(投产)?(时间|年月|日期|月份)|^竣工$"),
    ("content", r"建设(内容|规模)|^主要建设内容$|^内容$"),
    ("contact", r"^(项目)?联系人"),
    ("phone", r"电话|手机"),
    ("note", r"^备注|^说明$"),
]
HEADER_RULES = [(f, re.compile(p)) for f, p in HEADER_RULES]
NOT_THIS_YEAR = re.compile(r"截至|截止|上年|以前|已完成|累计|当前|目前|至今")
# Under a year-plan group (2027年计划 spanning 计划投资 and 主要建设内容): the sub-headers.
GROUP_RULES = [
    ("planned", re.compile(r"投资|^金额$|^计划$|^资金$")),
    ("goal", re.compile(r"内容|形象|目标|进度")),
    ("start", re.compile(r"开工")),
    ("completion", re.compile(r"竣工|投产|建成")),
]
PLAN_GROUP = re.compile(r"^(?:(\d{4})年度?|本年度?|年度|当年)(?:投资)?(?:建设)?计划|^年度计划$")
TOTAL_WORDS = re.compile(r"^(合计|小计|总计|金额|总额|投资)$")
UNIT_IN_HEADER = re.compile(r"[(\[]\s*(?:单位[:：]?\s*)?(亿元|万元|元)\s*[)\]]|单位[:：]\s*(亿元|万元|元)")
UNIT_ROW = re.compile(r"(?:金额|计量)?单位[:：]\s*(亿元|万元|元)")
ANY_PAREN = re.compile(r"[(\[][^)\]]*[)\]]")


def _header_key(text: str) -> tuple[str, str | None]:
    """Header text → (key to match, unit named in it)."""
    text = (
        _nfkc(text).replace(" ", "").replace("\n", "").replace("\r", "").replace("【", "[").replace("】", "]")
    )
    unit = None
    if match := UNIT_IN_HEADER.search(text):
        unit = match.group(1) or match.group(2)
    key = ANY_PAREN.sub("", UNIT_IN_HEADER.sub("", text)).rstrip(":：")
    return key, unit


def _field_for(key: str) -> str | None:
    for name, pattern in HEADER_RULES:
        if pattern.search(key):
            if name in ("planned", "goal") and NOT_THIS_YEAR.search(key):
                continue
            return name
    return None


@dataclass
class Column:
    index: int
    label: str  # as printed: "2027年计划/计划投资（万元）"
    field: str | None
    unit: str | None = None  # for money columns, after the sheet's unit row is applied

    @property
    def letter(self):
        return column_letter(self.index)


@dataclass
class Header:
    sheet: str
    first_row: int  # 0-based
    last_row: int  # 0-based; first_row + 1 for a two-row header
    columns: list
    by_field: dict
    sheet_unit: str
    warnings: list = field(default_factory=list)
    group_year: int | None = None
    group_label: str = ""

    def excel_rows(self):
        return list(range(self.first_row + 1, self.last_row + 2))


def _fill_merged(rows, start_row, merged):
    """Give every cell of a merged range its top-left value, within the ROWS given (0-based START_ROW)."""
    end_row = start_row + len(rows)
    for r1, c1, r2, c2 in merged or ():
        if r2 < start_row or r1 >= end_row or r1 < start_row:
            continue
        top = rows[r1 - start_row]
        value = top[c1] if c1 < len(top) else None
        if value is None:
            continue
        for r in range(r1, min(r2, end_row - 1) + 1):
            row = rows[r - start_row]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c] is None:
                    row[c] = value


def _texts(row):
    return [cell_text(v) if isinstance(v, str) else "" for v in row]


def _is_numberish(value) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    if isinstance(value, str):
        text = _nfkc(value).replace(",", "").strip()
        return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?", text)) and len(text) > 0
    return False


def find_header(peek: Peek) -> Header | None:
    """The header of PEEK's rows, or None when no row has 项目名称 and at least two other known columns.

    Each row is tried as the top of a header, with the row below as its second row when that looks
    like one; the try that recognises the most columns wins (the earliest on a tie). With merged
    ranges filled, the lower row of a two-row header repeats most labels, so it must lose to the pair.
    """
    rows = [list(r) for r in peek.rows]
    _fill_merged(rows, peek.start_row, peek.merged)
    best = None
    for i, top in enumerate(rows[:PEEK_ROWS]):
        if not any(_field_for(_header_key(text)[0]) == "name" for text in _texts(top) if text):
            continue  # 项目名称 is in the upper row of a two-row header, never only in the lower
        below = rows[i + 1] if i + 1 < len(rows) else []
        two_rows = _is_sub_header(top, below)
        columns, group_year, group_label = _columns(top, below if two_rows else None, peek.merged is not None)
        fields = {c.field for c in columns if c.field}
        if "name" in fields and len(fields) >= 3 and (best is None or len(fields) > best[0]):
            best = (len(fields), i, two_rows, columns, group_year, group_label)
    if best is None:
        return None
    _found, i, two_rows, columns, group_year, group_label = best
    sheet_unit = _sheet_unit(rows[:i])
    by_field, warnings = {}, []
    for column in columns:
        if column.field is None:
            continue
        if column.field in by_field:
            first = by_field[column.field]
            warnings.append(
                Rejection(
                    _("“%(label)s”与%(first)s列“%(first_label)s”都像“%(field)s”，以%(first)s列为准。")
                    % {
                        "label": column.label,
                        "first": first.letter,
                        "first_label": first.label,
                        "field": _(FIELD_LABELS[column.field]),
                    },
                    sheet=peek.name,
                    row=peek.start_row + i + 1,
                    column=column.label,
                    letter=column.letter,
                )
            )
            column.field = None
            continue
        if column.field in MONEY_FIELDS:
            column.unit = column.unit or sheet_unit
        by_field[column.field] = column
    return Header(
        sheet=peek.name,
        first_row=peek.start_row + i,
        last_row=peek.start_row + i + (1 if two_rows else 0),
        columns=columns,
        by_field=by_field,
        sheet_unit=sheet_unit,
        warnings=warnings,
        group_year=group_year,
        group_label=group_label,
    )


def _columns(top, below, has_merges) -> tuple[list, int | None, str]:
    """The columns of a header whose upper row is TOP and lower row BELOW (None for one row)."""
    width = max(len(top), len(below or ()))
    columns, group_year, group_label = [], None, ""
    carried = ""
    for c in range(width):
        up = cell_text(top[c]) if c < len(top) else ""
        sub = cell_text(below[c]) if below is not None and c < len(below) else ""
        if not has_merges and below is not None:
            # No merge information (openpyxl's streaming reader): a blank cell in the upper row over
            # a filled lower one continues the group to its left.
            if up:
                carried = up
            elif sub and carried and c > 0 and cell_text(below[c - 1] if c - 1 < len(below) else ""):
                up = carried
        if sub == up:
            sub = ""
        if not up and not sub:
            continue
        label = f"{up}/{sub}" if up and sub else up or sub
        up_key, up_unit = _header_key(up)
        sub_key, sub_unit = _header_key(sub)
        unit = sub_unit or up_unit
        group = PLAN_GROUP.match(up_key) if up_key and sub_key else None
        name = None
        if group:
            group_label = up
            if group.group(1):
                group_year = int(group.group(1))
            name = next((f for f, p in GROUP_RULES if p.search(sub_key)), None)
        elif sub_key:
            name = _field_for(sub_key)
            if name is None and TOTAL_WORDS.match(sub_key):
                name = _field_for(up_key)
        else:
            name = _field_for(up_key)
        columns.append(Column(index=c, label=label, field=name, unit=unit))
    return columns, group_year, group_label


def _is_sub_header(top, below) -> bool:
    """Whether BELOW is the second row of a two-row header: text only, no numbers, nothing under
    项目名称 (a merged cell, or a copy of it), and at least one label we know or a group above it."""
    texts = [cell_text(v) for v in below]
    if not any(texts) or any(_is_numberish(v) for v in below if v is not None):
        return False
    name_col = next(
        (c for c, v in enumerate(_texts(top)) if v and _field_for(_header_key(v)[0]) == "name"), None
    )
    if (
        name_col is not None
        and name_col < len(texts)
        and texts[name_col]
        and texts[name_col] != cell_text(top[name_col])
    ):
        return False
    for c, text in enumerate(texts):
        if not text:
            continue
        key = _header_key(text)[0]
        up = cell_text(top[c]) if c < len(top) else ""
        if (
            _field_for(key)
            or any(p.search(key) for _f, p in GROUP_RULES)
            and (not up or PLAN_GROUP.match(up))
        ):
            return True
    return False


def _sheet_unit(rows) -> str:
    for row in rows:
        for text in _texts(row):
            if match := UNIT_ROW.search(_nfkc(text).replace(" ", "")):
                return match.group(1)
    return "万元"


# --------------------------------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------------------------------

CATEGORY_WORDS = [
    (Category.COMPLETING, ("竣工投产", "建成投产", "竣工", "投产", "完工")),
    (Category.NEW_START, ("新开工", "新建开工", "计划新开工")),
    (Category.CONTINUING, ("续建", "在建")),
    (Category.PREPARATORY, ("预备", "前期", "储备", "谋划")),
]
SECTION_L1 = re.compile(r"^([一二三四五六七八九十]{1,3})[、.．]\s*(.+)$")
SECTION_L2 = re.compile(r"^[(（]([一二三四五六七八九十]{1,3})[)）]\s*(.+)$")
SECTION_COUNT = re.compile(
    r"[(（]\s*(?:共|计)?\s*(\d+)\s*(?:项|个)[^)）]*[)）]\s*$|共\s*(\d+)\s*(?:项|个)\s*$"
)
SECTION_SUFFIX = re.compile(r"(重点)?(项目)?(清单)?(类)?(项目)?(领域)?$")
TOTAL_ROW = re.compile(r"^(总合计|合计|总计|小计|共计)")
NOTES_ROW = re.compile(r"^(注|备注|说明|附注|附注说明)\s*\d*\s*[:：.．、]|^注\s*\d|^\*")
FOOTER_ROW = re.compile(r"^(填报|制表|审核|填表|审批|负责人|联系人|联系电话|报送)(人|单位|日期)?\s*[:：]")
EXAMPLE = re.compile(r"^[(（【\[]?示例[)）】\]]")


def category_for(text: str) -> str | None:
    key = _nfkc(text).replace(" ", "")
    for category, words in CATEGORY_WORDS:
        if any(w in key for w in words):
            return category
    return None


class Row:
    """One project row of the sheet, its values parsed but not yet resolved against the database."""

    __slots__ = (
        "row",
        "values",
        "name",
        "name_key",
        "code",
        "owner",
        "owner_key",
        "category",
        "sector",
        "sector_column",
        "department_section",
        "district",
        "location",
        "years",
        "total",
        "completed_before",
        "planned",
        "start",
        "completion",
        "departments",
        "leaders",
        "goal",
        "content",
        "contact",
        "phone",
        "note",
        "errors",
    )

    def __init__(self, row):
        self.row = row
        self.errors = []
        for name in self.__slots__[1:]:
            if name != "errors":
                setattr(self, name, None)


@dataclass
class Section:
    level: int
    row: int
    label: str
    dimension: str  # "category", "sector" or "department"
    value: str
    count: int | None
    column: "Column | None" = None  # where its text is, for messages
    projects: int = 0


@dataclass
class Parsed:
    header: Header
    rows: list = field(default_factory=list)
    rejections: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    file_totals: dict = field(default_factory=dict)  # from the 合计 row under the header
    sheets_ignored: list = field(default_factory=list)
    reader: str = ""


def _section_label(text):
    label = SECTION_COUNT.sub("", text).strip()
    count = None
    if match := SECTION_COUNT.search(text):
        count = int(match.group(1) or match.group(2))
    return label, count


def parse_rows(header: Header, rows, *, year: int, merged=None, progress=None) -> Parsed:
    """Walk ROWS ((0-based row, cells) from the sheet's top) under HEADER: sections give category,
    sector or department to the rows beneath them; 合计, blank, notes and footer rows are skipped."""
    parsed = Parsed(header=header)
    col = header.by_field
    seq_col = col.get("seq")
    name_col = col["name"]
    by_index = {c.index: c for c in header.columns}
    fills = defaultdict(list)
    for r1, c1, r2, c2 in merged or ():
        if r1 > header.last_row and r2 > r1:  # a value merged down over several projects
            fills[r1].append((c1, r2, c2))
    active = {}
    stack = []  # open sections, outermost first
    in_notes = False
    sheet = header.sheet

    def reject(row, column, message, value=""):
        parsed.rejections.append(
            Rejection(
                message,
                sheet=sheet,
                row=row,
                column=column.label if column else "",
                letter=column.letter if column else "",
                value=_show(value),
            )
        )

    for index, cells in rows:
        if progress:
            progress()
        if index <= header.last_row:
            continue
        for c1, r2, c2 in fills.get(index, ()):
            value = cells[c1] if c1 < len(cells) else None
            for c in range(c1, c2 + 1):
                active[c] = (value, r2)
        if active:
            width = max(active) + 1
            if len(cells) < width:
                cells = cells + [None] * (width - len(cells))
            for c, (value, until) in list(active.items()):
                if index > until:
                    del active[c]
                elif cells[c] is None:
                    cells[c] = value
        excel_row = index + 1

        def get(f, cells=cells):
            column = col.get(f)
            if column is None or column.index >= len(cells):
                return None
            return cells[column.index]

        filled = [(c, v) for c, v in enumerate(cells) if not is_empty(v)]
        if not filled:
            continue
        lead = _nfkc(cell_text(filled[0][1])).replace(" ", "")
        name_text = clean_name(get("name"))
        seq_text = _nfkc(cell_text(get("seq"))).replace(" ", "")
        if NOTES_ROW.match(lead) or FOOTER_ROW.match(lead):
            in_notes = True
            continue
        if in_notes and len(filled) == 1:
            continue
        probe = _nfkc(name_text).replace(" ", "") or seq_text or lead
        if TOTAL_ROW.match(probe) or TOTAL_ROW.match(seq_text) or TOTAL_ROW.match(lead):
            if not parsed.file_totals and not stack:
                for f in MONEY_FIELDS:
                    column = col.get(f)
                    if column is not None:
                        try:
                            parsed.file_totals[f] = parse_money(get(f), column.unit)
                        except ValueError:
                            pass
            continue
        owner_value = get("owner")
        section_text = seq_text if SECTION_L1.match(seq_text) or SECTION_L2.match(seq_text) else ""
        section_text = section_text or (lead if is_empty(owner_value) else "")
        if section_text and (
            SECTION_L1.match(section_text)
            or SECTION_L2.match(section_text)
            or (SECTION_COUNT.search(section_text) and is_empty(owner_value))
        ):
            where = col.get("seq") if section_text == seq_text else by_index.get(filled[0][0])
            if not SECTION_L1.match(section_text) and not SECTION_L2.match(section_text) and name_text:
                section_text = _nfkc(name_text).replace(" ", "")
                where = col["name"]
            _open_section(parsed, stack, section_text, excel_row, where)
            continue
        if not name_text:
            if any(c not in (seq_col.index if seq_col else -1,) for c, _v in filled):
                reject(excel_row, name_col, _("缺少项目名称。"), "")
            continue
        parsed.rows.append(_parse_row(header, excel_row, get, stack, year, reject))
        for section in stack:
            section.projects += 1
    # A count in a section row that does not match its projects is worth a look, not a rejection.
    for section in parsed.sections:
        if section.count is not None and section.count != section.projects:
            parsed.warnings.append(
                Rejection(
                    _("分组“%(label)s”注明 %(count)s 项，其下实际有 %(n)s 个项目。")
                    % {"label": section.label, "count": section.count, "n": section.projects},
                    sheet=sheet,
                    row=section.row,
                )
            )
    return parsed


def _open_section(parsed, stack, text, excel_row, column):
    match = SECTION_L1.match(text) or SECTION_L2.match(text)
    if match:
        level = 1 if SECTION_L1.match(text) else 2
        body = match.group(2)
    else:
        body = text
        level = 1 if category_for(text) else 2
    label, count = _section_label(body)
    bare = SECTION_SUFFIX.sub("", label) or label
    category = category_for(bare)
    if category:
        dimension, value = "category", category
    else:
        # Sector or responsible unit: resolved against the database when the plan is made.
        dimension, value = ("sector" if level >= 2 else "group"), bare
    while stack and stack[-1].level >= level:
        stack.pop()
    section = Section(
        level=level, row=excel_row, label=label, dimension=dimension, value=value, count=count, column=column
    )
    stack.append(section)
    parsed.sections.append(section)


def _parse_row(header, excel_row, get, stack, year, reject) -> Row:
    col = header.by_field
    row = Row(excel_row)
    row.name = clean_name(get("name"))
    row.name_key = normalise_name(row.name)
    if EXAMPLE.match(row.name):
        reject(excel_row, col["name"], _("这是模板中的示例行，请删除后再导入。"), row.name)
    code = get("code")
    if not is_empty(code):
        row.code = clean_code(code)
        try:
            validate_project_code(row.code)
        except ValidationError:
            reject(
                excel_row,
                col["code"],
                _("项目代码格式不正确，应为 YYMM-RRRRRR-DD-TT-NNNNNN（如 2411-130202-89-01-637015）。"),
                code,
            )
            row.code = None
    owner = get("owner")
    if is_empty(owner):
        reject(excel_row, col["owner"], _("缺少建设单位（项目业主）。"), "")
    else:
        row.owner = clean_name(owner)
        row.owner_key = normalise_name(row.owner)
    for section in stack:
        if section.dimension == "category":
            row.category = section.value
        elif section.dimension == "sector":
            row.sector = section
        else:  # "group": a sector or a responsible unit, decided against the database
            row.department_section = section
    if "category" in col and not is_empty(get("category")):
        category = category_for(cell_text(get("category")))
        if category is None:
            reject(
                excel_row,
                col["category"],
                _("无法识别的项目类别，应为新开工、续建、竣工投产或预备（前期）。"),
                get("category"),
            )
        row.category = category or row.category
        if category is None:
            row.errors.append("category")
    # A missing category is reported when the plan is made, unless a section above failed first.
    if "sector" in col and not is_empty(get("sector")):
        row.sector_column = cell_text(get("sector"))
    row.district = cell_text(get("district")) if "district" in col else ""
    row.location = clean_name(get("location")) if "location" in col else ""
    for f in ("goal", "content", "contact", "phone", "note"):
        if f in col and not is_empty(get(f)):
            setattr(row, f, cell_text(get(f)))
    if "years" in col:
        try:
            row.years = parse_years(get("years"))
        except ValueError as exc:
            reject(excel_row, col["years"], str(exc), get("years"))
    for f in MONEY_FIELDS:
        column = col.get(f)
        if column is None:
            continue
        try:
            setattr(row, f, parse_money(get(f), column.unit))
        except ValueError as exc:
            reject(excel_row, column, str(exc), get(f))
            row.errors.append(f)
    if (
        row.planned is None
        and row.category not in (Category.PREPARATORY, None)
        and "planned" not in row.errors
    ):
        reject(excel_row, col["planned"], _("缺少年度计划投资（只有预备项目可以不填）。"), get("planned"))
    for f, category in (("start", Category.NEW_START), ("completion", Category.COMPLETING)):
        column = col.get(f)
        if column is None:
            continue
        try:
            when = parse_month(get(f))
        except ValueError as exc:
            if row.category == category:
                reject(excel_row, column, str(exc), get(f))
            continue
        if when is None or row.category != category:
            continue
        when_year, month = when
        if when_year is not None and when_year != year:
            what = _("计划开工时间") if f == "start" else _("计划竣工时间")
            reject(
                excel_row,
                column,
                _("%(category)s项目的%(what)s应在 %(year)s 年内。")
                % {"category": Category(category).label, "what": what, "year": year},
                get(f),
            )
            continue
        setattr(row, f, month)
    if "departments" in col:
        row.departments = split_names(get("departments"))
    if "leader" in col:
        row.leaders = split_names(get("leader"))
    if row.goal and len(row.goal) > 2000:
        row.goal = row.goal[:2000]
    if row.note and len(row.note) > 300:
        row.note = row.note[:300]
    return row


# --------------------------------------------------------------------------------------------------
# Reading a whole file
# --------------------------------------------------------------------------------------------------


def parse_file(path, *, name: str, year: int, progress=None) -> Parsed:
    """Check, read and parse the file at PATH (uploaded as NAME): the rows with their own errors, not
    yet matched against the database. Raises ImportRefused when the file as a whole cannot be read."""
    kind = check_file(path, name)
    reader = open_reader(path, kind)
    try:
        candidates = []
        for peek in reader.sheets:
            if peek.error:
                continue
            header = find_header(peek)
            if header is not None:
                candidates.append(header)
        if not candidates:
            names = "、".join(p.name for p in reader.sheets) or _("（无）")
            raise ImportRefused(
                _(
                    "找不到表头：没有一个工作表的前 %(n)s 行中有“项目名称”“建设单位”“年度计划投资”等列。"
                    "已检查的工作表：%(sheets)s。"
                )
                % {"n": PEEK_ROWS, "sheets": names}
            )
        complete = [h for h in candidates if all(f in h.by_field for f in REQUIRED)]
        header = max(complete or candidates, key=lambda h: len(h.by_field))
        missing = [f for f in REQUIRED if f not in header.by_field]
        if missing:
            wanted = {
                "name": _("项目名称"),
                "owner": _("建设单位（或 项目业主、项目法人）"),
                "planned": _("年度计划投资（或 “%(year)s年计划”下的“计划投资”）") % {"year": year},
            }
            raise ImportRefused(
                _("表头缺少必需的列：%(missing)s。") % {"missing": "、".join(wanted[f] for f in missing)},
                sheet=header.sheet,
                row=header.first_row + 1,
            )
        if header.group_year and header.group_year != year:
            raise ImportRefused(
                _("表头“%(label)s”是 %(file)s 年的计划，与导入年度 %(year)s 不一致。")
                % {"label": header.group_label, "file": header.group_year, "year": year},
                sheet=header.sheet,
                row=header.first_row + 1,
                column=header.group_label,
                letter=next((c.letter for c in header.columns if c.label.startswith(header.group_label)), ""),
            )
        merged, height, rows = reader.rows(header.sheet)
        total = height or 0
        seen = [0]

        def tick():
            seen[0] += 1
            if progress and seen[0] % 250 == 0:
                progress(seen[0], max(total, seen[0]))

        parsed = parse_rows(header, _capped(rows, header.sheet), year=year, merged=merged, progress=tick)
        if progress:
            progress(seen[0], seen[0])
        parsed.warnings[:0] = header.warnings
        parsed.sheets_ignored = [p.name for p in reader.sheets if p.name != header.sheet]
        parsed.reader = type(reader).__name__
        return parsed
    except ReaderFailed:
        raise ImportRefused(_("读取工作表时出错：文件已损坏或格式异常。") + _(SAVE_AS)) from None
    finally:
        reader.close()


def _capped(rows, sheet):
    cap = max_rows()
    for n, item in enumerate(rows):
        if n >= cap:
            raise ImportRefused(_too_many_rows(sheet, n + 1, cap, at_least=True), sheet=sheet)
        yield item


# --------------------------------------------------------------------------------------------------
# The plan: every row resolved against the database, with a few bulk queries
# --------------------------------------------------------------------------------------------------

ENTRY_FIELDS = (
    "category",
    "planned_investment",
    "completed_before_year",
    "goal",
    "planned_start_month",
    "planned_completion_month",
    "leader_id",
    "note",
)


@dataclass(slots=True)  # one per row of a list that may have 100,000
class PlannedRow:
    row: int
    name: str
    owner: str
    action: str  # "create", "update", "unchanged"
    category: str
    planned: int | None
    total: int | None
    project_id: int | None = None
    entry_id: int | None = None
    new_project: dict | None = None  # project_create's fields, owner by key when new
    fill: dict = field(default_factory=dict)  # empty registry fields to fill
    entry: dict = field(default_factory=dict)
    departments: list | None = None  # organisation ids, in order; None: the file has no such column
    changes: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def as_dict(self):
        return {
            "row": self.row,
            "name": self.name,
            "owner": self.owner,
            "action": self.action,
            "category": self.category,
            "planned": self.planned,
            "total": self.total,
            "new_project": self.new_project is not None,
            "project_id": self.project_id,
            "changes": self.changes,
            "notes": self.notes,
        }


@dataclass
class Plan:
    year: int
    parsed: Parsed
    rows: list = field(default_factory=list)
    rejections: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    new_owners: dict = field(default_factory=dict)  # owner key → name as written

    def __post_init__(self):
        self._taken = {(r.row, r.letter) for r in self.rejections}

    def add(self, rejection: Rejection) -> None:
        """Keep REJECTION unless its cell is already rejected: one reason a cell, the first found (a
        cell that cannot be read is not also "missing")."""
        where = (rejection.row, rejection.letter)
        if where not in self._taken:
            self._taken.add(where)
            self.rejections.append(rejection)

    @property
    def ok(self):
        return not self.rejections

    def counts(self):
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["new_projects"] = sum(1 for r in self.rows if r.new_project is not None)
        counts["new_owners"] = len(self.new_owners)
        counts["rejected_rows"] = len({r.row for r in self.rejections if r.row})
        counts["rows"] = len(self.parsed.rows)
        return counts

    def totals(self):
        return {
            "planned": sum(r.planned or 0 for r in self.rows),
            "total": sum(r.total or 0 for r in self.rows),
        }

    def summary(self):
        header = self.parsed.header
        return {
            "sheet": header.sheet,
            "header_rows": header.excel_rows(),
            "sheet_unit": header.sheet_unit,
            "columns": [
                {
                    "letter": c.letter,
                    "label": c.label,
                    "field": c.field or "",
                    "field_label": _(FIELD_LABELS[c.field]) if c.field else "",
                    "unit": c.unit if c.field in MONEY_FIELDS else "",
                }
                for c in header.columns
            ],
            "sheets_ignored": self.parsed.sheets_ignored,
            "sections": [
                {"row": s.row, "label": s.label, "count": s.count, "projects": s.projects}
                for s in self.parsed.sections
            ],
            "counts": self.counts(),
            "totals": self.totals(),
            "file_totals": self.parsed.file_totals,
            "warnings": [w.as_dict() for w in self.warnings],
            "new_owners": list(self.new_owners.values()),
            "rows": [r.as_dict() for r in self.rows],
        }


def _chunks(items, size=2000):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Lookups:
    """Everything the rows refer to, read with a handful of queries for the whole file."""

    def __init__(self, parsed: Parsed, year: int):
        rows = parsed.rows
        self.orgs_by_key = {}
        self.owners = {}
        self.departments = {}
        self.districts = []  # (text to find, id, name)
        for org in Organisation.objects.values("id", "kind", "name", "short_name", "is_active"):
            keys = {normalise_name(org["name"])}
            if org["short_name"]:
                keys.add(normalise_name(org["short_name"]))
            for key in keys:
                self.orgs_by_key.setdefault(key, org)
                if org["kind"] == Organisation.Kind.OWNER:
                    self.owners.setdefault(key, org["id"])
                elif org["kind"] == Organisation.Kind.DEPARTMENT:
                    self.departments.setdefault(key, org["id"])
                elif org["kind"] == Organisation.Kind.DISTRICT:
                    self.districts.append((key, org["id"], org["name"]))
        self.districts.sort(key=lambda d: -len(d[0]))
        self.district_names = {d[1]: d[2] for d in self.districts}
        self.department_names = {}
        for key, org_id in self.departments.items():
            self.department_names.setdefault(org_id, self.orgs_by_key[key]["name"])
        self.sectors = {}
        for sector in Sector.objects.values("id", "name"):
            self.sectors[normalise_name(sector["name"])] = sector["id"]
        self.sector_names = [s["name"] for s in Sector.objects.order_by("sort", "name").values("name")]
        self.leaders = {}
        self.leader_names = {}
        for user in User.objects.filter(role=User.Role.LEADER, is_active=True).values(
            "id", "full_name", "username"
        ):
            for key in {normalise_name(user["full_name"]), normalise_name(user["username"])} - {""}:
                self.leaders.setdefault(key, user["id"])
            self.leader_names[user["id"]] = user["full_name"] or user["username"]
        project_fields = (
            "id",
            "code",
            "name",
            "owner_id",
            "district_id",
            "sector_id",
            "location",
            "content",
            "contact",
            "phone",
            "leader_id",
            "total_investment",
            "version",
        )
        self.by_code = {}
        codes = {r.code for r in rows if r.code}
        for chunk in _chunks(codes):
            for p in Project.objects.filter(code__in=chunk).values(*project_fields):
                self.by_code[p["code"]] = p
        self.by_name = defaultdict(list)
        owner_ids = {self.owners[r.owner_key] for r in rows if r.owner_key in self.owners}
        for chunk in _chunks(owner_ids):
            for p in Project.objects.filter(owner_id__in=chunk).values(*project_fields):
                self.by_name[(normalise_name(p["name"]), p["owner_id"])].append(p)
        project_ids = {p["id"] for p in self.by_code.values()} | {
            p["id"] for ps in self.by_name.values() for p in ps
        }
        self.project_departments = defaultdict(set)
        for chunk in _chunks(project_ids):
            for pid, oid in Project.departments.through.objects.filter(project_id__in=chunk).values_list(
                "project_id", "organisation_id"
            ):
                self.project_departments[pid].add(oid)
        self.annual_list = AnnualList.objects.filter(year=year).first()
        self.entries = {}
        self.entry_departments = defaultdict(list)
        if self.annual_list is not None:
            entry_fields = (
                "id",
                "project_id",
                "batch_id",
                "batch__status",
                "batch__name",
                "version",
                *ENTRY_FIELDS,
            )
            for chunk in _chunks(project_ids):
                for e in AnnualEntry.objects.filter(
                    annual_list=self.annual_list, project_id__in=chunk
                ).values(*entry_fields):
                    self.entries[e["project_id"]] = e
            entry_ids = [e["id"] for e in self.entries.values()]
            for chunk in _chunks(entry_ids):
                for eid, oid in AnnualEntry.departments.through.objects.filter(
                    annualentry_id__in=chunk
                ).values_list("annualentry_id", "organisation_id"):
                    self.entry_departments[eid].append(oid)

    def district_for(self, *texts) -> tuple[int | None, list]:
        """The one district named in TEXTS (exactly, or inside an address), else (None, names found)."""
        for text in texts:
            key = normalise_name(text)
            if not key:
                continue
            exact = [d for d in self.districts if d[0] == key]
            if exact:
                return exact[0][1], []
            found, rest = [], key
            for district_key, district_id, name in self.districts:
                if district_key in rest:
                    rest = rest.replace(district_key, "\x00")
                    if district_id not in [f[0] for f in found]:
                        found.append((district_id, name))
            if len(found) == 1:
                return found[0][0], []
            if len(found) > 1:
                return None, [name for _id, name in found]
        return None, []

    def sector_for(self, text) -> int | None:
        key = normalise_name(text)
        if key in self.sectors:
            return self.sectors[key]
        bare = SECTION_SUFFIX.sub("", key)
        return self.sectors.get(bare)


def build_plan(parsed: Parsed, *, year: int, progress=None) -> Plan:
    """Match every parsed row against the database: the project (by code, else by normalised name and
    owner), its owner (created when new), district, sector, departments and leader; and decide what
    creating or updating its entry for YEAR would change. Reads only."""
    plan = Plan(year=year, parsed=parsed, rejections=list(parsed.rejections), warnings=list(parsed.warnings))
    look = Lookups(parsed, year)
    header = parsed.header
    col = header.by_field
    rejected_rows = {r.row for r in parsed.rejections}
    seen = {}
    sheet = header.sheet

    def reject(row, f, message, value=""):
        column = col.get(f) if isinstance(f, str) else f
        plan.add(
            Rejection(
                message,
                sheet=sheet,
                row=row.row,
                column=column.label if column else "",
                letter=column.letter if column else "",
                value=_show(value),
            )
        )

    for n, row in enumerate(parsed.rows):
        if progress and n % 250 == 0:
            progress(n, len(parsed.rows))
        errors_before = len(plan.rejections)
        planned_row = _plan_row(row, look, plan, reject, year)
        if planned_row is None or len(plan.rejections) > errors_before or row.row in rejected_rows:
            continue
        key = (
            ("p", planned_row.project_id)
            if planned_row.project_id
            else ("n", row.code or (row.name_key, row.owner_key))
        )
        if key in seen:
            reject(row, "name", _("与第 %(row)s 行是同一个项目，重复列出。") % {"row": seen[key]}, row.name)
            continue
        if row.code:
            code_key = ("c", row.code)
            if code_key in seen:
                reject(row, "code", _("项目代码与第 %(row)s 行重复。") % {"row": seen[code_key]}, row.code)
                continue
            seen[code_key] = row.row
        seen[key] = row.row
        plan.rows.append(planned_row)
    if progress:
        progress(len(parsed.rows), len(parsed.rows))
    plan.rejections.sort(key=lambda r: (r.row or 0, r.letter))
    return plan


def _plan_row(row: Row, look: Lookups, plan: Plan, reject, year) -> PlannedRow | None:
    # The project: by code, else by normalised name + owner.
    project = None
    owner_id = None
    if row.owner_key:
        owner_id = look.owners.get(row.owner_key)
        if owner_id is None and row.owner_key in look.orgs_by_key:
            org = look.orgs_by_key[row.owner_key]
            reject(
                row,
                "owner",
                _("“%(name)s”在系统中登记为%(kind)s，不是项目业主。")
                % {"name": org["name"], "kind": Organisation.Kind(org["kind"]).label},
                row.owner,
            )
            return None
    if row.code and row.code in look.by_code:
        project = look.by_code[row.code]
    elif owner_id is not None:
        same = look.by_name.get((row.name_key, owner_id), [])
        if len(same) > 1:
            reject(
                row,
                "name",
                _("该业主下有 %(n)s 个同名项目，无法确定是哪一个：请填写项目代码。") % {"n": len(same)},
                row.name,
            )
            return None
        if same:
            project = same[0]
            if row.code and project["code"] and project["code"] != row.code:
                reject(
                    row,
                    "code",
                    _("按名称和业主匹配到已有项目，但其项目代码为 %(code)s，与文件不一致。")
                    % {"code": project["code"]},
                    row.code,
                )
                return None
    if row.owner_key is None:
        return None

    # Sector: the column, else the section; a "group" section is a sector or a responsible unit.
    sector_id = None
    section_department = None
    if row.department_section:
        section = row.department_section
        sector_id = look.sector_for(section.value)
        if sector_id is None:
            section_department = look.departments.get(normalise_name(section.value))
            if section_department is None:
                plan.add(
                    _section_rejection(
                        plan,
                        section,
                        _(
                            "无法识别的分组“%(label)s”：应为项目类别（新开工、续建、竣工投产、预备）、"
                            "行业领域（%(sectors)s）或责任单位。"
                        )
                        % {"label": section.label, "sectors": "、".join(look.sector_names)},
                    )
                )
                return None
    if row.sector:
        section = row.sector
        sector_id = look.sector_for(section.value)
        if sector_id is None:
            plan.add(
                _section_rejection(
                    plan,
                    section,
                    _("未知的行业领域“%(value)s”。系统中的行业领域：%(sectors)s。")
                    % {"value": section.label, "sectors": "、".join(look.sector_names)},
                )
            )
            return None
    if row.category is None:
        if "category" not in row.errors:
            reject(
                row,
                "category" if "category" in plan.parsed.header.by_field else "name",
                _(
                    "无法确定项目类别：请在分组行（如“一、新开工项目（60项）”）或“项目类别”列注明"
                    "新开工、续建、竣工投产或预备。"
                ),
            )
        return None
    if row.sector_column:
        sector_id = look.sector_for(row.sector_column)
        if sector_id is None:
            reject(
                row,
                "sector",
                _("未知的行业领域。系统中的行业领域：%(sectors)s。")
                % {"sectors": "、".join(look.sector_names)},
                row.sector_column,
            )
            return None

    departments = None
    if row.departments:
        departments = []
        for name in row.departments:
            org_id = look.departments.get(normalise_name(name))
            if org_id is None:
                reject(
                    row,
                    "departments",
                    _("找不到责任单位“%(name)s”（须为系统中的市直部门）。") % {"name": name},
                    name,
                )
                return None
            if org_id not in departments:
                departments.append(org_id)
    elif section_department is not None:
        departments = [section_department]
    leader_id = None
    if row.leaders:
        for name in row.leaders:
            found = look.leaders.get(normalise_name(name))
            if found is None:
                found = next(
                    (uid for key, uid in look.leaders.items() if key and key in normalise_name(name)), None
                )
            if found is None:
                reject(
                    row,
                    "leader",
                    _("找不到联系市领导“%(name)s”（须为系统中的市领导用户）。") % {"name": name},
                    name,
                )
                return None
            if leader_id is None:
                leader_id = found
        if len(row.leaders) > 1:
            plan.warnings.append(
                Rejection(
                    _("列出了多位联系市领导，清单只记第一位：%(name)s。")
                    % {"name": look.leader_names[leader_id]},
                    sheet=plan.parsed.header.sheet,
                    row=row.row,
                    column=plan.parsed.header.by_field["leader"].label,
                    value="、".join(row.leaders),
                )
            )

    planned = PlannedRow(
        row=row.row,
        name=row.name,
        owner=row.owner,
        action="create",
        category=row.category,
        planned=row.planned,
        total=row.total if row.total is not None else (project or {}).get("total_investment"),
    )
    if project is None:
        # A new project: everything project_create needs must be in the row.
        district_id, several = look.district_for(row.district or "", row.location or "")
        if district_id is None:
            where = "district" if "district" in plan.parsed.header.by_field else "location"
            if several:
                message = _("涉及多个城区（%(names)s），请在“所在城区”列注明项目归属的城区。") % {
                    "names": "、".join(several)
                }
            else:
                message = _(
                    "无法确定所在城区：“所在城区”或“建设地点”中须包含系统中的城区名称（如 %(example)s）。"
                ) % {"example": "、".join(d[2] for d in look.districts[:3])}
            reject(row, where, message, row.district or row.location)
            return None
        if sector_id is None:
            reject(
                row,
                "sector" if "sector" in plan.parsed.header.by_field else "name",
                _(
                    "新项目缺少行业领域：请在分组行（如“（一）产业项目”）或“行业领域”列注明。系统中的行业领域：%(sectors)s。"
                )
                % {"sectors": "、".join(look.sector_names)},
            )
            return None
        if row.total is None:
            reject(
                row, "total" if "total" in plan.parsed.header.by_field else "name", _("新项目须填写总投资。")
            )
            return None
        if row.years is None:
            reject(
                row,
                "years" if "years" in plan.parsed.header.by_field else "name",
                _("新项目须填写建设起止年限（如 2025-2028）。"),
            )
            return None
        if owner_id is None:
            plan.new_owners.setdefault(row.owner_key, row.owner)
        planned.new_project = {
            "name": row.name[:200],
            "code": row.code or None,
            "owner_key": row.owner_key,
            "owner_id": owner_id,
            "district_id": district_id,
            "sector_id": sector_id,
            "location": (row.location or "")[:200],
            "content": row.content or "",
            "total_investment": row.total,
            "start_year": row.years[0],
            "end_year": row.years[1],
            "leader_id": leader_id,
            "contact": (row.contact or "")[:30],
            "phone": (row.phone or "")[:30],
        }
        planned.departments = departments
        if row.category in (Category.CONTINUING, Category.COMPLETING):
            planned.notes.append(
                _(
                    "新项目按“谋划储备”入库；清单类别为%(category)s，请在项目页登记实际开工日期并转入相应阶段。"
                )
                % {"category": Category(row.category).label}
            )
    else:
        planned.project_id = project["id"]
        # Registry fields are the registry's: only empty ones are filled from the file.
        values = {
            "code": row.code,
            "location": (row.location or "")[:200],
            "content": row.content,
            "contact": (row.contact or "")[:30],
            "phone": (row.phone or "")[:30],
            "leader_id": leader_id,
        }
        for name, value in values.items():
            if value and not project[name]:
                if name == "code" and row.code in look.by_code:
                    continue
                planned.fill[name] = value
                planned.changes.append(_("项目%(field)s：补填") % {"field": _(PROJECT_LABELS[name])})
        if departments is not None:
            planned.departments = departments
            have = look.project_departments.get(project["id"], set())
            added = [d for d in departments if d not in have]
            if added:  # entry_create / entry_update add them to the project
                planned.changes.append(
                    _("项目责任单位：增加 %(names)s")
                    % {"names": "、".join(look.department_names.get(d, "?") for d in added)}
                )

    entry = {
        "category": row.category,
        "planned_investment": row.planned,
        "completed_before_year": row.completed_before,
        "goal": row.goal,
        "planned_start_month": row.start,
        "planned_completion_month": row.completion,
        "leader_id": leader_id,
        "note": row.note,
    }
    # An empty cell leaves what the entry has; a value replaces it.
    planned.entry = {k: v for k, v in entry.items() if v not in (None, "")}
    existing = look.entries.get(planned.project_id) if planned.project_id else None
    final = {**(existing or {}), **planned.entry}
    # The list's own rules (plans.services.plan_errors), checked here so that they reject the row
    # with its place in the file instead of failing the whole import when it is applied.
    errors = plan_errors(
        model=AnnualEntry,
        category=final.get("category"),
        planned_investment=final.get("planned_investment"),
        planned_start_month=final.get("planned_start_month"),
        planned_completion_month=final.get("planned_completion_month"),
    )
    columns = {
        "planned_investment": "planned",
        "planned_start_month": "start",
        "planned_completion_month": "completion",
        "category": "category",
    }
    for name, message in errors.items():
        f = columns.get(name, "name")
        reject(row, f if f in plan.parsed.header.by_field else "name", str(message))
    if errors:
        return None
    if existing is None:
        planned.action = "create"
        if project is not None:
            planned.changes.append(_("已有项目列入本年度清单"))
        return planned
    planned.entry_id = existing["id"]
    differences = []
    for name, value in planned.entry.items():
        if existing[name] != value:
            differences.append(_entry_change(name, existing[name], value, look))
    old_departments = look.entry_departments.get(existing["id"], [])
    if departments is not None and sorted(old_departments) != sorted(departments):
        old = "、".join(look.department_names.get(d, "?") for d in old_departments)
        new = "、".join(look.department_names.get(d, "?") for d in departments)
        differences.append(_("责任单位：%(old)s → %(new)s") % {"old": old or "—", "new": new})
    official = existing["batch_id"] is None or existing["batch__status"] == Batch.Status.PUBLISHED
    if official and final["planned_investment"] != existing["planned_investment"]:
        reject(
            row,
            "planned",
            _(
                "该项目已在正式清单（%(batch)s）中，年度计划投资 %(old)s 万元不能通过导入改为 %(new)s 万元；"
                "请提交“计划调整”申请。"
            )
            % {
                "batch": existing["batch__name"] or _("无批次"),
                "old": format_wan(existing["planned_investment"]),
                "new": format_wan(final["planned_investment"]),
            },
            row.planned,
        )
        return None
    planned.changes.extend(differences)
    planned.action = "update" if planned.changes else "unchanged"
    return planned


def _section_rejection(plan, section, message):
    column = section.column
    return Rejection(
        message,
        sheet=plan.parsed.header.sheet,
        row=section.row,
        column=column.label if column else "",
        letter=column.letter if column else "",
        value=section.label,
    )


PROJECT_LABELS = {
    "code": "项目代码",
    "location": "建设地点",
    "content": "建设内容及规模",
    "contact": "联系人",
    "phone": "联系电话",
    "leader_id": "联系市领导",
}
ENTRY_LABELS = {
    "category": "项目类别",
    "planned_investment": "年度计划投资",
    "completed_before_year": "截至上年底累计完成投资",
    "goal": "形象进度目标",
    "planned_start_month": "计划开工月份",
    "planned_completion_month": "计划竣工月份",
    "leader_id": "联系市领导",
    "note": "备注",
}


def _entry_change(name, old, new, look):
    def show(value):
        if value in (None, ""):
            return "—"
        if name in ("planned_investment", "completed_before_year"):
            return format_wan(value) + _("万元")
        if name == "category":
            return str(Category(value).label)
        if name == "leader_id":
            return look.leader_names.get(value, "?")
        text = str(value)
        return text if len(text) <= 20 else text[:19] + "…"

    return _("%(field)s：%(old)s → %(new)s") % {
        "field": _(ENTRY_LABELS[name]),
        "old": show(old),
        "new": show(new),
    }


# --------------------------------------------------------------------------------------------------
# Applying a plan
# --------------------------------------------------------------------------------------------------

BATCH_NEW = "new"


class ApplyRejected(Exception):
    """The plan made inside the apply transaction rejects rows (the database changed since the preview)."""

    def __init__(self, plan):
        super().__init__(f"{len(plan.rejections)} rejections")
        self.plan = plan


def apply_plan(plan: Plan, *, by, batch=BATCH_NEW, progress=None) -> dict:
    """Write PLAN through the registry's and the list's own services (project_create, project_update,
    entry_create, entry_update, batch_create), so imported records keep every rule and leave the same
    history as records typed in. New entries go to BATCH: a draft Batch or its pk, {"number": N}, or
    "new" for the next 第N批. Call inside transaction.atomic(): any exception leaves nothing written."""
    assert transaction.get_connection().in_atomic_block, "apply_plan must run inside a transaction"
    if not plan.ok:
        raise ApplyRejected(plan)
    todo = [r for r in plan.rows if r.action != "unchanged"]
    result = {
        "created": 0,
        "updated": 0,
        "unchanged": len(plan.rows) - len(todo),
        "new_projects": 0,
        "new_owners": 0,
    }
    if not todo:
        return result  # the same file twice: nothing written, nothing recorded
    target = _target_batch(plan.year, batch, by) if any(r.action == "create" for r in todo) else None
    annual_list = target.annual_list if target else AnnualList.objects.get(year=plan.year)
    owners = {}
    for key, name in plan.new_owners.items():
        owner = Organisation(kind=Organisation.Kind.OWNER, name=name[:100])
        owner.full_clean()
        owner.save()
        audit_record(user=by, instance=owner, action=AuditEntry.Action.CREATE)
        owners[key] = owner
        result["new_owners"] += 1
    # Related objects fetched once for all rows: handed to the services as instances, the history
    # snapshots and search keys find them cached instead of querying each one again for every row.
    new = [r.new_project for r in todo if r.new_project is not None]
    leaders = User.objects.in_bulk(
        {r.entry["leader_id"] for r in todo if r.entry.get("leader_id")}
        | {p["leader_id"] for p in new if p["leader_id"]}
    )
    departments = Organisation.objects.in_bulk({d for r in todo for d in (r.departments or ())})
    related = {
        "owner": Organisation.objects.in_bulk({p["owner_id"] for p in new if p["owner_id"]}),
        "district": Organisation.objects.in_bulk({p["district_id"] for p in new}),
        "sector": Sector.objects.in_bulk({p["sector_id"] for p in new}),
        "leader": leaders,
    }
    if len(todo) >= bulk_rows():
        with _gc_paused():
            _apply_bulk(
                todo,
                annual_list=annual_list,
                target=target,
                owners=owners,
                related=related,
                departments=departments,
                by=by,
                progress=progress,
            )
        result["created"] = sum(1 for r in todo if r.action == "create")
        result["updated"] = len(todo) - result["created"]
        result["new_projects"] = sum(1 for r in todo if r.new_project is not None)
        if target is not None:
            result["batch"] = target.name
        return result
    for n, row in enumerate(todo, start=1):
        project = _apply_project(row, owners, related, departments, by)
        fields = {k: v for k, v in row.entry.items() if k != "leader_id"}
        if "leader_id" in row.entry:
            fields["leader"] = leaders[row.entry["leader_id"]]
        entry_departments = None if row.departments is None else [departments[d] for d in row.departments]
        if row.action == "create":
            entry_create(
                annual_list=annual_list,
                batch=target,
                project=project,
                by=by,
                departments=entry_departments or (),
                **fields,
            )
            result["created"] += 1
        else:
            entry = AnnualEntry.objects.select_related("project").get(pk=row.entry_id)
            entry_update(
                entry=entry, by=by, expected_version=entry.version, departments=entry_departments, **fields
            )
            result["updated"] += 1
        if row.new_project is not None:
            result["new_projects"] += 1
        if progress and n % 50 == 0:
            progress(n, len(todo))
    if progress:
        progress(len(todo), len(todo))
    if target is not None:
        result["batch"] = target.name
    return result


def _target_batch(year, batch, by) -> Batch:
    if batch in (BATCH_NEW, None):
        return batch_create(year=year, by=by)
    if isinstance(batch, dict):  # {"number": N} from the command line: that batch, or the next one
        number = int(batch["number"])
        annual_list = annual_list_ensure(year=year, by=by)
        target = annual_list.batches.filter(number=number).first()
        if target is None:
            following = (annual_list.batches.aggregate(n=Max("number"))["n"] or 0) + 1
            if number != following:
                raise ValidationError(
                    _("%(year)s年清单没有%(name)s；下一个新批次是%(next)s。")
                    % {
                        "year": year,
                        "name": batch_default_name(number),
                        "next": batch_default_name(following),
                    }
                )
            return batch_create(year=year, by=by)
    else:
        target = Batch.objects.filter(pk=batch.pk if isinstance(batch, Batch) else batch).first()
        if target is None or target.annual_list.year != year:
            raise ValidationError(_("所选批次不属于 %(year)s 年清单。") % {"year": year})
    if target.status != Batch.Status.DRAFT:
        raise ValidationError(_("“%(batch)s”已发布，不能再加入项目。") % {"batch": target.name})
    return target


def _apply_project(row: PlannedRow, owners, related, departments, by) -> Project:
    if row.new_project is not None:
        fields = dict(row.new_project)
        owner_key = fields.pop("owner_key")
        for name, objects in related.items():
            pk = fields.pop(f"{name}_id")
            fields[name] = objects[pk] if pk else None
        fields["owner"] = fields["owner"] or owners[owner_key]
        project = project_create(by=by, departments=[departments[d] for d in row.departments or ()], **fields)
        row.project_id = project.pk
        return project
    project = Project.objects.select_related("owner").get(pk=row.project_id)
    if row.fill:
        project = project_update(project=project, by=by, expected_version=project.version, **row.fill)
    return project


# --------------------------------------------------------------------------------------------------
# Applying a large plan in bulk
# --------------------------------------------------------------------------------------------------
#
# Why: through the services every row costs some sixteen queries (checks, saves, history), so a
# 10,000-row list held the one all-or-nothing transaction, and on SQLite the database's only write
# lock, for two minutes. From bulk_rows() rows to write, _apply_bulk writes exactly the records that
# project_create, project_update, entry_create and entry_update would (fields, search keys, version
# bumps, stage changes, departments, history entries with the same changes, in the same order), with
# a few queries for all rows: the services' own rule functions still run for every row, in Python; what
# full_clean would ask the database row by row (foreign keys, the unique project code) and the entry
# already on the list are asked once for the whole file. The services stay the reference: a test
# imports the same files both ways and compares every record.

PROJECT_KEYS = ("owner", "district", "sector", "leader", "parent")
ENTRY_KEYS = ("annual_list", "batch", "project", "leader")
FILL_FIELDS = ("code", "location", "content", "contact", "phone", "leader")


def _apply_bulk(todo, *, annual_list, target, owners, related, departments, by, progress=None) -> None:
    now = timezone.now()
    history = []  # (instance, action, before, after or a function giving it, project), in service order
    new_projects, filled, versions, project_links = [], [], {}, []
    new_entries, updated_entries, entry_links, entry_unlinks = [], [], [], []

    existing = {r.project_id for r in todo if r.new_project is None}
    projects = Project.objects.select_related(*PROJECT_KEYS).in_bulk(existing)
    stored = AnnualEntry.objects.select_related("batch", "annual_list", "project", "leader").in_bulk(
        {r.entry_id for r in todo if r.action == "update"}
    )
    project_departments = _links(Project.departments.through, "project_id", projects)
    entry_departments = _links(AnnualEntry.departments.through, "annualentry_id", stored)
    orgs = Organisation.objects.in_bulk(
        {
            oid
            for links in (project_departments, entry_departments)
            for ids in links.values()
            for oid, _pk in ids
        }
    )
    orgs.update(departments)

    for n, row in enumerate(todo, start=1):
        entry_orgs = None if row.departments is None else [departments[d] for d in row.departments]
        # project_create / project_update
        if row.new_project is not None:
            fields = dict(row.new_project)
            owner_key = fields.pop("owner_key")
            for name, objects in related.items():
                pk = fields.pop(f"{name}_id")
                fields[name] = objects[pk] if pk else None
            fields["owner"] = fields["owner"] or owners[owner_key]
            project = Project(**fields)
            project_refresh_search_text(project)
            _clean(project, PROJECT_KEYS, validate_unique=False)
            project_orgs = list(entry_orgs or ())
            _prime_departments(project, project_orgs)
            new_projects.append(project)
            project_links.extend((project, d) for d in project_orgs)
            history.append((project, AuditEntry.Action.CREATE, None, _later(snapshot, project), project))
        else:
            project = projects[row.project_id]
            project_orgs = [orgs[oid] for oid, _pk in project_departments.get(project.pk, ())]
            _prime_departments(project, project_orgs)
            if row.fill:
                before = snapshot(project)
                for name, value in row.fill.items():
                    setattr(project, name, value)
                if row.fill.get("leader_id"):
                    project.leader = related["leader"][row.fill["leader_id"]]
                project_refresh_search_text(project)
                _clean(project, PROJECT_KEYS, validate_unique=False)
                project.updated_at = now
                filled.append(project)
                versions[project] = project.version + 1
                history.append((project, AuditEntry.Action.UPDATE, before, snapshot(project), project))
        # entry_create / entry_update
        fields = {k: v for k, v in row.entry.items() if k != "leader_id"}
        fields["leader"] = related["leader"][row.entry["leader_id"]] if "leader_id" in row.entry else None
        if row.action == "create":
            entry_orgs = entry_orgs or []
            values = {name: fields.get(name) for name in SERVICE_ENTRY_FIELDS}
            entry = AnnualEntry(
                annual_list=annual_list,
                batch=target,
                project=project,
                **{**values, "goal": values["goal"] or "", "note": values["note"] or ""},
            )
            raise_errors(_entry_errors(values, entry_orgs))
            _clean(entry, ENTRY_KEYS)
            _prime_departments(entry, entry_orgs)
            new_entries.append(entry)
            entry_links.extend((entry, d) for d in entry_orgs)
            after = _later(entry_snapshot, entry)
        else:
            entry = stored[row.entry_id]
            if "leader_id" not in row.entry:
                fields.pop("leader")
            values = {name: fields.get(name, getattr(entry, name)) for name in SERVICE_ENTRY_FIELDS}
            errors = _entry_errors(values, entry_orgs or [])
            if is_official(entry.batch) and values["planned_investment"] != entry.planned_investment:
                errors["planned_investment"] = _(
                    "该项目已在正式清单中，年度计划投资只能通过“计划调整”申请变更，"
                    "以保留原计划（{planned} 万元）。"
                ).format(planned=format_wan(entry.planned_investment))
            raise_errors(errors)
            old_orgs = [orgs[oid] for oid, _pk in entry_departments.get(entry.pk, ())]
            _prime_departments(entry, old_orgs)
            entry_before = entry_snapshot(entry)
            for name, value in values.items():
                setattr(entry, name, value)
            entry.project = project
            _clean(entry, ENTRY_KEYS)
            entry.version += 1
            entry.updated_at = now
            updated_entries.append(entry)
            if entry_orgs is not None:
                keep = {d.pk for d in entry_orgs}
                entry_unlinks.extend(pk for oid, pk in entry_departments.get(entry.pk, ()) if oid not in keep)
                have = {d.pk for d in old_orgs}
                entry_links.extend((entry, d) for d in entry_orgs if d.pk not in have)
                _prime_departments(entry, entry_orgs)
            after = entry_snapshot(entry)
        # _add_departments_to_project
        have = {d.pk for d in project_orgs}
        added = [d for d in entry_orgs or () if d.pk not in have]
        if added:
            before = snapshot(project, fields={"departments"})
            _prime_departments(project, project_orgs + added)
            project_links.extend((project, d) for d in added)
            versions[project] = versions.get(project, project.version) + 1
            history.append(
                (
                    project,
                    AuditEntry.Action.UPDATE,
                    before,
                    snapshot(project, fields={"departments"}),
                    project,
                )
            )
        action = AuditEntry.Action.CREATE if row.action == "create" else AuditEntry.Action.UPDATE
        history.append((entry, action, None if row.action == "create" else entry_before, after, project))
        if progress and n % 500 == 0:
            progress(n * 9 // 10, len(todo))  # the writes below are the last tenth

    # What full_clean and entry_create would have asked the database for each row, asked once.
    _check_foreign_keys(Project, new_projects + filled, PROJECT_KEYS)
    _check_unique_codes(new_projects + filled)
    if new_entries:
        if (
            not Batch.objects.select_for_update()
            .filter(pk=target.pk, status=Batch.Status.DRAFT)
            .order_by()
            .exists()
        ):
            raise ValidationError(
                {"batch": _("“{batch}”已发布，新增项目只能放入草稿批次。").format(batch=target.name)}
            )
        listed = {e.project_id for e in new_entries if e.project_id}
        for chunk in _chunks(listed):
            taken = AnnualEntry.objects.filter(annual_list=annual_list, project_id__in=chunk).first()
            if taken is not None:
                raise ValidationError(
                    {
                        "project": _("“{name}”已在{year}年清单中。").format(
                            name=projects[taken.project_id].name, year=annual_list.year
                        )
                    }
                )

    # The writes, a few statements each for all rows.
    Project.objects.bulk_create(new_projects)
    StageChange.objects.bulk_create(
        StageChange(
            project=p, from_stage="", to_stage=p.stage, date=timezone.localdate(), by=by, note=_("项目入库")
        )
        for p in new_projects
    )
    for project, version in versions.items():
        project.version = version
    Project.objects.bulk_update(
        filled, [*FILL_FIELDS, "search_text", "version", "updated_at"], batch_size=500
    )
    Project.objects.bulk_update([p for p in versions if p not in filled], ["version"], batch_size=500)
    Project.departments.through.objects.bulk_create(
        Project.departments.through(project_id=p.pk, organisation_id=d.pk) for p, d in project_links
    )
    for entry in new_entries:
        entry.project = entry.project  # takes the pk its new project has been given since
    _check_foreign_keys(AnnualEntry, new_entries + updated_entries, ENTRY_KEYS)
    AnnualEntry.objects.bulk_create(new_entries)
    AnnualEntry.objects.bulk_update(
        updated_entries, [*SERVICE_ENTRY_FIELDS, "version", "updated_at"], batch_size=500
    )
    through = AnnualEntry.departments.through
    for chunk in _chunks(entry_unlinks):
        through.objects.filter(pk__in=chunk).delete()
    through.objects.bulk_create(through(annualentry_id=e.pk, organisation_id=d.pk) for e, d in entry_links)
    AuditEntry.objects.bulk_create(
        record
        for instance, action, before, after, project in history
        if (
            record := audit_entry_build(
                user=by,
                instance=instance,
                action=action,
                before=before,
                after=after() if callable(after) else after,
                project=project,
            )
        )
    )
    if progress:
        progress(len(todo), len(todo))


@contextmanager
def _gc_paused():
    """Python's cycle collector would scan the hundreds of thousands of objects _apply_bulk keeps
    until its writes (instances, history snapshots) over and over as they pile up: half of a 10,000-row
    apply. None of them is garbage before the end, so it is paused meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _links(through, column, objects) -> dict:
    """{object pk: [(organisation pk, link pk), …]} of the department links of OBJECTS."""
    links = defaultdict(list)
    for chunk in _chunks(objects):
        for pk, owner_pk, org_pk in through.objects.filter(**{f"{column}__in": chunk}).values_list(
            "pk", column, "organisation_id"
        ):
            links[owner_pk].append((org_pk, pk))
    return links


def _prime_departments(instance, orgs) -> None:
    """Let snapshot() read INSTANCE's departments from memory, as they are after this row, not query them."""
    cached = Organisation.objects.all()
    cached._result_cache = list(orgs)
    cached._prefetch_done = True
    instance._prefetched_objects_cache = {"departments": cached}


def _later(function, *args):
    return lambda: function(*args)


def _clean(instance, keys, **kwargs) -> None:
    """full_clean without the queries: foreign keys are checked for all rows by _check_foreign_keys,
    the project code's uniqueness by _check_unique_codes; the database's own constraints guard the rest
    (the plan has already checked what they say: years in order, no negative amount)."""
    instance.full_clean(exclude=keys, validate_unique=False, validate_constraints=False)


def _entry_errors(values, departments) -> dict:
    """entry_create's and entry_update's checks of one entry's values, without the database."""
    errors = plan_errors(
        model=AnnualEntry,
        category=values["category"],
        planned_investment=values["planned_investment"],
        planned_start_month=values["planned_start_month"],
        planned_completion_month=values["planned_completion_month"],
    )
    errors.update(
        monthly_plan_errors(
            monthly_plan=values["monthly_plan"], planned_investment=values["planned_investment"]
        )
    )
    errors.update(department_errors(departments))
    if values["completed_before_year"] is not None and values["completed_before_year"] < 0:
        errors["completed_before_year"] = _("截至上年底累计完成投资不能为负数。")
    return errors


def _check_foreign_keys(model, instances, keys) -> None:
    """ForeignKey.validate (the row exists and is within limit_choices_to), one query a key for all."""
    for key in keys:
        field = model._meta.get_field(key)
        ids = {getattr(i, field.attname) for i in instances} - {None}
        found = set()
        for chunk in _chunks(ids):
            found.update(
                field.remote_field.model._base_manager.filter(pk__in=chunk)
                .complex_filter(field.get_limit_choices_to())
                .values_list("pk", flat=True)
            )
        for value in sorted(ids - found):
            raise ValidationError(
                {
                    key: ValidationError(
                        field.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": field.remote_field.model._meta.verbose_name,
                            "pk": value,
                            "field": field.remote_field.field_name,
                            "value": value,
                        },
                    )
                }
            )


def _check_unique_codes(projects) -> None:
    codes = {p.code: p for p in projects if p.code}
    for chunk in _chunks(codes):
        for code, pk in Project.objects.filter(code__in=chunk).values_list("code", "pk"):
            if pk != codes[code].pk:
                raise ValidationError({"code": [codes[code].unique_error_message(Project, ("code",))]})


# --------------------------------------------------------------------------------------------------
# One call each for the command line and the jobs
# --------------------------------------------------------------------------------------------------


def preview(path, *, name: str, year: int, progress=None) -> Plan:
    """Parse, validate and plan the file: what an import would do, without writing anything."""
    parsed = parse_file(path, name=name, year=year, progress=_half(progress, 0))
    return build_plan(parsed, year=year, progress=_half(progress, 1))


def run_import(path, *, name: str, year: int, by, batch=BATCH_NEW, progress=None) -> tuple[Plan, dict]:
    """Parse the file, then plan and apply it in one transaction: all rows or none. The plan is made
    again inside the transaction, so a preview that the database has since overtaken cannot be
    applied as it was. Raises ImportRefused or ApplyRejected (nothing written)."""
    parsed = parse_file(path, name=name, year=year)
    with transaction.atomic():
        plan = build_plan(parsed, year=year)
        if not plan.ok:
            raise ApplyRejected(plan)
        result = apply_plan(plan, by=by, batch=batch, progress=progress)
    return plan, result


def _half(progress, which):
    if progress is None:
        return None

    def report(done, total):
        total = max(total, 1)
        progress(which * total + done, 2 * total)

    return report


# --------------------------------------------------------------------------------------------------
# The blank template: exactly the layout parse_file expects, with one example row and a notes row
# --------------------------------------------------------------------------------------------------

# (header, width, sub-headers under it or None); "{year}" is the list's year.
TEMPLATE_COLUMNS = [
    ("序号", 6, None),
    ("项目名称", 34, None),
    ("项目代码", 26, None),
    ("建设单位", 30, None),
    ("所在城区", 14, None),
    ("建设地点", 22, None),
    ("行业领域", 12, None),
    ("项目类别", 12, None),
    ("建设内容及规模", 40, None),
    ("建设起止年限", 13, None),
    ("总投资（万元）", 14, None),
    ("截至上年底累计完成投资（万元）", 16, None),
    ("{year}年计划", None, (("计划投资（万元）", 14), ("形象进度目标", 36))),
    ("计划开工时间", 13, None),
    ("计划竣工时间", 13, None),
    ("责任单位", 24, None),
    ("联系市领导", 12, None),
    ("联系人", 10, None),
    ("联系电话", 15, None),
    ("备注", 20, None),
]


def template_workbook(year: int) -> bytes:
    """The blank list for YEAR: title, unit row, the two-row merged header, an example row and notes;
    a second sheet 选项 lists the names the system knows (districts, sectors, departments, leaders)
    and feeds the drop-downs. The importer picks the sheet with the header and ignores 选项."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    districts = list(
        Organisation.objects.filter(kind=Organisation.Kind.DISTRICT, is_active=True).values_list(
            "name", flat=True
        )
    )
    departments = list(
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True).values_list(
            "name", flat=True
        )
    )
    sectors = list(Sector.objects.values_list("name", flat=True))
    leaders = [
        u.full_name or u.username
        for u in User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("id")
    ]
    categories = [str(c.label) for c in Category]

    wb = Workbook()
    ws = wb.active
    ws.title = _("重点项目计划表")
    thin = Side(style="thin")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    flat = []  # (top label, sub label or None, width)
    for label, width, subs in TEMPLATE_COLUMNS:
        label = _(label).replace("{year}", str(year))
        if subs:
            flat.extend((label, _(sub), w) for sub, w in subs)
        else:
            flat.append((label, None, width))
    last = get_column_letter(len(flat))
    ws["A1"] = _("%(year)s年重点项目计划表") % {"year": year}
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws[f"{last}2"] = _("单位：万元")
    ws[f"{last}2"].alignment = Alignment(horizontal="right")
    c = 1
    while c <= len(flat):
        top, sub, _width = flat[c - 1]
        letter = get_column_letter(c)
        ws[f"{letter}3"] = top
        if sub is None:
            ws.merge_cells(f"{letter}3:{letter}4")
            c += 1
            continue
        span = sum(1 for t, s, _w in flat if t == top and s is not None)
        ws.merge_cells(f"{letter}3:{get_column_letter(c + span - 1)}3")
        for k in range(span):
            ws[f"{get_column_letter(c + k)}4"] = flat[c - 1 + k][1]
        c += span
    for row in ws.iter_rows(min_row=3, max_row=4, max_col=len(flat)):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = centre
            cell.border = border
            cell.fill = head_fill
    for index, (_t, _s, width) in enumerate(flat, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    example = {
        "序号": 1,
        "项目名称": _("（示例）南宁市某某产业园项目"),
        "项目代码": "2611-450103-04-01-123456",
        "建设单位": _("南宁某某投资有限公司"),
        "所在城区": districts[0] if districts else "",
        "建设地点": (districts[0] if districts else "") + _("某某路以东"),
        "行业领域": sectors[0] if sectors else "",
        "项目类别": str(Category.NEW_START.label),
        "建设内容及规模": _("建设标准厂房 10 万平方米及配套设施"),
        "建设起止年限": f"{year}-{year + 2}",
        "总投资（万元）": 50000,
        "截至上年底累计完成投资（万元）": 0,
        "计划投资（万元）": 12000,
        "形象进度目标": _("完成主体结构施工"),
        "计划开工时间": _("%(year)s年3月") % {"year": year},
        "计划竣工时间": "",
        "责任单位": departments[0] if departments else "",
        "联系市领导": leaders[0] if leaders else "",
        "联系人": _("张三"),
        "联系电话": "0771-1234567",
        "备注": "",
    }
    for index, (top, sub, _w) in enumerate(flat, start=1):
        value = example.get(sub or top, "")
        cell = ws.cell(row=5, column=index, value=value if value != "" else None)
        cell.font = Font(color="808080", italic=True)
        cell.border = border
    notes = _(
        "注：1. 请删除第 5 行示例后逐行填写，一行一个项目；也可用分组行（如“一、新开工项目（60项）”"
        "“（一）产业项目（11项）”）代替“项目类别”“行业领域”两列。2. 项目类别：新开工、续建、竣工投产、预备。"
        "3. 所在城区、行业领域、责任单位、联系市领导须与系统中的名称一致，见“选项”工作表；责任单位可填多个，"
        "用顿号分隔。4. 金额单位为万元（可保留 4 位小数）；建设起止年限写作 %(year)s-%(end)s；"
        "计划开工（竣工）时间写作 %(year)s年3月。"
        "5. 已在系统中的项目按项目代码匹配，无代码时按项目名称+建设单位匹配。"
    ) % {"year": year, "end": year + 2}
    ws["A6"] = notes
    ws.merge_cells(f"A6:{last}6")
    ws["A6"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[6].height = 64
    ws.freeze_panes = "C5"

    options = wb.create_sheet(_("选项"))
    lists = [
        (_("所在城区"), districts, "所在城区"),
        (_("行业领域"), sectors, "行业领域"),
        (_("项目类别"), categories, "项目类别"),
        (_("责任单位"), departments, None),
        (_("联系市领导"), leaders, "联系市领导"),
    ]
    for index, (title, values, column) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=title).font = Font(bold=True)
        for r, value in enumerate(values, start=2):
            options.cell(row=r, column=index, value=value)
        options.column_dimensions[letter].width = 24
        if column and values:
            target = next(i for i, (t, s, _w) in enumerate(flat, start=1) if (s or t) == column)
            rule = DataValidation(
                type="list",
                formula1=f"'{options.title}'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=True,
            )
            rule.error = _("请从列表中选择系统中已有的名称。")
            rule.showErrorMessage = False  # a warning in the list, not a block: the importer checks anyway
            ws.add_data_validation(rule)
            rule.add(f"{get_column_letter(target)}5:{get_column_letter(target)}2000")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

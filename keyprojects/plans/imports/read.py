"""read: the cells of a workbook, as plain Python values (str, int, float, bool, date, datetime).

python-calamine reads .xlsx and .xls, in a child process under a memory limit (read_child.py): a
hostile file kills only the child. For .xlsx, openpyxl's streaming reader takes over when calamine
fails. Each sheet's first rows are peeked at for the header; then the chosen sheet's rows stream by.
"""

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from keyprojects.plans.imports.check import SAVE_AS, max_rows, too_many_rows
from keyprojects.plans.imports.rejections import ImportRefused

logger = logging.getLogger(__name__)

MAX_COLS = 100  # columns read; an annual list has fewer than 40
PEEK_ROWS = 40  # rows of each sheet searched for the header
CHILD = Path(__file__).with_name("read_child.py")


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
    """python-calamine in a child process under an address-space limit (see read_child.py)."""

    def __init__(self, path):
        self.path = str(path)
        self._stderr = tempfile.TemporaryFile()
        memory = getattr(settings, "KP_IMPORT_READER_MAX_MEMORY", 2 * 1024 * 1024 * 1024)
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        args = [sys.executable, str(CHILD), self.path, str(MAX_COLS), str(max_rows()), str(PEEK_ROWS)]
        self.proc = subprocess.Popen(
            [*args, str(memory)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env
        )
        timeout = getattr(settings, "KP_IMPORT_READER_TIMEOUT", 300)
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
            # No max_row: a row far below the cap must reach capped() and refuse the file, not vanish.
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


def capped(rows, sheet):
    """ROWS as they come, refusing the file at the first one past max_rows()."""
    cap = max_rows()
    for n, item in enumerate(rows):
        if n >= cap:
            raise ImportRefused(too_many_rows(sheet, n + 1, cap, at_least=True), sheet=sheet)
        yield item

"""Reads a spreadsheet with python-calamine in a child process and streams its cells as JSON lines.

Run by keyprojects.plans.imports.read, never imported by Django code. calamine is fast, but it trusts the
sizes a file declares: a 2 KB .xlsx claiming a cell at XFD1048576, or a shared-string table of four
billion entries, makes it ask for hundreds of gigabytes and abort the whole process (not an exception
Python could catch). So it runs here, under an address-space limit, and a hostile file kills only this
child; the importer then refuses the file or falls back to openpyxl's streaming reader.

    python read_child.py PATH MAX_COLS MAX_ROWS PEEK_ROWS MAX_MEMORY_BYTES

stdout, one JSON value a line:
    {"sheets": [name, …]}
    {"peek": name, "start": [row0, col0], "rows": [[…], …], "merged": [[r1, c1, r2, c2], …]}  (each sheet)
then it reads a sheet name on stdin and writes
    {"sheet": name, "start": [row0, col0], "height": n, "merged": […]}
    [cell, …]   one line per row, from row0 (0-based) down, cells from column 0
    {"end": rows_written}
Cells: null, str, int, float, bool, {"d": "YYYY-MM-DD"} or {"dt": "YYYY-MM-DDTHH:MM:SS"}.
"""

import datetime as dt
import json
import sys

MAX_MERGED = 20_000  # merged ranges reported per sheet; more is not a list someone typed


def _limit_memory(max_bytes):
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    except (ImportError, ValueError, OSError):  # not on this platform: run unlimited
        pass


def _cell(value):
    if value == "" or value is None:
        return None
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


def _row(values, col0, max_cols):
    cells = [None] * col0 + [_cell(v) for v in values[: max(0, max_cols - col0)]]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _merged(sheet, max_cols):
    ranges = []
    for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])[:MAX_MERGED]:
        if c1 < max_cols:
            ranges.append([r1, c1, r2, min(c2, max_cols - 1)])
    return ranges


def _write(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    sys.stdout.write("\n")


def main(argv):
    path, max_cols, max_rows, peek_rows, max_memory = argv[1], *map(int, argv[2:6])
    _limit_memory(max_memory)
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    names = list(workbook.sheet_names)
    _write({"sheets": names})
    sheets = {}
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception as exc:  # a chart sheet, a macro sheet: reported, not fatal
            _write({"peek": name, "error": str(exc)[:200]})
            continue
        sheets[name] = sheet
        start = sheet.start or (0, 0)
        rows = []
        for values in sheet.iter_rows():
            rows.append(_row(values, start[1], max_cols))
            if len(rows) >= peek_rows:
                break
        _write({"peek": name, "start": list(start), "rows": rows, "merged": _merged(sheet, max_cols)})
    sys.stdout.flush()

    chosen = sys.stdin.readline().strip()
    if not chosen or chosen not in sheets:
        return 0
    sheet = sheets[chosen]
    start = sheet.start or (0, 0)
    _write(
        {"sheet": chosen, "start": list(start), "height": sheet.height, "merged": _merged(sheet, max_cols)}
    )
    written = 0
    for values in sheet.iter_rows():
        if written > max_rows:  # one past the cap tells the importer the sheet is too long
            break
        _write(_row(values, start[1], max_cols))
        written += 1
    _write({"end": written})
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

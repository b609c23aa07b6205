#!/usr/bin/env python
"""Benchmark: importing a 10,000-project annual list, against pandas and a bare calamine read.

Run on demand (`.venv/bin/python bench/import_list.py`); it is not part of the test suite. Like
bench/project_list.py it builds its own throw-away database — a temporary SQLite file by default, or the
PostgreSQL database named by --database-url (its name must contain 'bench'; created, then dropped) —
migrates it and loads a small demo city for the reference data (districts, sectors, departments,
leaders, owners, projects). Then it writes a list the way offices publish it (title, unit row, two-row
merged header, 合计 row, sections by category and sector with counts, notes) and times, interleaved
(bench/_harness.py: the order rotating each round, --repeat rounds after a warm-up, ratios paired by
round, median and min–max):

  calamine    python-calamine opening the file and reading the sheet to Python lists: the floor;
  pandas      pandas.read_excel of the same sheet + DataFrame.to_sql into the same database (COPY on
              PostgreSQL, where to_sql would need SQLAlchemy, which the project does not install);
  dry run     keyprojects.plans.imports.plan.preview: check, read, parse, validate, plan (no writes);
  apply       imports.apply.run_import: the same, then every owner, project, entry and its history
              written in one transaction, rolled back after each round so every round starts alike;

each round checks that every side saw the same project rows (a row with a name and an owner: what
calamine and pandas read, the rows the dry run plans and the apply creates). Then, once, the apply
committed and the same file imported a second time (everything unchanged, nothing written), and, in a
subprocess, the peak memory of parsing and planning a --memory-rows list (tracemalloc peak of Python
objects, the process's maximum RSS, and the reader child's). bench/import_memory.py measures the
memory of a whole apply.
"""

import argparse
import io
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Row, emit, interleave, paired, same  # noqa: E402
from project_list import cpu_model, drop_database, prepare_database  # noqa: E402

YEAR = 2030  # not one of the demo's lists


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as in bench/project_list.py; default a temporary SQLite file")
    parser.add_argument("--rows", type=int, default=10_000, help="projects in the timed list (default 10000)")
    parser.add_argument(
        "--memory-rows", type=int, default=100_000, help="projects in the list whose parse memory is measured"
    )
    parser.add_argument("--demo-projects", type=int, default=2000, help="demo city size (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default and at least 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--existing", type=float, default=0.3, help="share of rows naming demo projects")
    parser.add_argument("--profile", action="store_true", help="cProfile the dry run and the apply")
    parser.add_argument("--keep", action="store_true", help="keep the database and the generated files")
    parser.add_argument("--memory-child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.reuse = False
    args.debug = False
    return args


# --------------------------------------------------------------------------------------------------
# The list, written part by part (openpyxl's normal mode would need a gigabyte for 100,000 rows)
# --------------------------------------------------------------------------------------------------

CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="重点项目计划表" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
HEADER = [
    "序号",
    "项目名称",
    "项目代码",
    "建设单位",
    "建设地点",
    "建设性质",
    "建设内容及规模",
    "建设起止年限",
    "总投资（亿元）",
    "截至上年底累计完成投资",
    f"{YEAR}年计划",
    None,
    "计划开工时间",
    "计划竣工时间",
    "责任单位",
    "联系市领导",
    "联系人",
    "联系电话",
    "备注",
]
SUB = {10: "计划投资（万元）", 11: "主要建设内容"}
CATEGORIES = [("新开工", 0.25), ("续建", 0.45), ("竣工投产", 0.15), ("预备", 0.15)]
CN = "一二三四五六七八九十"


def col(i):
    return chr(65 + i)


class SheetWriter:
    """Rows to sheet XML with shared strings; merged ranges at the end, as Excel writes them."""

    def __init__(self):
        self.strings = {}
        self.parts = []
        self.merges = []
        self.row = 0

    def s(self, text):
        return self.strings.setdefault(text, len(self.strings))

    def put(self, values):
        self.row += 1
        r = self.row
        cells = []
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            ref = f"{col(i)}{r}"
            if isinstance(v, int | float):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{self.s(str(v))}</v></c>')
        self.parts.append(f'<row r="{r}">{"".join(cells)}</row>')
        return r

    def merge(self, ref):
        self.merges.append(ref)

    def save(self, path):
        sheet = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="A1:S{self.row}"/><sheetData>{"".join(self.parts)}</sheetData>'
            f'<mergeCells count="{len(self.merges)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges)
            + "</mergeCells></worksheet>"
        )
        sst = io.StringIO()
        sst.write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(self.strings)}" uniqueCount="{len(self.strings)}">'
        )
        for text in self.strings:
            sst.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>')
        sst.write("</sst>")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", CT)
            z.writestr("_rels/.rels", RELS)
            z.writestr("xl/workbook.xml", WORKBOOK)
            z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            z.writestr("xl/worksheets/sheet1.xml", sheet)
            z.writestr("xl/sharedStrings.xml", sst.getvalue())


def reference_data():
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.projects.models import Project, Sector

    Kind = Organisation.Kind
    return {
        "districts": list(Organisation.objects.filter(kind=Kind.DISTRICT).values_list("name", flat=True)),
        "departments": list(Organisation.objects.filter(kind=Kind.DEPARTMENT).values_list("name", flat=True)),
        "owners": list(Organisation.objects.filter(kind=Kind.OWNER).values_list("name", flat=True)),
        "sectors": list(Sector.objects.values_list("name", flat=True)),
        "leaders": [u.full_name for u in User.objects.filter(role=User.Role.LEADER)],
        "projects": list(
            Project.objects.values_list(
                "name", "code", "owner__name", "district__name", "sector__name", "total_investment"
            )
        ),
    }


def write_list(path, rows, ref, *, existing_share, seed=2030):
    """ROWS projects grouped by category then sector; EXISTING_SHARE of them the demo's own projects
    (matched by code or by name and owner), the rest new, a tenth of those with new owners."""
    rng = random.Random(seed)
    existing = list(ref["projects"])
    rng.shuffle(existing)
    existing = existing[: int(rows * existing_share)]
    sheet = SheetWriter()
    sheet.put([f"南宁市{YEAR}年重点项目计划表"])
    sheet.merge("A1:S1")
    sheet.put([None] * 18 + ["单位：万元"])
    sheet.put(HEADER)
    sheet.put([SUB.get(i) for i in range(19)])
    for i in range(19):
        if i not in SUB:
            sheet.merge(f"{col(i)}3:{col(i)}4")
    sheet.merge("K3:L3")
    sheet.put([None, "合计"])
    plan = []
    for category, share in CATEGORIES:
        for sector in ref["sectors"]:
            plan.append((category, sector, max(1, round(rows * share / len(ref["sectors"])))))
    while sum(n for *_x, n in plan) > rows:
        i = max(range(len(plan)), key=lambda k: plan[k][2])
        plan[i] = (*plan[i][:2], plan[i][2] - 1)
    while sum(n for *_x, n in plan) < rows:
        plan[0] = (*plan[0][:2], plan[0][2] + 1)
    by_sector = {}
    for p in existing:
        by_sector.setdefault(p[4], []).append(p)
    new_owners = [f"南宁市第{n}号建设投资有限公司" for n in range(max(1, rows // 50))]
    number = 0
    current = None
    for category, sector, count in plan:
        if category != current:
            total = sum(n for c, _s, n in plan if c == category)
            level = CN[[c for c, _s in CATEGORIES].index(category)]
            sheet.merge(f"A{sheet.put([f'{level}、{category}项目（{total}项）'])}:D{sheet.row}")
            current, sub = category, 0
        sub += 1
        sheet.merge(f"A{sheet.put([f'（{CN[sub - 1]}）{sector}项目（{count}项）'])}:D{sheet.row}")
        pool = by_sector.get(sector, [])
        for _i in range(count):
            number += 1
            if pool and rng.random() < existing_share * 1.2:
                name, code, owner, district, _s, total_yuan = pool.pop()
                total = f"{total_yuan / 100_000_000:.4f}".rstrip("0").rstrip(".")
                total_wan = total_yuan // 10_000
                location = f"南宁市{district}"
            else:
                name = f"{rng.choice(ref['districts'])}{sector}重点项目{number:06d}号"
                # Region 459999 exists nowhere, so no demo project shares the code.
                code = f"{(YEAR - 2000) - 1:02d}{rng.randint(1, 12):02d}-459999-04-01-{number:06d}"
                owner = rng.choice(new_owners) if rng.random() < 0.1 else rng.choice(ref["owners"])
                district = rng.choice(ref["districts"])
                location = f"{district}{rng.choice(['东', '西', '南', '北'])}片区"
                total = str(rng.randint(5, 500) / 10)  # 0.5–50 亿元
                total_wan = int(float(total) * 10_000)
            # A plan within what is left of the total (entry_rules refuses more).
            done_before = rng.randint(0, min(50_000, total_wan // 2)) if category != "新开工" else None
            room = total_wan - (done_before or 0)
            planned = min(rng.randint(500, 200_000), room * 10) / 10 if category != "预备" else "—"
            start = f"{YEAR}年{rng.randint(1, 12)}月" if category == "新开工" else None
            done = f"{YEAR}年{rng.randint(1, 12)}月" if category == "竣工投产" else None
            years = f"{YEAR - 1}-{YEAR + 2}" if category != "竣工投产" else f"{YEAR - 2}—{YEAR}年"
            sheet.put(
                [
                    number,
                    name,
                    code,
                    owner,
                    location,
                    "新建",
                    "建设内容" + "、".join(rng.sample(["厂房", "道路", "管网", "绿化", "设备"], 3)),
                    years,
                    total,
                    f"{done_before:,}" if done_before is not None else "—",
                    f"{planned:,}" if isinstance(planned, float) else planned,
                    "完成年度目标",
                    start,
                    done,
                    "、".join(rng.sample(ref["departments"], rng.choice([1, 1, 2]))),
                    rng.choice(ref["leaders"]) if rng.random() < 0.3 else None,
                    "张工",
                    "0771-1234567",
                    None,
                ]
            )
    sheet.merge(
        f"A{sheet.put(['注：1.总投资单位为亿元，其余金额单位为万元；2.项目排序不分先后。'])}:S{sheet.row}"
    )
    sheet.save(path)
    return number


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def project_rows(rows):
    """The rows with a project name (column B) and an owner (column D), as the sides count them."""
    return sum(1 for r in rows if len(r) > 3 and r[1] not in ("", None) and r[3] not in ("", None))


def bare_calamine(path):
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    return project_rows(rows[4:])


def pandas_to_sql(path, connection):
    """read_excel of the sheet below its two-row header, then into a table of the same database."""
    import pandas as pd

    # openpyxl: pandas' default engine for .xlsx today (named, so pandas does not warn of a change).
    frame = pd.read_excel(path, sheet_name=0, header=None, skiprows=4, dtype=object, engine="openpyxl")
    frame.columns = [f"c{i}" for i in range(len(frame.columns))]
    projects = int((frame["c1"].notna() & frame["c3"].notna()).sum())
    frame = frame.astype(str)
    table = "bench_pandas_import"
    if connection.vendor == "sqlite":
        import sqlite3

        raw = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            frame.to_sql(table, raw, if_exists="replace", index=False, chunksize=2000)
            raw.execute(f"DROP TABLE {table}")
            raw.commit()
        finally:
            raw.close()
    else:  # PostgreSQL: to_sql needs SQLAlchemy; COPY is the fastest honest equivalent
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in frame.columns)})")
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row(row)
            cursor.execute(f"DROP TABLE {table}")
    return projects


def memory_child(path):
    """In a fresh process: parse and plan PATH, report peaks (used by --memory-child)."""
    import tracemalloc

    import django

    django.setup()
    from keyprojects.plans.imports.plan import preview

    # First untraced, for the time and the process's real peak (tracemalloc slows allocation several
    # times and keeps a traceback per block); then again under tracemalloc for the Python objects.
    start = time.perf_counter()
    plan = preview(path, name=Path(path).name, year=YEAR)
    elapsed = time.perf_counter() - start
    summary = plan.summary()  # what a job stores for the preview page
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows, rejected = len(plan.parsed.rows), len(plan.rejections)
    del plan, summary
    tracemalloc.start()
    plan = preview(path, name=Path(path).name, year=YEAR)
    plan.summary()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{rows} {rejected} {elapsed:.3f} {peak} {own} {child}")


def main():
    args = parse_args()
    if args.memory_child:
        sys.path.insert(0, str(ROOT))
        memory_child(args.memory_child)
        return
    url, tmp = prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from keyprojects.orgs.models import User
    from keyprojects.plans.imports.apply import run_import
    from keyprojects.plans.imports.plan import preview
    from keyprojects.projects.demo import load_projects_demo

    files = Path(tempfile.mkdtemp(prefix="kp-bench-import-"))
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter()
        # The projects part of the demo city only: the list is matched against projects and owners.
        # The rest (a year of reports, tasks, warnings) took load_demo 23 s here and no import reads it.
        with transaction.atomic():
            load_projects_demo(seed=2026, projects=args.demo_projects, today=timezone.localdate())
        loaded = time.perf_counter()
        ref = reference_data()
        path = files / f"list-{args.rows}.xlsx"
        written, rows = timed(lambda: write_list(path, args.rows, ref, existing_share=args.existing))
        print(
            f"setup     migrate {migrated - start:.1f} s · "
            f"load_projects_demo(projects={args.demo_projects:,}) {loaded - migrated:.1f} s · "
            f"wrote {rows:,} projects in {written:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)"
        )
        describe(connection)
        staff = User.objects.get(username="staff")

        def apply():
            with transaction.atomic():
                _plan, result = run_import(path, name=path.name, year=YEAR, by=staff)
                transaction.set_rollback(True)
            return result["created"]

        sides = {
            "calamine": lambda: bare_calamine(path),
            "pandas": lambda: pandas_to_sql(path, connection),
            "dry run": lambda: len(preview(path, name=path.name, year=YEAR).rows),
            "apply": apply,
        }
        plan = preview(path, name=path.name, year=YEAR)
        assert plan.ok, [r.as_dict() for r in plan.rejections[:5]]
        counts = plan.counts()
        print(
            f"list      {rows:,} rows: {counts['create']:,} to create ({counts['new_projects']:,} new "
            f"projects, {counts['new_owners']:,} new owners), {len(plan.parsed.sections)} sections"
        )
        del plan

        def check(results):
            same(results)
            assert results["apply"] == rows, results

        samples = interleave(sides, repeat=args.repeat, warmup=args.warmup, check=check)
        print()
        header = f"{'case':<44} {'median s':>9} {'min–max s':>13} {'× calamine':>11} {'× pandas':>9}"
        print(header)
        print("-" * len(header))
        labels = {
            "calamine": "bare python-calamine read (to_python)",
            "pandas": "pandas.read_excel + to_sql" + (" (COPY)" if connection.vendor != "sqlite" else ""),
            "dry run": "import dry run: check, read, parse, plan",
            "apply": "import apply: all of it, written",
        }
        for key, label in labels.items():
            times = samples[key]
            by_floor = statistics.median(paired(times, samples["calamine"]))
            by_pandas = statistics.median(paired(times, samples["pandas"]))
            print(
                f"{label:<44} {statistics.median(times):9.2f} {min(times):6.2f}–{max(times):<6.2f} "
                f"{by_floor:10.1f}× {by_pandas:8.2f}×"
            )
        print(
            f"(median of {len(samples['apply'])} interleaved rounds after {args.warmup} warm-up; "
            "ratios paired by round)\n"
        )
        emit(
            Row(
                figure=f"import apply, {rows:,}-row list ÷ pandas read_excel + to_sql",
                goal="≤ 2×",
                limit=2.0,
                ratios=paired(samples["apply"], samples["pandas"]),
                detail=f"apply {statistics.median(samples['apply']):.2f} s",
            )
        )
        emit(
            Row(
                figure=f"import apply, {rows:,}-row list ÷ bare python-calamine read",
                goal="≤ 10×",
                limit=10.0,
                ratios=paired(samples["apply"], samples["calamine"]),
            )
        )
        emit(
            Row(
                figure=f"import dry run, {rows:,}-row list ÷ pandas read_excel + to_sql",
                goal="—",
                limit=None,
                ratios=paired(samples["dry run"], samples["pandas"]),
            )
        )

        profiler = None
        if args.profile:
            import cProfile

            with cProfile.Profile() as preview_profile:
                preview(path, name=path.name, year=YEAR)
            print("=== cProfile: dry run, by cumulative time ===")
            pstats.Stats(preview_profile).sort_stats("cumulative").print_stats(30)
            profiler = cProfile.Profile()
            profiler.enable()
        elapsed, (_plan, result) = timed(lambda: run_import(path, name=path.name, year=YEAR, by=staff))
        if profiler:
            profiler.disable()
            print("\n=== cProfile: apply, by internal time ===")
            pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(30)
            print("=== cProfile: apply, by cumulative time ===")
            pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(40)
        assert result["created"] == rows, result
        again, (_plan, repeat) = timed(lambda: run_import(path, name=path.name, year=YEAR, by=staff))
        assert repeat["created"] == repeat["updated"] == 0 and repeat["unchanged"] == rows, repeat
        print(
            f"apply, committed (one run) {elapsed:.2f} s; the same file again, all unchanged: {again:.2f} s"
        )

        if args.memory_rows:
            big = files / f"list-{args.memory_rows}.xlsx"
            write_list(big, args.memory_rows, ref, existing_share=args.existing)
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(big)],
                capture_output=True,
                text=True,
                env={**os.environ},
                check=True,
            ).stdout.split()
            parsed, rejected, seconds, peak, own, child = out[-6:]
            size = big.stat().st_size / 1e6
            print(
                f"\nmemory    {int(parsed):,}-row list ({size:.1f} MB), parse + plan in a fresh process: "
                f"{float(seconds):.1f} s; Python objects peak {int(peak) / 1e6:.0f} MB (tracemalloc); "
                f"max RSS {int(own) / 1024:.0f} MB; reader child max RSS {int(child) / 1024:.0f} MB"
                + (f"; {int(rejected)} rejections" if int(rejected) else "")
            )
    finally:
        drop_database(url, tmp, args.keep)
        if args.keep:
            print(f"\nfiles kept in {files}; database {url}")
        else:
            import shutil

            shutil.rmtree(files, ignore_errors=True)


def describe(connection):
    import platform

    import django

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"postgresql {cursor.fetchone()[0]}"
    else:
        import sqlite3

        db = f"sqlite {sqlite3.sqlite_version}"
    print(f"machine   {platform.node()} · {cpu_model()} · {os.cpu_count()} CPUs · {platform.platform()}")
    print(f"python    {platform.python_version()} · Django {django.get_version()} · {db}")
    if hasattr(os, "getloadavg"):
        print(f"load avg  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

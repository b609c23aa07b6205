#!/usr/bin/env python
"""Benchmark: the peak memory and wall time of applying a 100,000-project annual list.

Run on demand (`.venv/bin/python bench/import_memory.py`); it is not part of the test suite. It builds a
throw-away database as bench/import_list.py does (a temporary SQLite file by default, or --database-url),
migrates it, loads a small demo city for the reference data, writes a list in the published shape with
import_list.py's generator, then applies it in a fresh process with imports.apply.run_import — what
`manage.py import_annual_list FILE --year YYYY` runs: check, read (python-calamine in its reader child),
parse, plan, and every owner, project, entry and history entry written in one transaction, committed.

It prints the wall time and the peak resident memory of the importing process (VmHWM, its peak since it
started; ru_maxrss where /proc lacks it) and of its reader child (ru_maxrss of RUSAGE_CHILDREN), and
their sum, against the goal of 500 MB for both together. The reader is started from the importer when
it begins reading, so its figure is at least what the importer held then: the sum is an upper bound.

    .venv/bin/python bench/import_memory.py                      # 100,000 rows, SQLite
    .venv/bin/python bench/import_memory.py --rows 10000         # quick look (and what make bench runs)
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Row, emit  # noqa: E402
from import_list import YEAR, describe, reference_data, write_list  # noqa: E402
from project_list import drop_database, prepare_database  # noqa: E402

GOAL_MB = 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as in bench/project_list.py; default a temporary SQLite file")
    small = os.environ.get("KP_BENCH_SIZE") == "small"  # make bench: within its time per bench
    parser.add_argument(
        "--rows",
        type=int,
        default=10_000 if small else 100_000,
        help="projects in the list (default 100000; 10000 under make bench)",
    )
    parser.add_argument(
        "--demo-projects", type=int, default=300 if small else 1000, help="demo city size (default 1000)"
    )
    parser.add_argument("--existing", type=float, default=0.3, help="share of rows naming demo projects")
    parser.add_argument("--keep", action="store_true", help="keep the database and the generated file")
    parser.add_argument("--apply-child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.reuse = False
    args.debug = False
    return args


def _peak_since_exec():
    """This process's peak RSS in MB since it started (VmHWM), or None where /proc has no such line.
    ru_maxrss of a process spawned from a large one also counts the parent's pages it shared for an
    instant before exec: this bench's parent has just written a 100,000-row list."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def apply_child(path):
    """In a fresh process: import PATH, committed; print one JSON line of figures."""
    import django

    django.setup()
    from keyprojects.orgs.models import User
    from keyprojects.plans.imports.apply import run_import

    staff = User.objects.get(username="staff")
    done = []
    start = time.perf_counter()
    _plan, result = run_import(
        path, name=Path(path).name, year=YEAR, by=staff, progress=lambda n, total: done.append((n, total))
    )
    seconds = time.perf_counter() - start
    own = _peak_since_exec() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(
        json.dumps(
            {"seconds": seconds, "own_mb": own, "reader_mb": reader, "result": result, "progress": len(done)}
        )
    )


def main():
    args = parse_args()
    if args.apply_child:
        sys.path.insert(0, str(ROOT))
        apply_child(args.apply_child)
        return
    url, tmp = prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from keyprojects.demo.loader import load_demo
    from keyprojects.plans.models import AnnualEntry

    files = Path(tempfile.mkdtemp(prefix="kp-bench-memory-"))
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        load_demo(projects=args.demo_projects)
        loaded = time.perf_counter()
        path = files / f"list-{args.rows}.xlsx"
        rows = write_list(path, args.rows, reference_data(), existing_share=args.existing)
        print(
            f"setup     migrate + load_demo(projects={args.demo_projects:,}) {loaded - start:.1f} s · "
            f"wrote {rows:,} projects in {time.perf_counter() - loaded:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)"
        )
        describe(connection)
        connections.close_all()  # the child writes; nothing here holds a connection meanwhile
        out = subprocess.run(
            [sys.executable, __file__, "--apply-child", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ},
        )
        if out.returncode:
            sys.exit(f"the import failed:\n{out.stderr[-3000:]}")
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        result = figures["result"]
        written = AnnualEntry.objects.filter(annual_list__year=YEAR).count()
        assert result["created"] == rows == written, (result, rows, written)
        own, reader = figures["own_mb"], figures["reader_mb"]
        total = own + reader
        print(
            f"apply     {rows:,} rows in {figures['seconds']:.1f} s ({result['new_projects']:,} new "
            f"projects, {result['new_owners']:,} new owners; {figures['progress']} progress calls)\n"
            f"memory    peak RSS: importer {own:,} MB + reader child {reader:,} MB = {total:,} MB "
            f"(goal < {GOAL_MB} MB: {'ok' if total < GOAL_MB else 'MISSED'})"
        )
        emit(
            Row(
                figure=f"import memory, {rows:,}-row list (MB ÷ {GOAL_MB} MB)",
                goal="< 1× (500 MB)",
                limit=1.0,
                ratios=[total / GOAL_MB],
                detail=f"{total:,} MB peak RSS, importer + reader; {figures['seconds']:.0f} s wall",
            )
        )
    finally:
        drop_database(url, tmp, args.keep)
        if args.keep:
            print(f"\nfile kept in {files}; database {url}")
        else:
            import shutil

            shutil.rmtree(files, ignore_errors=True)


if __name__ == "__main__":
    main()

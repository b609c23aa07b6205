#!/usr/bin/env python
"""Run every benchmark in bench/ at a size that finishes in minutes and print ONE summary table:
figure, goal, ratio (median, min–max of the paired rounds), verdict.

`make bench` runs this. Each bench runs in its own process (each builds its own throw-away database
before django.setup()); the runner passes the options in SIZES, or none with KP_BENCH_SIZE=small for a
bench it does not know, and collects the `BENCH-ROW {json}` lines the bench prints (bench/_harness.py).
A bench that fails, times out or prints no row shows as an error row with the end of its output; the
others still run. Every bench's full output goes to the log directory printed at the end.

    .venv/bin/python bench/run_all.py                       # all, SQLite
    .venv/bin/python bench/run_all.py project_list problems # some
    .venv/bin/python bench/run_all.py --database-url postgres://postgres@127.0.0.1:5432/kp_bench_all
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import PREFIX, Row  # noqa: E402

# The options meant to keep the whole run under ten minutes on an idle 2-core machine (9.2 min
# measured; 11.8 min on a day when the same machines ran CI's suites 12-26% slower):
# the project list and the problem ledger at the full sizes (20,000 projects, 50,000 problems),
# the others at a quarter to a half of theirs (the benches' defaults). Benches not listed run with no
# options and KP_BENCH_SIZE=small.
SIZES = {
    "project_list": ["--projects", "20000", "--repeat", "7", "--warmup", "1"],
    "problems": [
        "--projects",
        "20000",
        "--problems",
        "50000",
        "--repeat",
        "7",
        "--warmup",
        "1",
        "--job-repeat",
        "5",
        "--job-warmup",
        "1",
    ],
    "warning_centre": ["--projects", "5000", "--repeat", "5", "--page-repeat", "3"],
    "cockpit": ["--projects", "10000", "--repeat", "7", "--warmup", "1"],
    "completion": ["--projects", "10000", "--repeat", "7", "--warmup", "1", "--table-repeat", "0"],
    "tasks": ["--projects", "1000", "--repeat", "7", "--warmup", "1"],
    "land_ledger": ["--tasks", "1000", "--repeat", "7", "--warmup", "1"],
    "assessment": ["--projects", "1000", "--repeat", "5", "--warmup", "1"],
    "open_data": ["--projects", "500", "--repeat", "5", "--search-repeat", "7", "--warmup", "1"],
    "outbox": ["--messages", "200", "--repeat", "5"],
    "api_throughput": ["--projects", "1000", "--seconds", "2.5"],
    "import_empty": ["--rows", "500", "--owners", "50", "--repeat", "5"],
    "import_list": ["--rows", "5000", "--memory-rows", "5000", "--repeat", "5"],
}
SKIP = {"run_all"}
TIMEOUT = 180  # seconds per bench


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="bench names (file names without .py); default: all")
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME_PREFIX: each bench gets NAME_PREFIX_<bench> (created, dropped)",
    )
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help=f"seconds per bench (default {TIMEOUT})")
    parser.add_argument("--log-dir", help="where each bench's output goes (default: a temporary directory)")
    return parser.parse_args()


def benches(only):
    names = sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_") and p.stem not in SKIP)
    if only:
        unknown = set(only) - set(names)
        if unknown:
            sys.exit(f"no such bench: {', '.join(sorted(unknown))}")
        names = [n for n in names if n in only]
    return names


def database_option(url, name):
    if not url:
        return []
    parts = urlsplit(url)
    return ["--database-url", urlunsplit(parts[:2] + (f"{parts.path}_{name}",) + parts[3:])]


ROOT = HERE.parent


def migrate_template(args, log_dir) -> dict:
    """Migrate one database the benches start from (a copy of it each), instead of each migrating its
    own: on a busy machine migrate alone takes a minute or more. Returns the environment to pass on."""
    env = {**os.environ, "DEBUG": "false", "KEYPROJECTS_DATA_DIR": log_dir}
    env.pop("KEYPROJECTS_ENV", None)
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        name = f"{parts.path.lstrip('/')}_template"
        admin = urlunsplit(("postgresql",) + parts[1:2] + ("/postgres",) + parts[3:])
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        env["DATABASE_URL"] = urlunsplit(parts[:2] + (f"/{name}",) + parts[3:])
        passed = {"KP_BENCH_PG_TEMPLATE": name}
    else:
        path = Path(log_dir) / "template-bench.sqlite3"
        path.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
        passed = {"KP_BENCH_SQLITE_TEMPLATE": str(path)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity=0"], env=env, check=True, cwd=ROOT
    )
    if not args.database_url:  # one file, no -wal beside it, so a plain copy is the whole database
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
    print(f"--- template database migrated in {time.perf_counter() - start:.0f} s", flush=True)
    return passed


def drop_template(args, passed):
    if "KP_BENCH_PG_TEMPLATE" in passed:
        import psycopg

        parts = urlsplit(args.database_url)
        admin = urlunsplit(("postgresql",) + parts[1:2] + ("/postgres",) + parts[3:])
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{passed["KP_BENCH_PG_TEMPLATE"]}"')


def run_one(name, args, log_dir, passed) -> tuple[list[Row], float]:
    command = [
        sys.executable,
        str(HERE / f"{name}.py"),
        *SIZES.get(name, []),
        *database_option(args.database_url, name),
    ]
    env = {**os.environ, **passed, "KP_BENCH_SIZE": "small", "PYTHONUNBUFFERED": "1"}
    log = Path(log_dir) / f"{name}.log"
    start = time.perf_counter()
    print(f"--- {name}: {' '.join(command[1:])}", flush=True)
    try:
        with log.open("w") as out:
            proc = subprocess.run(
                command, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=args.timeout
            )
        code = proc.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    elapsed = time.perf_counter() - start
    text = log.read_text(errors="replace")
    rows = []
    for line in text.splitlines():
        if line.startswith(PREFIX):
            try:
                rows.append(Row.from_json(line[len(PREFIX) :]))
            except (ValueError, TypeError) as error:
                rows.append(Row(name, "—", None, error=f"unreadable row: {error}"))
    if code != 0 or not rows:
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith(PREFIX)]
        why = f"exit {code}" if code != 0 else "no BENCH-ROW printed"
        rows.append(Row(f"{name}", "—", None, error=f"{why}: {lines[-1][:150] if lines else ''}"))
    for row in rows:
        print(f"    {row.figure}: {row.ratio_text()} {row.verdict}{'  ' + row.error if row.error else ''}")
    print(f"    ({elapsed:.0f} s, log {log})", flush=True)
    return rows, elapsed


def table(results) -> str:
    head = ("bench", "figure", "goal", "ratio median (min–max, n)", "verdict")
    lines = []
    for name, rows, _elapsed in results:
        for row in rows:
            verdict = row.verdict if not row.error else f"error: {row.error}"
            lines.append((name, row.figure, row.goal, row.ratio_text(), verdict))
    widths = [
        max(len(head[i]), *(len(line[i]) for line in lines)) if lines else len(head[i]) for i in range(4)
    ]
    out = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)) + " | " + head[4]]
    out.append("-|-".join("-" * w for w in widths) + "-|-" + "-" * 7)
    for line in lines:
        out.append(" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)) + " | " + line[4])
    return "\n".join(out)


def main():
    args = parse_args()
    log_dir = args.log_dir or tempfile.mkdtemp(prefix="kp-bench-logs-")
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results = []
    names = benches(args.only)
    passed = migrate_template(args, log_dir)
    try:
        for name in names:
            rows, elapsed = run_one(name, args, log_dir, passed)
            results.append((name, rows, elapsed))
    finally:
        drop_template(args, passed)
    total = time.perf_counter() - start
    print("\n" + table(results))
    print(
        f"\n{total / 60:.1f} min for {len(results)} benches; ratio = the code under test ÷ its baseline, per "
        f"interleaved round; logs in {log_dir}"
    )
    missed = sum(1 for _n, rows, _e in results for r in rows if r.verdict in ("MISSED", "error"))
    print(f"{missed} figure(s) missed or failed" if missed else "every judged figure within its goal")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark: a new office's first list — a 10,000-project list imported into an empty database.

Run on demand (`.venv/bin/python bench/import_empty.py`); it is not part of the test suite. It builds
its own throw-away database like bench/project_list.py (a temporary SQLite file, or --database-url), runs
the migrations and `setup_office` — nothing else: no district, department, owner or leader — and writes
a list the way offices publish it (bench/import_list.py's writer: title, 单位：万元, two-row merged
header, 合计 row, sections by category and sector with counts) whose rows name ~300 owners, ~40
departments by their official short names (市发展改革委, 市住建局 …), ~10 districts and a few city
leaders, all of them unknown to the system. Then it times, interleaved in one run (the order rotates
each round, so a busy machine slows them alike):

  calamine    python-calamine opening the file and reading the sheet to Python lists: the baseline;
  dry run     the preview (imports.plan.preview + summary(), what the upload page stores): every
              unknown name listed with its closest existing ones, nothing written;
  import      `manage.py import_annual_list FILE --year Y --create-missing` through call_command: every
              unknown name created, then every owner, project, entry and its history written; inside an
              outer transaction rolled back after each run, so each run starts from the empty database.

Each import run is checked: all rows imported, every name created once.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import MIN_REPEAT, Row, emit, paired  # noqa: E402
from import_list import CATEGORIES, CN, HEADER, SUB, SheetWriter, bare_calamine, col, describe, timed  # noqa: E402
from project_list import drop_database, prepare_database  # noqa: E402

YEAR = 2030
DEPARTMENTS = [  # official short names, as lists print them
    "市发展改革委", "市住建局", "市自然资源局", "市生态环境局", "市交通运输局", "市水利局", "市农业农村局",
    "市商务局", "市工业和信息化局", "市科技局", "市教育局", "市卫生健康委", "市文化广电旅游局", "市体育局",
    "市民政局", "市财政局", "市人力资源社会保障局", "市城管局", "市应急管理局", "市市场监管局", "市国资委",
    "市投资促进局", "市大数据发展局", "市林业局", "市园林局", "市公安局", "市司法局", "市审计局", "市统计局",
    "市医保局", "市退役军人事务局", "市行政审批局", "市住房保障局", "市水务局", "市能源局",
    "市粮食和物资储备局", "市气象局", "市消防救援支队", "市邮政管理局", "市口岸办",
]  # fmt: skip
DISTRICTS = [
    "兴宁区",
    "青秀区",
    "江南区",
    "西乡塘区",
    "良庆区",
    "邕宁区",
    "武鸣区",
    "马山县",
    "宾阳县",
    "上林县",
]
LEADERS = ["韦建平", "李明华", "黄志刚", "陈晓燕", "莫国强", "覃海涛"]
TRADES = ["城市建设", "交通投资", "产业投资", "水务", "能源", "文旅", "教育发展", "医疗", "物流", "电子信息"]
FORMS = ["投资集团有限公司", "发展有限公司", "建设投资有限公司", "控股有限公司", "科技有限公司"]
OWNER_PLACES = ["南宁市", "南宁", "广西", *[d[:2] for d in DISTRICTS]]
OTHER_PLACES = ["邕江", "五象", "东盟", "北部湾", "中新", "相思湖", "凤岭", "那考河", "心圩", "金凯"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as in bench/project_list.py; default a temporary SQLite file")
    parser.add_argument("--rows", type=int, default=10_000, help="projects in the list (default 10000)")
    parser.add_argument("--owners", type=int, default=300, help="distinct owners the rows name (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds after a warm-up (default 3)")
    parser.add_argument("--profile", action="store_true", help="cProfile the dry run and the import")
    parser.add_argument("--keep", action="store_true", help="keep the database and the generated file")
    args = parser.parse_args()
    args.reuse = False
    args.debug = False
    return args


def owner_names(n, rng, places):
    names = set()
    while len(names) < n:
        names.add(f"{rng.choice(places)}{rng.choice(TRADES)}{rng.choice(FORMS)}")
        if len(names) < n and rng.random() < 0.2:  # a few numbered ones, as big groups' subsidiaries are
            names.add(f"{places[0]}第{len(names)}{rng.choice(TRADES)}{rng.choice(FORMS)}")
    return sorted(names)


def write_list(path, rows, sectors, *, owners, places=OWNER_PLACES, tag="", region=459999, seed=2030):
    """ROWS new projects grouped by category then sector, their names all unknown to an empty system.
    TAG and REGION (of the codes) tell a second list's projects from the first's."""
    rng = random.Random(seed)
    owners = owner_names(owners, rng, places)
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
    plan = [(c, s, max(1, round(rows * share / len(sectors)))) for c, share in CATEGORIES for s in sectors]
    plan[0] = (*plan[0][:2], plan[0][2] + rows - sum(n for *_x, n in plan))
    number, current, used = 0, None, {"owners": set(), "departments": set(), "districts": set()}
    for category, sector, count in plan:
        if category != current:
            total = sum(n for c, _s, n in plan if c == category)
            level = CN[[c for c, _s in CATEGORIES].index(category)]
            sheet.merge(f"A{sheet.put([f'{level}、{category}项目（{total}项）'])}:D{sheet.row}")
            current, sub = category, 0
        sub += 1
        sheet.merge(f"A{sheet.put([f'（{CN[sub - 1]}）{sector}项目（{count}项）'])}:D{sheet.row}")
        for _i in range(count):
            number += 1
            district = DISTRICTS[number % len(DISTRICTS)]
            owner = owners[number % len(owners)]
            departments = rng.sample(DEPARTMENTS, rng.choice([1, 1, 2]))
            if number <= len(DEPARTMENTS):  # every department named at least once
                departments = [DEPARTMENTS[number - 1]]
            used["owners"].add(owner)
            used["departments"].update(departments)
            used["districts"].add(district)
            total_wan = rng.randint(5, 500) * 1000  # 0.5–50 亿元
            done_before = rng.randint(0, min(50_000, total_wan // 2)) if category != "新开工" else None
            room = total_wan - (done_before or 0)
            planned = min(rng.randint(500, 200_000), room * 10) / 10 if category != "预备" else "—"
            sheet.put(
                [
                    number,
                    f"{district}{sector}重点项目{tag}{number:06d}号",
                    f"{(YEAR - 2000) - 1:02d}{rng.randint(1, 12):02d}-{region}-04-01-{number:06d}",
                    owner,
                    district,  # 建设地点 as most lists write it; 青秀区东片区 would be asked as a district
                    "新建",
                    "建设内容" + "、".join(rng.sample(["厂房", "道路", "管网", "绿化", "设备"], 3)),
                    f"{YEAR - 1}-{YEAR + 2}" if category != "竣工投产" else f"{YEAR - 2}—{YEAR}年",
                    f"{total_wan / 10_000:g}",
                    f"{done_before:,}" if done_before is not None else "—",
                    f"{planned:,}" if isinstance(planned, float) else planned,
                    "完成年度目标",
                    f"{YEAR}年{rng.randint(1, 12)}月" if category == "新开工" else None,
                    f"{YEAR}年{rng.randint(1, 12)}月" if category == "竣工投产" else None,
                    "、".join(departments),
                    LEADERS[number // 3 % len(LEADERS)] if number % 3 == 0 else None,
                    "张工",
                    "0771-1234567",
                    None,
                ]
            )
    sheet.merge(
        f"A{sheet.put(['注：1.总投资单位为亿元，其余金额单位为万元；2.项目排序不分先后。'])}:S{sheet.row}"
    )
    sheet.save(path)
    return number, {k: len(v) for k, v in used.items()}


def interleaved(cases, repeat):
    """Seconds of each case: a warm-up each, then REPEAT rounds, the order rotating each round."""
    for fn in cases.values():  # imports, caches, the page cache of the file
        fn()
    results = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(max(repeat, MIN_REPEAT)):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            results[name].append(cases[name]())
    return results


def report(results, labels):
    floor = statistics.median(results["calamine"])
    header = f"{'case':<58} {'seconds':>8} {'min–max':>13} {'× calamine':>11}"
    print(header)
    print("-" * len(header))
    for key, label in labels.items():
        seconds = statistics.median(results[key])
        spread = f"{min(results[key]):.2f}–{max(results[key]):.2f}"
        print(f"{label:<58} {seconds:8.2f} {spread:>13} {seconds / floor:10.1f}×")


def profile(title, fn):
    import cProfile
    import pstats

    with cProfile.Profile() as profiler:
        fn()
    for order in ("cumulative", "tottime"):
        print(f"\n=== cProfile: {title}, top 15 by {order} ===")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(15)


def main():
    args = parse_args()
    url, tmp = prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from keyprojects.orgs.models import Organisation, User
    from keyprojects.plans.imports.plan import preview
    from keyprojects.plans.models import AnnualEntry
    from keyprojects.projects.models import Sector

    Kind = Organisation.Kind
    files = Path(tempfile.mkdtemp(prefix="kp-bench-empty-"))
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter()
        call_command("setup_office", "--password=bench-admin-2030", "--no-input", stdout=StringIO())
        set_up = time.perf_counter()
        assert not Organisation.objects.exclude(kind=Kind.OFFICE).exists()
        sectors = list(Sector.objects.order_by("sort").values_list("name", flat=True))
        path = files / f"list-{args.rows}.xlsx"
        written, (rows, used) = timed(lambda: write_list(path, args.rows, sectors, owners=args.owners))
        print(
            f"setup     migrate {migrated - start:.1f} s · setup_office {set_up - migrated:.2f} s · wrote "
            f"{rows:,} projects in {written:.1f} s ({path.stat().st_size / 1e6:.1f} MB): "
            f"{used['owners']} owners, {used['departments']} departments, {used['districts']} districts, "
            f"{len(LEADERS)} leaders, {len(sectors)} sectors (the seeded ones), all but the sectors unknown"
        )
        describe(connection)

        def dry_run():
            plan = preview(path, name=path.name, year=YEAR)
            plan.summary()
            return plan

        def import_rolled_back():
            out, err = StringIO(), StringIO()
            leaders_before = User.objects.filter(role=User.Role.LEADER).count()
            with transaction.atomic():
                seconds, _none = timed(
                    lambda: call_command(
                        "import_annual_list",
                        str(path),
                        f"--year={YEAR}",
                        "--create-missing",
                        stdout=out,
                        stderr=err,
                    )
                )
                made = {
                    kind: Organisation.objects.filter(kind=kind).count()
                    for kind in (Kind.OWNER, Kind.DEPARTMENT, Kind.DISTRICT)
                }
                assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == rows, err.getvalue()[
                    -2000:
                ]
                assert made == {
                    Kind.OWNER: used["owners"],
                    Kind.DEPARTMENT: used["departments"],
                    Kind.DISTRICT: used["districts"],
                }, made
                assert User.objects.filter(role=User.Role.LEADER).count() == leaders_before + len(LEADERS)
                transaction.set_rollback(True)
            return seconds

        plan = dry_run()
        assert not plan.rejections, [r.as_dict() for r in plan.rejections[:5]]
        unknown = {}
        for u in plan.unknown_names():
            unknown[u.kind] = unknown.get(u.kind, 0) + 1
        print(f"list      {plan.counts()['rows']:,} rows; unknown names {unknown}\n")

        cases = {
            "calamine": lambda: timed(lambda: bare_calamine(path))[0],
            "dry run": lambda: timed(dry_run)[0],
            "import": import_rolled_back,
        }
        results = interleaved(cases, args.repeat)
        report(
            results,
            {
                "calamine": "bare python-calamine read (to_python)",
                "dry run": "dry run: preview + summary (names asked, nothing written)",
                "import": "import_annual_list --create-missing (empty database)",
            },
        )
        imported = statistics.median(results["import"])
        print(
            f"(median of {args.repeat} interleaved rounds after a warm-up; "
            f"{rows / imported:,.0f} rows/s imported)"
        )
        for key, what in (("import", "import --create-missing"), ("dry run", "dry run")):
            emit(
                Row(
                    f"first list, {rows:,} rows, {what} / bare calamine read",
                    "—",
                    None,
                    paired(results[key], results["calamine"]),
                )
            )
        if args.profile:
            profile("dry run, empty database", cases["dry run"])
            profile("import, empty database", cases["import"])

        # Once the list is in, a second one whose owners are all new meets 300 known ones: each unknown
        # owner is compared with every known one for its closest matches.
        call_command("import_annual_list", str(path), f"--year={YEAR}", "--create-missing", stdout=StringIO())
        second = files / f"list-{args.rows}-second.xlsx"
        write_list(
            second, rows, sectors, owners=args.owners, places=OTHER_PLACES, tag="二", region=459998, seed=7
        )

        def second_dry_run():
            plan = preview(second, name=second.name, year=YEAR)
            plan.summary()
            return plan

        plan = second_dry_run()
        assert not plan.rejections, [r.as_dict() for r in plan.rejections[:5]]
        owners_known = Organisation.objects.filter(kind=Kind.OWNER).count()
        asked = sum(1 for u in plan.unknown_names() if u.kind == "owner")
        print(
            f"\nsecond    the same shape, {asked} owners unknown against {owners_known} known "
            f"(the database now holds the first list)"
        )
        cases = {
            "calamine": lambda: timed(lambda: bare_calamine(second))[0],
            "dry run": lambda: timed(second_dry_run)[0],
        }
        results = interleaved(cases, args.repeat)
        report(
            results,
            {
                "calamine": "bare python-calamine read (to_python)",
                "dry run": "dry run: preview + summary, owners asked",
            },
        )
        if args.profile:
            profile("dry run, second list", cases["dry run"])
    finally:
        drop_database(url, tmp, args.keep)
        if args.keep:
            print(f"\nfile kept in {files}; database {url}")
        else:
            import shutil

            shutil.rmtree(files, ignore_errors=True)


if __name__ == "__main__":
    main()

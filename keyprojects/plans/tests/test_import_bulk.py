"""A large import is written in bulk (plans.imports.bulk): exactly the records the services write
row by row, with a number of queries that does not grow with the rows."""

import sys

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import Organisation
from keyprojects.plans.imports.apply import apply_plan, run_import
from keyprojects.plans.imports.plan import build_plan
from keyprojects.plans.imports.rows import parse_file
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch
from keyprojects.plans.tests.import_support import FILES, GOOD, WAN, YEAR, import_world
from keyprojects.projects.models import Project, StageChange

SERVICES, BULK = 10**9, 0  # KP_IMPORT_BULK_ROWS: never bulk, always bulk


@pytest.fixture
def world(cast):
    return import_world(cast)


def dump():
    """Every record an import writes, with the keys of new records replaced by names (the two runs
    give them different ids on PostgreSQL, whose sequences do not roll back)."""
    orgs = dict(Organisation.objects.values_list("pk", "name"))
    projects = dict(Project.objects.values_list("pk", "name"))
    entries = {e.pk: projects[e.project_id] for e in AnnualEntry.objects.all()}
    batches = dict(Batch.objects.values_list("pk", "name"))
    lists = dict(AnnualList.objects.values_list("pk", "year"))
    objects = {
        "projects.Project": projects,
        "plans.AnnualEntry": entries,
        "orgs.Organisation": orgs,
        "plans.Batch": batches,
        "plans.AnnualList": lists,
    }
    skip = {"id", "created_at", "updated_at", "at"}

    def rows(queryset, **keys):
        out = []
        for values in queryset.order_by("pk").values():
            for name, names in keys.items():
                values[name] = names.get(values[name], values[name])
            out.append({k: v for k, v in values.items() if k not in skip})
        return out

    project_rows = rows(Project.objects, owner_id=orgs, district_id=orgs)
    for row, project in zip(project_rows, Project.objects.order_by("pk"), strict=True):
        row["departments"] = sorted(d.name for d in project.departments.all())
    entry_rows = rows(AnnualEntry.objects, project_id=projects, batch_id=batches, annual_list_id=lists)
    for row, entry in zip(entry_rows, AnnualEntry.objects.order_by("pk"), strict=True):
        row["departments"] = sorted(d.name for d in entry.departments.all())
    audit = []
    for values in AuditEntry.objects.order_by("pk").values():
        values["object_id"] = objects.get(values["model"], {}).get(
            int(values["object_id"]), values["object_id"]
        )
        values["project_id"] = projects.get(values["project_id"])
        audit.append({k: v for k, v in values.items() if k not in skip})
    return {
        "organisations": rows(Organisation.objects),
        "projects": project_rows,
        "stage_changes": rows(StageChange.objects, project_id=projects),
        "entries": entry_rows,
        "audit": audit,
    }


def both_ways(settings, run):
    """RUN through the services, then in bulk, each rolled back: (result, records) of each."""
    outcomes = []
    for bulk_rows in (SERVICES, BULK):
        settings.KP_IMPORT_BULK_ROWS = bulk_rows
        with transaction.atomic():
            result = run()
            outcomes.append((result, dump()))
            transaction.set_rollback(True)
    return outcomes


def run(world, name):
    path = GOOD / name
    return lambda: run_import(path, name=path.name, year=YEAR, by=world.staff)[1]


@pytest.mark.parametrize("name", ["messy_sections.xlsx", "messy_units.xlsx", "messy_department_first.xlsx"])
def test_it_writes_in_bulk_exactly_what_the_services_write(world, settings, name):
    services, bulk = both_ways(settings, run(world, name))
    assert bulk[0] == services[0]
    for part in services[1]:
        assert bulk[1][part] == services[1][part], part
    assert len(services[1]["audit"]) > len(services[1]["entries"])


def test_it_updates_in_bulk_exactly_as_the_services_do(world, settings):
    settings.KP_IMPORT_BULK_ROWS = SERVICES
    run(world, "messy_sections.xlsx")()
    # Entries and projects changed since: the plan, a goal, a filled field emptied, the departments.
    entry_b = AnnualEntry.objects.get(annual_list__year=YEAR, project=world.project_b)
    AnnualEntry.objects.filter(pk=entry_b.pk).update(planned_investment=4000 * WAN, goal="旧目标")
    entry_b.departments.set([world.department])
    Project.objects.filter(pk=world.project_b.pk).update(location="", contact="王工")
    world.project_b.departments.clear()
    for entry in AnnualEntry.objects.filter(annual_list__year=YEAR).exclude(pk=entry_b.pk)[:3]:
        AnnualEntry.objects.filter(pk=entry.pk).update(note="旧备注", leader=None)
        entry.departments.clear()

    services, bulk = both_ways(settings, run(world, "messy_sections.xlsx"))
    assert services[0]["updated"] >= 2
    assert bulk[0] == services[0]
    for part in services[1]:
        assert bulk[1][part] == services[1][part], part


def test_it_applies_a_long_list_with_the_queries_of_a_short_one(world, settings, tmp_path):
    sys.path.insert(0, str(FILES))
    try:
        from make_files import SIMPLE_ROW, simple, write_xlsx
    finally:
        sys.path.remove(str(FILES))
    settings.KP_IMPORT_BULK_ROWS = BULK
    queries = {}
    for n in (20, 200):
        rows = [[i, f"南宁市示范产业园{i}号", None, *SIMPLE_ROW[3:]] for i in range(2, n + 1)]
        path = tmp_path / f"list-{n}.xlsx"
        write_xlsx(
            path, simple(sections=(f"一、新开工项目（{n}项）", f"（一）产业项目（{n}项）"), extra_rows=rows)
        )
        parsed = parse_file(path, name=path.name, year=YEAR)
        with transaction.atomic():
            plan = build_plan(parsed, year=YEAR)
            assert plan.ok and len(plan.rows) == n
            with CaptureQueriesContext(connection) as captured:
                result = apply_plan(plan, by=world.staff)
            transaction.set_rollback(True)
        assert result["created"] == result["new_projects"] == n
        queries[n] = len(captured)
    # A few dozen queries, whatever the length; only SQLite's 999 parameters a statement split the bulk
    # inserts, every forty rows or so.
    assert queries[20] < 60 and queries[200] - queries[20] <= (200 - 20) // 10, queries


def test_it_writes_in_chunks_exactly_what_it_writes_at_once(world, settings):
    """Rows are written a chunk at a time (each chunk's records let go before the next): the records,
    their history and its order are those of one chunk, and progress is told after each chunk."""
    settings.KP_IMPORT_BULK_ROWS = BULK
    outcomes = []
    for chunk in (10**9, 2):
        settings.KP_IMPORT_CHUNK_ROWS = chunk
        told = []

        def progress(done, total, told=told):
            told.append((done, total))

        with transaction.atomic():
            path = GOOD / "messy_sections.xlsx"
            _plan, result = run_import(path, name=path.name, year=YEAR, by=world.staff, progress=progress)
            outcomes.append((result, dump(), told))
            transaction.set_rollback(True)
    (result, records, told), (chunked, chunked_records, chunked_told) = outcomes
    assert chunked == result and result["created"] > 2
    for part in records:
        assert chunked_records[part] == records[part], part
    total = result["created"] + result["updated"]
    assert told == [(total, total)]
    assert chunked_told == [(min(n, total), total) for n in range(2, total + 2, 2)]

"""Shared pieces of the import tests: the reference data the test files name, and counters that prove
a refused import wrote nothing."""

from pathlib import Path

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import Organisation
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch
from keyprojects.projects.models import Project, Sector, StageChange

FILES = Path(__file__).resolve().parent / "files"
GOOD = FILES / "good"
BAD = FILES / "bad"
YEAR = 2027
WAN = 10_000
YI = 100_000_000


def import_world(cast):
    """What tests/files/make_files.py assumes beside the shared cast: four sectors, 市发改委 as a short
    name, and a leader whose name a real list would print."""
    for sort, name in enumerate(("产业", "社会民生", "生态环保"), start=2):
        Sector.objects.get_or_create(name=name, defaults={"sort": sort})
    cast.department.short_name = "市发改委"
    cast.department.save(update_fields=["short_name"])
    cast.leader.full_name = "韦建平"
    cast.leader.save(update_fields=["full_name"])
    return cast


def counts():
    """Rows of everything an import may write."""
    return {
        model.__name__: model.objects.count()
        for model in (Project, AnnualEntry, AnnualList, Batch, Organisation, AuditEntry, StageChange)
    }

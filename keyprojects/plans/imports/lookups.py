"""What the rows of a file refer to, read with a handful of queries for the whole file (part of the plan
stage): organisations by name (owners, departments, districts), sectors, leaders, the projects the rows
may mean (by code, or by name under their owner), and their entries on the year's list."""

from collections import defaultdict

from keyprojects.lib.text import normalise_name
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.imports.rows import SECTION_SUFFIX
from keyprojects.plans.models import AnnualEntry, AnnualList
from keyprojects.projects.models import Project, Sector

# The entry fields an import sets, as plan rows hold them (leader by id).
ENTRY_FIELDS = (
    "category",
    "planned_investment",
    "completed_before_year",
    "goal",
    "planned_start_month",
    "planned_completion_month",
    "completion_month_assumed",
    "leader_id",
    "note",
)
PROJECT_FIELDS = (
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
    "start_year",
    "end_year",
    "version",
)


def chunks(items, size=2000):
    """ITEMS in lists of SIZE: an IN (…) of a whole file's keys stays within the database's limits."""
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Lookups:
    """Everything the rows refer to, read with a handful of queries for the whole file."""

    def __init__(self, parsed, year: int):
        self._read_organisations()
        self._read_sectors_and_leaders()
        self._read_projects(parsed.rows)
        self._read_entries(year)

    def _read_organisations(self):
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

    def _read_sectors_and_leaders(self):
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

    def _read_projects(self, rows):
        self.by_code = {}
        codes = {r.code for r in rows if r.code}
        for chunk in chunks(codes):
            for p in Project.objects.filter(code__in=chunk).values(*PROJECT_FIELDS):
                self.by_code[p["code"]] = p
        self.by_name = defaultdict(list)
        owner_ids = {self.owners[r.owner_key] for r in rows if r.owner_key in self.owners}
        for chunk in chunks(owner_ids):
            for p in Project.objects.filter(owner_id__in=chunk).values(*PROJECT_FIELDS):
                self.by_name[(normalise_name(p["name"]), p["owner_id"])].append(p)
        self.project_ids = {p["id"] for p in self.by_code.values()} | {
            p["id"] for ps in self.by_name.values() for p in ps
        }
        self.project_departments = defaultdict(set)
        for chunk in chunks(self.project_ids):
            for pid, oid in Project.departments.through.objects.filter(project_id__in=chunk).values_list(
                "project_id", "organisation_id"
            ):
                self.project_departments[pid].add(oid)

    def _read_entries(self, year):
        self.annual_list = AnnualList.objects.filter(year=year).first()
        self.entries = {}
        self.entry_departments = defaultdict(list)
        if self.annual_list is None:
            return
        entry_fields = (
            "id",
            "project_id",
            "batch_id",
            "batch__status",
            "batch__name",
            "version",
            *ENTRY_FIELDS,
        )
        for chunk in chunks(self.project_ids):
            for e in AnnualEntry.objects.filter(annual_list=self.annual_list, project_id__in=chunk).values(
                *entry_fields
            ):
                self.entries[e["project_id"]] = e
        entry_ids = [e["id"] for e in self.entries.values()]
        for chunk in chunks(entry_ids):
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

"""What the rows of a file refer to, read with a handful of queries for the whole file (part of the plan
stage): organisations by name (owners, departments, districts: orgs.names, with their aliases), sectors
(by name or synonym), leaders, the projects the rows may mean (by code, or by name under their owner),
and their entries on the year's list.

A name is used only when it matches one organisation exactly, by an alias, or by its normalised key
(市发展改革委 is 市发展和改革委员会); anything else is an unknown name for the office to map or create
(names.py), with the closest existing organisations as suggestions."""

from collections import defaultdict
from dataclasses import replace

from keyprojects.lib.text import normalise_name
from keyprojects.orgs.models import Organisation, User
from keyprojects.orgs.names import Candidate, NameIndex, organisation_index
from keyprojects.orgs.services import leader_name_split
from keyprojects.plans.models import AnnualEntry, AnnualList
from keyprojects.projects.models import Project, Sector
from keyprojects.projects.selectors import sector_id_for, sector_index, sector_key

Kind = Organisation.Kind
# The kinds of name an import may not know, in the order the preview shows them.
NAME_KINDS = ("district", "department", "owner", "sector", "leader")

# The entry fields an import sets, as plan rows hold them (leader by id).
ENTRY_FIELDS = (
    "category",
    "planned_investment",
    "completed_before_year",
    "goal",
    "planned_start_month",
    "planned_completion_month",
    "completion_month_assumed",
    "start_month_assumed",
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


def leader_key(name) -> str:
    """A leader as a list writes them, without the title in brackets: 张三（副市长） is 张三."""
    return leader_name_split(name or "")[0]


def chunks(items, size=2000):
    """ITEMS in lists of SIZE: an IN (…) of a whole file's keys stays within the database's limits."""
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Lookups:
    """Everything the rows refer to, read with a handful of queries for the whole file."""

    def __init__(self, parsed, year: int, resolved: dict | None = None):
        # {(kind, key): id} the office chose for names the system did not know (names.py).
        self.resolved = resolved or {}
        self._matches = {}
        self._read_organisations()
        self._read_sectors_and_leaders()
        self._read_projects(parsed.rows)
        self._read_entries(year)

    def _read_organisations(self):
        self.orgs_by_key = {}  # every organisation by its written name: an owner named as a department …
        for org in Organisation.objects.values("id", "kind", "name", "short_name"):
            for key in {normalise_name(org["name"]), normalise_name(org["short_name"])} - {""}:
                self.orgs_by_key.setdefault(key, org)
        # organisation_index's candidates, with the short name an organisation was given (市发改委) as
        # one more of its names: one query for the three kinds.
        candidates = {Kind.DISTRICT: [], Kind.DEPARTMENT: [], Kind.OWNER: []}
        for c in organisation_index().candidates:
            if c.kind in candidates:
                short = (c.value.short_name,) if c.value.short_name else ()
                candidates[c.kind].append(replace(c, aliases=(*c.aliases, *short)))
        self.indexes = {kind: NameIndex(found, kind=kind) for kind, found in candidates.items()}
        self.districts = []  # (text to find inside an address, id, name)
        for c in self.indexes[Kind.DISTRICT].candidates:
            for written in {c.name, *c.aliases}:
                self.districts.append((normalise_name(written), c.value.pk, c.name))
        self.districts.sort(key=lambda d: -len(d[0]))
        self.district_names = {d[1]: d[2] for d in self.districts}
        self.department_names = {c.value.pk: c.name for c in self.indexes[Kind.DEPARTMENT].candidates}

    def _read_sectors_and_leaders(self):
        self.sectors = sector_index()
        sectors = list(Sector.objects.order_by("sort", "name").values("id", "name", "synonyms"))
        self.sector_names = [s["name"] for s in sectors]
        self.indexes["sector"] = NameIndex(
            Candidate(value=s["id"], name=s["name"], aliases=tuple(s["synonyms"] or ())) for s in sectors
        )
        self.leaders = {}
        self.leader_names = {}
        leaders = User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("sort", "full_name")
        for user in leaders.values("id", "full_name", "username"):
            for key in {leader_key(user["full_name"]), normalise_name(user["username"])} - {""}:
                self.leaders.setdefault(key, user["id"])
            self.leader_names[user["id"]] = user["full_name"] or user["username"]
        self.indexes["leader"] = NameIndex(
            Candidate(value=pk, name=name) for pk, name in self.leader_names.items()
        )

    def _read_projects(self, rows):
        self.by_code = {}
        codes = {r.code for r in rows if r.code}
        for chunk in chunks(codes):
            for p in Project.objects.filter(code__in=chunk).values(*PROJECT_FIELDS):
                self.by_code[p["code"]] = p
        self.by_name = defaultdict(list)
        owner_ids = {self.owner_for(r.owner) for r in rows if r.owner_key} - {None}
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
            exact = self.org_for(Kind.DISTRICT, text)
            if exact is not None:
                return exact, []
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
        """The sector TEXT names (a name or synonym), or the one the office chose for it."""
        return self.resolved.get(("sector", sector_key(text or ""))) or sector_id_for(text, self.sectors)

    @staticmethod
    def key(kind, name) -> str:
        """How an unknown name of KIND is told apart from the others (and a choice found again)."""
        if kind == "sector":
            return sector_key(name or "")
        if kind == "leader":
            return leader_key(name)
        return normalise_name(name)

    def leader_for(self, name) -> int | None:
        """The leader NAME means: by name (张三, 张三（副市长）), by a name written inside it (张三副市长), or
        the one the office chose for it; None for an unknown name."""
        key = leader_key(name)
        if not key:
            return None
        if ("leader", key) in self.resolved:
            return self.resolved[("leader", key)]
        found = self.leaders.get(key)
        if found is None:
            written = normalise_name(name)
            found = next((pk for known, pk in self.leaders.items() if known in written), None)
        return found

    def match(self, kind, name):
        """NAME against the organisations (or sectors) of KIND: orgs.names' MatchResult, once a name."""
        key = (kind, self.key(kind, name))
        if key not in self._matches:
            self._matches[key] = self.indexes[kind].match(name)
        return self._matches[key]

    def org_for(self, kind, name) -> int | None:
        """The id of the organisation of KIND that NAME means: by name, alias or key when only one
        answers to it, or the one the office chose; None for an unknown name."""
        key = self.key(kind, name)
        if not key:
            return None
        if (kind, key) in self.resolved:
            return self.resolved[(kind, key)]
        found = self.match(kind, name).found
        return None if found is None else found.pk

    def owner_for(self, name) -> int | None:
        return self.org_for(Kind.OWNER, name)

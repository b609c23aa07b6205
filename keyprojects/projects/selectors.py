"""Reads of the project registry. Every list starts from the scoping gate."""

import re

from django.db.models import Count, QuerySet, Sum

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.cache import cached
from keyprojects.lib.links import pk_link
from keyprojects.lib.money import YUAN_PER_YI, format_wan
from keyprojects.lib.text import normalise_name, search_term
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.access import projects_visible_to
from keyprojects.projects.models import PrelimItem, Project, Sector, Stage

# What a user may sort the list by: the URL value → the ORDER BY.
SORTS = {
    "investment": ["-total_investment", "id"],
    "-investment": ["total_investment", "id"],
    "name": ["name", "id"],
    "start": ["start_year", "id"],
    "updated": ["-updated_at", "id"],
    "code": ["code", "id"],
}


def project_list(*, user, filters: dict | None = None) -> QuerySet[Project]:
    """Projects USER may see, narrowed by FILTERS (cleaned values of ProjectFilterForm), sorted."""
    filters = filters or {}
    projects = projects_visible_to(user)
    for key in ("district", "sector", "leader"):
        if filters.get(key):
            projects = projects.filter(**{key: filters[key]})
    if filters.get("owner"):
        projects = projects.filter(owner__name__contains=normalise_name(filters["owner"]))
    if filters.get("stage"):
        projects = projects.filter(stage=filters["stage"])
    if filters.get("over_yi"):
        projects = projects.filter(total_investment__gte=YUAN_PER_YI)
    if filters.get("top_level"):
        projects = projects.filter(parent__isnull=True)
    if filters.get("q"):
        term = search_term(filters["q"])
        projects = projects.filter(search_text__contains=term)
    return projects.select_related("owner", "district", "sector", "leader").order_by(
        *SORTS.get(filters.get("sort") or "investment")
    )


def owner_names_for(user) -> list[str]:
    """Names of the owners of the projects USER may see, for the owner filter's suggestions: computed
    once per scope until an organisation, sector, user or project changes (projects/apps.py)."""
    return cached(
        FILTER_TOPIC,
        f"owners:{_scope_key(user)}",
        lambda: list(
            projects_visible_to(user).order_by("owner__name").values_list("owner__name", flat=True).distinct()
        ),
    )


# The cache topic of the list's filter choices; bumped by saves and deletes of what they list.
FILTER_TOPIC = "project-filters"


def _scope_key(user) -> str:
    """Which projects_visible_to scope USER has: users of one scope share the cached values."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return "none"
    if user.sees_everything:
        return "all"
    return f"{user.role}:{user.organisation_id}"


def project_filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The districts, sectors and leaders the project filter offers, as (id, label): three queries
    once, then from the cache until one of them changes."""

    def compute():
        from_orgs = Organisation.objects.filter(is_active=True, kind=Organisation.Kind.DISTRICT)
        leaders = User.objects.filter(role=User.Role.LEADER, is_active=True)
        return {
            "district": [(o.pk, str(o)) for o in from_orgs.order_by("sort", "name")],
            "sector": [(s.pk, str(s)) for s in Sector.objects.all()],
            "leader": [(u.pk, str(u)) for u in leaders.order_by("sort", "username")],
        }

    return cached(FILTER_TOPIC, "choices", compute)


# What a row of the list shows, read as values (no model instances) for one page.
ROW_FIELDS = (
    "id",
    "name",
    "code",
    "owner__name",
    "owner__short_name",
    "district__name",
    "district__short_name",
    "sector__name",
    "stage",
    "total_investment",
    "start_year",
    "end_year",
    "leader_id",
    "leader__full_name",
    "leader__username",
)


def project_rows(projects: QuerySet[Project], *, user) -> list[dict]:
    """One page of PROJECTS (a slice of project_list) as the rows the table shows: labels, amounts
    and links prepared here, so the template only prints them."""
    link = pk_link("project_detail")
    stages = {value: str(label) for value, label in Stage.choices}
    rows = []
    for r in projects.values(*ROW_FIELDS):
        start, end = r["start_year"], r["end_year"]
        rows.append(
            {
                "id": r["id"],
                "url": link(r["id"]),
                "name": r["name"],
                "code": r["code"],
                "owner": r["owner__short_name"] or r["owner__name"],
                "district": r["district__short_name"] or r["district__name"],
                "sector": r["sector__name"],
                "stage": stages.get(r["stage"], r["stage"]),
                "investment": format_wan(r["total_investment"]),
                "years": str(start) if start == end else f"{start}—{end}",
                "leader": (r["leader__full_name"] or r["leader__username"]) if r["leader_id"] else "",
                "mine": r["leader_id"] is not None and r["leader_id"] == user.pk,
            }
        )
    return rows


def project_totals(projects: QuerySet[Project]) -> dict:
    return projects.order_by().aggregate(count=Count("id"), total=Sum("total_investment"))


def project_stage_counts(*, user) -> list[dict]:
    """How many projects USER sees in each stage, and their total investment, in lifecycle order."""
    rows = {
        r["stage"]: r
        for r in projects_visible_to(user)
        .order_by()
        .values("stage")
        .annotate(count=Count("id"), total=Sum("total_investment"))
    }
    return [
        {
            "stage": s,
            "label": s.label,
            "count": rows.get(s, {}).get("count", 0),
            "total": rows.get(s, {}).get("total") or 0,
        }
        for s in Stage
    ]


def project_district_counts(*, user) -> list[dict]:
    return list(
        projects_visible_to(user)
        .order_by()
        .values("district__name", "district_id")
        .annotate(count=Count("id"), total=Sum("total_investment"))
        .order_by("-total")
    )


def project_prelim_rows(project: Project) -> list[dict]:
    """All twelve preliminary items in their official order, recorded or not yet."""
    items = {i.kind: i for i in project.prelim_items.all()}
    return [
        {"kind": kind, "label": label, "item": items.get(kind)} for kind, label in PrelimItem.Kind.choices
    ]


def project_history(project: Project) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(project=project).select_related("user")


MAIN_LINE = [Stage.RESERVE, Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING]


def project_lifecycle_steps(project: Project, stage_changes) -> list[dict]:
    """The main lifecycle line with each step done, current or to come; 暂停/终止 appended when current."""
    reached = {c.to_stage for c in stage_changes}
    steps = []
    for stage in MAIN_LINE:
        state = "current" if stage == project.stage else ("done" if stage in reached else "")
        steps.append({"label": stage.label, "state": state})
    if project.stage not in MAIN_LINE:
        steps.append({"label": Stage(project.stage).label, "state": "current"})
    return steps


# What a list may put around a sector's name: 一、/（一） before it, 项目/类/领域 and a count after it
# （（一）产业项目（11项））; compared after normalise_name, so with half-width brackets.
_SECTOR_NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[、.])")
_SECTOR_COUNT = re.compile(r"\(\d+个?项?\)$")
_SECTOR_SUFFIX = re.compile(r"(重点)?(项目)?(清单)?(类)?(项目)?(领域)?$")


def sector_key(text: str) -> str:
    """The form in which sector names and synonyms are compared: normalised (full-width, spaces), without
    numbering, a trailing count or the words 项目/类/领域 — "（一）产业项目（11项）" → "产业"."""
    key = normalise_name(text)
    key = _SECTOR_COUNT.sub("", _SECTOR_NUMBERING.sub("", key))
    return _SECTOR_SUFFIX.sub("", key) or key


def sector_index() -> dict[str, int]:
    """Every sector's name and synonyms, as sector_key compares them, → the sector's id: one query, for a
    whole file. A name wins over another sector's synonym; between synonyms the first sector (in order)."""
    index, synonyms = {}, []
    for sector in Sector.objects.order_by("sort", "name").values("id", "name", "synonyms"):
        index.setdefault(sector_key(sector["name"]), sector["id"])
        synonyms += [(sector_key(s), sector["id"]) for s in sector["synonyms"] or [] if isinstance(s, str)]
    for key, sector_id in synonyms:
        if key:
            index.setdefault(key, sector_id)
    return index


def sector_id_for(text: str, index: dict[str, int]) -> int | None:
    """The id of the sector TEXT names (a name or synonym, in any of its published spellings) in INDEX
    (from sector_index), or None."""
    if not text:
        return None
    return index.get(sector_key(text))


def sector_for_name(text: str) -> Sector | None:
    """The sector TEXT names, or None: for one name; a file reads sector_index() once instead."""
    sector_id = sector_id_for(text, sector_index())
    return Sector.objects.get(pk=sector_id) if sector_id else None

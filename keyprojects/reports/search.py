"""Global search: projects, owners, problems and tasks in the user's scope, by simplified or traditional
characters and pinyin initials.

Projects carry a stored search_text (simplified text, initials and full pinyin), matched with one LIKE.
Owners, problems and tasks have no such column (their apps own their models), so they are matched at
query time with one regular expression per kind, built from the query: a Chinese character matches its
simplified or traditional form; a Latin letter matches itself or any character whose pinyin starts with
that letter (多音字 under each of their readings); a digit matches itself. "nnsgd" thus finds 南宁市轨道…
in SQL, with a fixed number of queries.

Limits of the query-time match: initials only (full pinyin such as "nanning" finds projects, not the
other kinds); characters outside GB 2312 (6,763 common characters) match by the character only, not by
initials; the letters of the query must match consecutive characters, punctuation included.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from keyprojects.coordination.access import problems_visible_to
from keyprojects.lib.text import search_term
from keyprojects.orgs.models import Organisation
from keyprojects.projects.access import projects_visible_to
from keyprojects.tasks.access import tasks_visible_to

MAX_QUERY = 30  # characters of a query: the regular expression grows with it
_HAN = re.compile(r"[\u3400-\u9fff]")


@cache
def _initial_classes() -> dict[str, str]:
    """letter → the GB 2312 characters whose pinyin (any reading) starts with it, as a class body."""
    from pypinyin import Style, pinyin

    chars: dict[str, list[str]] = {}
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                ch = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            for reading in pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")[:1]:
                for initial in {r.lower() for r in reading}:
                    if "a" <= initial <= "z":
                        chars.setdefault(initial, []).append(ch)
    return {letter: "".join(sorted(set(found))) for letter, found in chars.items()}


@cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def term_regex(term: str) -> str:
    """A regular expression (Python and PostgreSQL alike) matching TERM (search_term's form) in a name
    written with characters; case is left to the lookup (iregex)."""
    classes = _initial_classes()
    parts = []
    for ch in term[:MAX_QUERY]:
        if _HAN.match(ch):
            variants = {ch, _s2t().convert(ch)}
            parts.append("[" + "".join(sorted(variants)) + "]")
        elif "a" <= ch <= "z":
            parts.append("[" + ch + classes.get(ch, "") + "]")
        elif ch.isalnum():
            parts.append(re.escape(ch))
        else:
            # Punctuation: any single character, rather than a regex that means different things in
            # Python and in PostgreSQL.
            parts.append(".")
    return "".join(parts)


def name_filter(field_name: str, term: str) -> Q:
    """FIELD_NAME contains TERM as characters (LIKE, uses indexes where there are) or as initials."""
    if term and all(_HAN.match(ch) for ch in term):
        traditional = _s2t().convert(term)
        q = Q(**{f"{field_name}__contains": term})
        if traditional != term:
            q |= Q(**{f"{field_name}__contains": traditional})
        return q
    return Q(**{f"{field_name}__iregex": term_regex(term)})


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


def _url(name: str, pk, fallback: str) -> str:
    """The page of a record; the project's page while the record's own page does not exist yet."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    badge: str = ""


@dataclass
class Group:
    kind: str
    label: str
    icon: str
    count: int = 0
    hits: list[Hit] = field(default_factory=list)
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.hits)


KINDS = {
    "project": (_("项目"), "bi-building"),
    "owner": (_("项目业主"), "bi-briefcase"),
    "problem": (_("问题"), "bi-exclamation-triangle"),
    "task": (_("任务"), "bi-list-check"),
}


def search_projects(user, term: str) -> QuerySet:
    return (
        projects_visible_to(user)
        .filter(search_text__contains=term)
        .select_related("district", "owner")
        .order_by("-total_investment", "id")
    )


def search_owners(user, term: str) -> QuerySet:
    """Owners of the projects USER may see (an owner sees only itself)."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.OWNER)
        .filter(name_filter("name", term))
        .filter(id__in=projects_visible_to(user).values("owner_id"))
        .annotate(
            project_count=Count("owned_projects", filter=Q(owned_projects__in=projects_visible_to(user)))
        )
        .order_by("name", "id")
    )


def search_problems(user, term: str) -> QuerySet:
    return (
        problems_visible_to(user)
        .filter(name_filter("title", term))
        .select_related("project")
        .order_by("-created_at", "-id")
    )


def search_tasks(user, term: str) -> QuerySet:
    return (
        tasks_visible_to(user)
        .filter(name_filter("title", term))
        .select_related("project")
        .order_by("deadline", "id")
    )


SEARCHES = {
    "project": search_projects,
    "owner": search_owners,
    "problem": search_problems,
    "task": search_tasks,
}


def _hit(kind: str, obj) -> Hit:
    if kind == "project":
        return Hit(
            title=obj.name,
            url=obj.get_absolute_url(),
            detail=" · ".join(x for x in (obj.code or "", obj.district.label, obj.owner.label) if x),
            badge=obj.get_stage_display(),
        )
    if kind == "owner":
        return Hit(
            title=obj.name,
            url=reverse("project_list") + "?" + query_string({"owner": obj.name}),
            detail=str(_("%(n)s 个项目") % {"n": obj.project_count}),
        )
    if kind == "problem":
        project_url = reverse("project_detail", args=[obj.project_id])
        return Hit(
            title=obj.title,
            url=_url("problem_detail", obj.pk, project_url),
            detail=obj.project.name,
            badge=obj.get_status_display(),
        )
    project_url = reverse("project_detail", args=[obj.project_id])
    return Hit(
        title=obj.title,
        url=_url("task_detail", obj.pk, project_url),
        detail=f"{obj.project.name} · {obj.deadline:%Y-%m-%d}",
        badge=obj.get_status_display(),
    )


def query_string(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def global_search(*, user, query: str, limit: int = 5, kinds=None) -> list[Group]:
    """The groups of what QUERY finds in USER's scope: a count and the first LIMIT hits of each kind.
    Two queries per kind, whatever the data."""
    term = search_term(query or "")[:MAX_QUERY]
    groups = []
    for kind in kinds or KINDS:
        label, icon = KINDS[kind]
        group = Group(kind=kind, label=label, icon=icon)
        if term:
            found = SEARCHES[kind](user, term)
            group.count = found.count()
            group.hits = [_hit(kind, obj) for obj in found[:limit]] if group.count else []
        group.more_url = reverse("search") + "?" + query_string({"q": query, "kind": kind})
        groups.append(group)
    return groups


def search_page(*, user, query: str, kind: str, page_number, per_page: int = 20):
    """One kind's hits, a page at a time (a Paginator page of Hit objects)."""
    from django.core.paginator import Paginator

    term = search_term(query or "")[:MAX_QUERY]
    found = SEARCHES[kind](user, term) if term else SEARCHES[kind](user, "").none()
    page = Paginator(found, per_page).get_page(page_number)
    page.object_list = [_hit(kind, obj) for obj in page.object_list]
    return page

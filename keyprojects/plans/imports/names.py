"""names: the names a file uses that the system does not know — districts, departments, owners, sectors,
leaders — as a question for the office, not a rejection (part of the plan and apply stages).

The plan lists each unknown name once, with the rows that use it and the closest existing organisations
(orgs.names' suggestions). The office answers once for the whole file: map a name to an existing
organisation (kept as its alias, so that the next import matches it by itself) or create it. A leader
created here is a person without a login account (orgs.services.leader_create). The
answers are written in the import's own transaction, before the plan is made again and applied: all of
it or nothing. A name that two organisations answer to equally is never mapped without the office.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record
from keyprojects.lib.text import normalise_name
from keyprojects.orgs.models import Organisation, User
from keyprojects.orgs.names import name_taken_by, resolve_organisation
from keyprojects.orgs.services import leader_create, leader_name_split, organisation_alias_add
from keyprojects.projects.models import Sector

KIND_LABELS = {
    "district": gettext_lazy("城区/县/开发区"),
    "department": gettext_lazy("责任单位（市直部门）"),
    "owner": gettext_lazy("业主单位"),
    "sector": gettext_lazy("行业领域"),
    "leader": gettext_lazy("联系市领导"),
}
CREATE = "create"
NAME_MAX = Organisation._meta.get_field("name").max_length
SECTOR_NAME_MAX = Sector._meta.get_field("name").max_length


@dataclass
class UnknownName:
    kind: str  # one of lookups.NAME_KINDS
    name: str  # as the file first writes it
    key: str
    rows: list = field(default_factory=list)  # Excel rows that use it
    suggestions: list = field(default_factory=list)  # [{"id", "name", "score", "matched"}], best first
    tie: bool = False  # the best two are equally close: the office must pick
    # What happens without an answer: "create" for an owner (a list names new owners all the time, and
    # they were always created); "" — the rows wait — for the reference data an office keeps.
    default: str = ""

    @property
    def ref(self) -> str:
        """How a choice names it: "department:市住房城乡建设局"."""
        return f"{self.kind}:{self.key}"

    def as_dict(self):
        return {
            "kind": self.kind,
            "name": self.name,
            "key": self.key,
            "ref": self.ref,
            "rows": self.rows,
            "suggestions": self.suggestions,
            "tie": self.tie,
            "default": self.default,
        }


def unknown_from(kind, name, key, result) -> UnknownName:
    """An UnknownName from orgs.names' MatchResult for it."""
    suggestions = [
        {
            "id": s.value if isinstance(s.value, int) else s.value.pk,
            "name": s.name,
            "score": s.score,
            "matched": s.matched,
        }
        for s in result.suggestions
    ]
    default = CREATE if kind == "owner" else ""
    return UnknownName(
        kind=kind, name=name, key=key, suggestions=suggestions, tie=result.tie, default=default
    )


@dataclass
class NameChoices:
    """The office's answers: DECISIONS {ref: "create" or an existing id}, from the preview's form;
    MAPPED {written name: existing name} from the command line's --map; CREATE_MISSING: create every
    name not otherwise answered."""

    decisions: dict = field(default_factory=dict)
    mapped: dict = field(default_factory=dict)
    create_missing: bool = False

    def __post_init__(self):
        self.mapped = {normalise_name(k): v for k, v in self.mapped.items()}

    def __bool__(self):
        return bool(self.decisions or self.mapped or self.create_missing)


def unanswered(unknown: list, choices: NameChoices | None) -> list:
    """The unknown names that have no default and that CHOICES does not answer."""
    if choices is not None and choices.create_missing:
        return []
    choices = choices or NameChoices()
    return [
        u
        for u in unknown
        if not u.default and u.ref not in choices.decisions and normalise_name(u.name) not in choices.mapped
    ]


def names_resolve(unknown: list, choices: NameChoices, *, by) -> tuple[dict, dict]:
    """Write the office's answers for UNKNOWN: aliases of the organisations names are mapped to (a sector
    takes the name as a synonym), organisations and sectors created. Inside the import's transaction.
    Returns ({(kind, key): id} for the plan, {"aliases": n, "created": {kind: n}}); ValidationError
    with every reason when an answer cannot be used."""
    assert transaction.get_connection().in_atomic_block, "names_resolve must run inside a transaction"
    resolved, made, errors = {}, {"aliases": 0, "created": {}}, []
    for u in unknown:
        target = choices.decisions.get(u.ref)
        if target is None and normalise_name(u.name) in choices.mapped:
            written = choices.mapped[normalise_name(u.name)]
            target = _existing_by_name(u, written, errors)
            if target is None:
                continue
        if target is None and choices.create_missing:
            target = CREATE
        if target is None:
            continue
        try:
            with transaction.atomic():
                if target == CREATE:
                    resolved[(u.kind, u.key)] = _create(u, by)
                    made["created"][u.kind] = made["created"].get(u.kind, 0) + 1
                else:
                    resolved[(u.kind, u.key)] = _map(u, target, by, made)
        except ValidationError as exc:
            errors += [
                _("%(kind)s“%(name)s”：%(reason)s")
                % {"kind": KIND_LABELS[u.kind], "name": u.name, "reason": m}
                for m in exc.messages
            ]
    if errors:
        raise ValidationError(errors)
    return resolved, made


def _existing_by_name(u, written, errors):
    """The id of the existing organisation (or sector) of U's kind named WRITTEN (--map's right side)."""
    if u.kind == "sector":
        sector = Sector.objects.filter(name=normalise_name(written)).first()
        if sector is not None:
            return sector.pk
    elif u.kind == "leader":
        leader = _leaders().filter(full_name=leader_name_split(written)[0]).first()
        if leader is not None:
            return leader.pk
    else:
        result = resolve_organisation(written, kind=u.kind)
        if result.found is not None:
            return result.found.pk
    errors.append(
        _("“%(name)s”不能对应到“%(target)s”：系统中没有名为“%(target)s”的%(kind)s。")
        % {"name": u.name, "target": written, "kind": KIND_LABELS[u.kind]}
    )
    return None


def _leaders():
    return User.objects.filter(role=User.Role.LEADER, is_active=True)


def _map(u, target, by, made) -> int:
    try:
        target = int(target)
    except (TypeError, ValueError):
        raise ValidationError(_("所选的对应单位无效。")) from None
    if u.kind == "sector":
        sector = Sector.objects.filter(pk=target).first()
        if sector is None:
            raise ValidationError(_("所选的行业领域不存在。"))
        if u.name not in (sector.synonyms or []) and u.name != sector.name:
            sector.synonyms = [*(sector.synonyms or []), u.name]
            sector.save(update_fields=["synonyms"])
            made["aliases"] += 1
        return sector.pk
    if u.kind == "leader":
        # A leader goes by one name: this file's way of writing it is not kept.
        leader = _leaders().filter(pk=target).first()
        if leader is None:
            raise ValidationError(_("所选的市领导不存在或已停用。"))
        return leader.pk
    organisation = Organisation.objects.filter(pk=target, kind=u.kind, is_active=True).first()
    if organisation is None:
        raise ValidationError(_("所选的单位不存在、已停用或不是%(kind)s。") % {"kind": KIND_LABELS[u.kind]})
    if not u.tie:
        # Kept so that the next import matches the name by itself. A name two organisations already
        # answer to cannot become an alias of one of them (two would share it): the choice holds for
        # this file only.
        organisation_alias_add(by=by, organisation=organisation, name=u.name)
        made["aliases"] += 1
    return organisation.pk


def _create(u, by) -> int:
    if u.kind == "sector":
        name = u.key[:SECTOR_NAME_MAX]
        if Sector.objects.filter(name=name).exists():
            raise ValidationError(_("已有同名的行业领域。"))
        sort = (Sector.objects.aggregate(n=Max("sort"))["n"] or 0) + 1
        return Sector.objects.create(name=name, sort=sort).pk
    if u.kind == "leader":
        full_name, title = leader_name_split(u.name)
        return leader_create(by=by, full_name=full_name, title=title).pk
    name = normalise_name(u.name)[:NAME_MAX]
    other = name_taken_by(name)
    if other is not None:
        raise ValidationError(
            _("系统中已有同名的单位“%(other)s”（%(kind)s），不能再新建。")
            % {"other": other.name, "kind": other.get_kind_display()}
        )
    sort = (Organisation.objects.filter(kind=u.kind).aggregate(n=Max("sort"))["n"] or 0) + 1
    organisation = Organisation(kind=u.kind, name=name, sort=sort)
    organisation.full_clean()
    organisation.save()
    audit_record(by=by, instance=organisation, action=AuditEntry.Action.CREATE)
    return organisation.pk

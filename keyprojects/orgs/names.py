"""Organisation names as offices write them: one key for the official long and short forms, and the
closest existing organisations for a name the system does not know.

Published lists name the same body in several ways (市发展和改革委员会, 市发展改革委, 南宁市发展和改革委员会).
`normalise` folds the forms that are the same name written differently (full-width characters, spaces,
punctuation, 和, 委员会 → 委, 人民政府 → 政府, the city's own name before a department or a district) into one
key; a match on that key is as good as the name. Everything else — abbreviations such as 市住建局 or
市国资委, a body that was merged or renamed — is a question for the office: `match` ranks the closest
candidates and never picks one by itself, and says when two rank equally.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from keyprojects.lib.text import normalise_name, to_simplified
from keyprojects.orgs.models import Organisation, OrganisationAlias

# Only the party prefix in front of a body's name (中共南宁市委组织部 is 南宁市委组织部).
_PARTY = re.compile(r"^(?:中国共产党|中共)")
# A place in front of a government body: 南宁市青秀区, 南宁市发展和改革委员会, 广西壮族自治区… The place is
# dropped only when what follows ends as a government body does, so that companies keep their names
# (南宁城市建设投资集团 is not 建设投资集团). 市 (U+5E02) itself is not part of a place name.
_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,8}(?:省|自治区))?[\u4e00-\u5e01\u5e03-\u9fff]{2,3}(?:市|地区|州|盟)"
)
_BODY = re.compile(r"(?:区|县|旗|市|局|委|办|厅|院|部|处|室|所|站|队|中心|政府|管委会|会)$")
# A connective between the words of a long name: 住房和城乡建设局, 文化广电和旅游局 (not at the start:
# 和平区 stays).
_AND = re.compile(r"(?<=.)[和与及]")
# Body words whose short forms are official: 委员会 → 委, 办公室 → 办, 人民政府 → 政府.
_FOLDS = (("委员会", "委"), ("办公室", "办"), ("人民政府", "政府"))
# A district's or county's government is the district: 兴宁区人民政府 is 兴宁区.
_GOVERNMENT = re.compile(r"(?<=[区县旗市])政府$")
# The city's own 市 before a department (市发展和改革委员会); not that of 市场 (市场监督管理局 without it).
_CITY = re.compile(r"^市(?!场)")

# A suggestion below this score is not shown: nothing in common worth asking about.
MIN_SCORE = 0.34
SUGGESTIONS = 5


@lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """The key NAME is matched by: 市发展改革委 and 南宁市发展和改革委员会 both give 发展改革委.

    Full-width → half-width and traditional → simplified characters; spaces and punctuation out; the
    party prefix (中共, 中国共产党) and a place in front of a government body out; the connective 和 out;
    委员会 → 委, 办公室 → 办, 人民政府 → 政府, and the government of a district is the district.
    Different bodies stay different: 市自然资源局 and 市自然资源和规划局 do not share a key.
    """
    text = to_simplified(normalise_name(name))
    text = "".join(c for c in text if unicodedata.category(c)[0] in "LN")
    text = _PARTY.sub("", text)
    rest = _PLACE.sub("", text, count=1)
    if rest != text and len(rest) >= 2 and _BODY.search(rest):
        text = rest
    text = _CITY.sub("", text)
    for long, short in _FOLDS:
        text = text.replace(long, short)
    text = _AND.sub("", text)
    text = _GOVERNMENT.sub("", text)
    return text.lower()


def _is_subsequence(short: str, long: str) -> bool:
    """Every character of SHORT in LONG, in order: 住建局 in 住房城乡建设局, 国资委 in 国有资产监督管理委."""
    chars = iter(long)
    return all(c in chars for c in short)


def _last(key: str) -> str:
    return key[-1:] if key else ""


def similarity(a: str, b: str) -> float:
    """How close two keys are, from 0 to 1 (1 only when they are equal).

    Characters in common, in order (difflib), lifted when one key is the other's abbreviation — official
    short forms keep the characters of the long one in order, 发改委 of 发展改革委 — and lowered when they
    name different kinds of body (a 局 is not a 支队).
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    score = SequenceMatcher(None, a, b, autojunk=False).ratio()
    short, long = sorted((a, b), key=len)
    if len(short) >= 2 and _is_subsequence(short, long):
        score = 0.6 + 0.35 * score
    if _last(a) != _last(b):
        score *= 0.8
    return min(round(score, 3), 0.999)


@dataclass(frozen=True)
class Candidate:
    """Something a name may match: VALUE is what the caller gets back (an Organisation, a pk …)."""

    value: Any
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None

    @classmethod
    def of(cls, item) -> "Candidate":
        """A Candidate from a Candidate, a plain name, or an object with .name (and .kind, and .alias_names
        or prefetched .aliases)."""
        if isinstance(item, Candidate):
            return item
        if isinstance(item, str):
            return cls(value=item, name=item)
        aliases = getattr(item, "alias_names", None)
        if aliases is None and isinstance(item, Organisation):
            cache = getattr(item, "_prefetched_objects_cache", {})
            aliases = [a.name for a in cache["aliases"]] if "aliases" in cache else []
        return cls(value=item, name=item.name, aliases=tuple(aliases or ()), kind=getattr(item, "kind", None))


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    score: float  # 0 … 1; 1 only for a match by name, alias or key
    matched: str  # the candidate's name or alias that scored

    @property
    def value(self):
        return self.candidate.value

    @property
    def name(self) -> str:
        return self.candidate.name


@dataclass(frozen=True)
class MatchResult:
    """What a name matched. `found` is set only when exactly one candidate has the name, an alias of
    that name, or the same key; otherwise the office picks from `suggestions` (best first)."""

    name: str
    key: str
    found: Any = None
    via: str = ""  # "name", "alias" or "key" when found
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def tie(self) -> bool:
        """The two best candidates match equally well: the office must pick."""
        return len(self.suggestions) > 1 and self.suggestions[0].score == self.suggestions[1].score

    @property
    def tied(self) -> list[Suggestion]:
        """The candidates that share the best score (one when there is no tie)."""
        if not self.suggestions:
            return []
        top = self.suggestions[0].score
        return [s for s in self.suggestions if s.score == top]


class NameIndex:
    """Candidates with their keys computed once, for matching many names (an import's every unknown
    name) without going through the candidates' names again for each."""

    def __init__(self, candidates: Iterable, kind: str | None = None):
        self.candidates = [c for c in map(Candidate.of, candidates) if kind is None or c.kind in (None, kind)]
        self._by_name: dict[str, list[Candidate]] = {}
        self._by_alias: dict[str, list[Candidate]] = {}
        self._by_key: dict[str, list[Candidate]] = {}
        # Every written form's key, and which forms use each character: `closest` scores only the forms
        # that share characters with a name, best bound first.
        self._forms: list[tuple[Candidate, str, str, Counter]] = []
        self._by_char: dict[str, list[int]] = {}
        for c in self.candidates:
            self._by_name.setdefault(normalise_name(c.name), []).append(c)
            for alias in c.aliases:
                self._by_alias.setdefault(normalise_name(alias), []).append(c)
            for written in (c.name, *c.aliases):
                key = normalise(written)
                self._by_key.setdefault(key, []).append(c)
                for char in set(key):
                    self._by_char.setdefault(char, []).append(len(self._forms))
                self._forms.append((c, written, key, Counter(key)))

    def match(self, name: str) -> MatchResult:
        written, key = normalise_name(name), normalise(name)
        for via, table, lookup in (
            ("name", self._by_name, written),
            ("alias", self._by_alias, written),
            ("key", self._by_key, key),
        ):
            hits = _unique(table.get(lookup, []) if lookup else [])
            if len(hits) == 1:
                return MatchResult(
                    name=name,
                    key=key,
                    found=hits[0].value,
                    via=via,
                    suggestions=[Suggestion(hits[0], 1.0, name)],
                )
            if len(hits) > 1:
                # Two organisations answer to this name: never pick one of them silently.
                return MatchResult(name=name, key=key, suggestions=[Suggestion(c, 1.0, c.name) for c in hits])
        return MatchResult(name=name, key=key, suggestions=self.closest(key))

    def closest(self, key: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
        """The LIMIT candidates most similar to KEY, as scoring every candidate would rank them: a form
        sharing no character with KEY scores 0, and one whose score cannot reach the LIMIT-th best so
        far (similarity_bound) is not scored."""
        if not key:
            return []
        wanted = Counter(key)
        shared: dict[int, int] = {}
        for char in wanted:
            for form in self._by_char.get(char, ()):
                shared[form] = shared.get(form, 0) + min(wanted[char], self._forms[form][3][char])
        bounds = sorted(
            ((similarity_bound(key, self._forms[form][2], common), form) for form, common in shared.items()),
            reverse=True,
        )
        best: dict[int, tuple[float, str]] = {}  # id(candidate) → (score, written form)
        floor = MIN_SCORE
        for bound, form in bounds:
            if bound < floor:
                break
            candidate, written, form_key, _chars = self._forms[form]
            score = similarity(key, form_key)
            if score >= MIN_SCORE and score > best.get(id(candidate), (-1.0, ""))[0]:
                best[id(candidate)] = (score, written)
                if len(best) >= limit:
                    floor = max(floor, sorted((s for s, _w in best.values()), reverse=True)[limit - 1])
        by_id = {id(c): c for c in self.candidates}
        scored = [Suggestion(by_id[cid], score, written) for cid, (score, written) in best.items()]
        scored.sort(key=lambda s: (-s.score, len(s.candidate.name), s.candidate.name))
        return scored[:limit]


def similarity_bound(a: str, b: str, common: int) -> float:
    """The most similarity(A, B) can be when the keys have COMMON characters in common (counted with
    repeats): difflib's ratio is at most 2·COMMON / (len A + len B), and similarity's lift for an
    abbreviation is possible only when every character of the shorter key is among them."""
    if a == b:
        return 1.0
    ratio = 2 * common / (len(a) + len(b))
    if common >= min(len(a), len(b)) >= 2:  # the shorter may be the longer's abbreviation
        ratio = max(ratio, 0.6 + 0.35 * ratio)
    return min(round(ratio, 3), 0.999)


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen, out = set(), []
    for c in candidates:
        marker = id(c.value) if not isinstance(c.value, str | int | Organisation) else c.value
        if marker not in seen:
            seen.add(marker)
            out.append(c)
    return out


def match(name: str, candidates: Iterable, kind: str | None = None) -> MatchResult:
    """NAME against CANDIDATES (Candidates, names, or objects with .name and .kind), of KIND if given:
    found by name, alias or key when exactly one candidate answers to it; else the closest, ranked."""
    return NameIndex(candidates, kind=kind).match(name)


def organisation_index(kind: str | None = None) -> NameIndex:
    """Every active organisation (of KIND) with its aliases, in two queries: build it once per import."""
    orgs = Organisation.objects.filter(is_active=True).prefetch_related("aliases")
    if kind is not None:
        orgs = orgs.filter(kind=kind)
    return NameIndex(orgs, kind=kind)


def _found(name: str, organisation: Organisation, via: str) -> MatchResult:
    suggestion = Suggestion(Candidate.of(organisation), 1.0, name)
    return MatchResult(name=name, key=normalise(name), found=organisation, via=via, suggestions=[suggestion])


def resolve_organisation(name: str, kind: str | None = None) -> MatchResult:
    """The organisation (of KIND) NAME means: by exact name, then alias, then key — `result.found`, or
    None with `result.suggestions` for the office to choose from. One name; for many, organisation_index."""
    written = normalise_name(name)
    orgs = Organisation.objects.filter(is_active=True)
    if kind is not None:
        orgs = orgs.filter(kind=kind)
    if written:
        hit = orgs.filter(name=written).first()
        if hit is not None:
            return _found(name, hit, "name")
        alias = OrganisationAlias.objects.filter(name=written, organisation__in=orgs).select_related(
            "organisation"
        )
        alias = alias.first()
        if alias is not None:
            return _found(name, alias.organisation, "alias")
    return organisation_index(kind).match(name)


def name_taken_by(name: str, *, exclude: Organisation | None = None) -> Organisation | None:
    """The organisation other than EXCLUDE whose name, or one of whose aliases, has NAME's key: giving NAME
    to another organisation would make two share a name. Also for creating or renaming an organisation."""
    key = normalise(name)
    if not key:
        return None
    orgs = Organisation.objects.all()
    aliases = OrganisationAlias.objects.select_related("organisation")
    if exclude is not None:
        orgs = orgs.exclude(pk=exclude.pk)
        aliases = aliases.exclude(organisation=exclude)
    for org in orgs.only("pk", "name", "kind"):
        if normalise(org.name) == key:
            return org
    for alias in aliases:
        if normalise(alias.name) == key:
            return alias.organisation
    return None

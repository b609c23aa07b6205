"""Text normalisation for matching and search: one form for what people type and what we store."""

import re
import unicodedata
from functools import cache, lru_cache

_SPACES = re.compile(r"\s+")


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalise_name(text: str) -> str:
    """Full-width to half-width, stray spaces and line breaks removed (Excel names carry both)."""
    text = unicodedata.normalize("NFKC", text or "")
    return _SPACES.sub("", text).strip()


def to_simplified(text: str) -> str:
    return _t2s().convert(text or "")


_NOT_LATIN = re.compile(r"[^a-z0-9]")


def _kept(chars: str) -> str:
    # What has no pinyin (digits, Latin letters, signs) comes back whole, marked so it is kept whole
    # in the initials too.
    return "\x00" + chars


@lru_cache(maxsize=8192)
def _pinyin(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of TEXT from one pypinyin pass: each syllable's first letter is what
    Style.FIRST_LETTER gives, so the second pass it would cost is not needed. Names repeat across a
    list (owners, places), hence the cache."""
    # Imported when first needed: its dictionaries take some 55 MB, which a process that never
    # keys a name (or a file reader started before it does) need not carry.
    from pypinyin import lazy_pinyin

    initials, full = [], []
    for syllable in lazy_pinyin(text, errors=_kept):
        if syllable[0] == "\x00":
            initials.append(syllable[1:])
            full.append(syllable[1:])
        else:
            initials.append(syllable[0])
            full.append(syllable)
    return _NOT_LATIN.sub("", "".join(initials).lower()), _NOT_LATIN.sub("", "".join(full).lower())


def pinyin_initials(text: str) -> str:
    """南宁市轨道交通5号线 → nnsgdjt5hx: digits and Latin letters stay, so "5hx" finds it too."""
    return _pinyin(text)[0]


@lru_cache(maxsize=8192)
def _part_key(part: str) -> tuple[str, str, str]:
    text = to_simplified(normalise_name(part)).lower()
    return (text, *_pinyin(text))


def search_key(*parts: str) -> str:
    """What a record is found by: its simplified text, pinyin initials and full pinyin, lower-cased.

    Stored on the row, so a search is one LIKE on one column, not Python over every row. Each part
    (name, code, owner, place) is read alone, so a phrase cannot run across two of them.
    """
    keys = [_part_key(p) for p in parts if p]
    return "|".join("".join(k[i] for k in keys) for i in range(3))


def search_term(query: str) -> str:
    """A user's query in the form search_key stores: simplified, no spaces, lower case."""
    return to_simplified(normalise_name(query)).lower()


# What XML 1.0 (so .docx and .xlsx) cannot hold: C0 controls but tab and line breaks, surrogates, and
# the non-characters U+FFFE/U+FFFF; DEL too, which Word and Excel show as a box.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """TEXT as a Word document or a spreadsheet can hold it: Word's manual line break (\\v) and page
    break (\\f) become line breaks, other control characters are dropped. Applied where text leaves
    for a .docx or an .xlsx, not where it is stored."""
    return _NOT_XML.sub("", (text or "").replace("\v", "\n").replace("\f", "\n"))

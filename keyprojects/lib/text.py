"""Text normalisation for matching and search: one form for what people type and what we store."""

import re
import unicodedata
from functools import cache

from pypinyin import Style, lazy_pinyin

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


def pinyin_initials(text: str) -> str:
    """南宁市轨道交通5号线 → nnsgdjt5hx: digits and Latin letters stay, so "5hx" finds it too."""
    return _NOT_LATIN.sub("", "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower())


def search_key(*parts: str) -> str:
    """What a record is found by: its simplified text, pinyin initials and full pinyin, lower-cased.

    Stored on the row, so a search is one LIKE on one column, not Python over every row.
    """
    text = to_simplified(normalise_name(" ".join(p for p in parts if p))).lower()
    full = _NOT_LATIN.sub("", "".join(lazy_pinyin(text)).lower())
    return f"{text}|{pinyin_initials(text)}|{full}"


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

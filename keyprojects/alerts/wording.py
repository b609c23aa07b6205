"""A warning's words in the reader's language.

The rules write a warning's message and figures once, in the office's language (services._recompute), and
pages read them in whichever language their reader chose. Every text the rules write is a msgid of the
catalogue, whole ("责任单位", "分月计划") or filled in ("逾期 %(n)s 个工作日"): a stored text is translated
by finding the msgid it was made from, then translating it again with its values, themselves translated
(a task's message carries its countdown). Names and titles the rules copy in stay as they are.
"""

import functools
import re

from django.conf import settings
from django.utils.translation import get_language, gettext

# Every msgid with placeholders that rules.py writes into a message or a figure (test_wording keeps this
# list and the rules in step).
TEMPLATES = (
    "逾期 %(n)s 个工作日",
    "剩余 %(n)s 个工作日",
    "任务“%(title)s”%(label)s",
    "前期事项“%(name)s”计划%(date)s完成，已过 %(days)s 天仍未办结",
    "新开工项目计划%(month)s月开工，至今未开工，滞后 %(n)s 个月",
    "自%(month)s月计划开工起按月均摊",
    "1-%(month)s月完成投资落后序时进度 %(points)s 个百分点",
    "1-%(month)s月计划（万元）",
    "1-%(month)s月完成（万元）",
    "截至%(month)s月有 %(n)s 个月的月度报送逾期未报",
    "%(month)s月报送截止",
    "项目于%(date)s开工，已 %(n)s 个月仍未入统",
    "资金到位率 %(rate)s%%，低于 %(share)s%%",
    "%(a)s；%(b)s",
    "竣工已 %(n)s 个月仍未投产（投产期限 %(limit)s 个月）",
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _pattern(msgid: str) -> re.Pattern:
    parts, last = [], 0
    for m in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[last : m.start()]))
        parts.append(f"(?P<{m.group(1)}>.+?)" if m.group(1) else "%")
        last = m.end()
    parts.append(re.escape(msgid[last:]))
    return re.compile("".join(parts), re.DOTALL)


@functools.cache
def _patterns() -> tuple:
    """(pattern, msgid), the templates with the most fixed text first: "%(a)s；%(b)s" would match
    almost anything, so it is tried last."""
    literal = {msgid: len(_PLACEHOLDER.sub("", msgid)) for msgid in TEMPLATES}
    return tuple((_pattern(msgid), msgid) for msgid in sorted(TEMPLATES, key=lambda m: -literal[m]))


def _stored_language() -> bool:
    return (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE


def warning_text(text):
    """TEXT (a message, a figure's name or value) as the rules would have written it in the active
    language; TEXT itself when it is not one of theirs (a unit's name, a date, a number)."""
    if not isinstance(text, str) or not text or _stored_language():
        return text
    return _translated(text)


def _translated(text: str) -> str:
    whole = gettext(text)
    if whole != text:
        return whole
    for pattern, msgid in _patterns():
        m = pattern.fullmatch(text)
        if m:
            return gettext(msgid) % {k: _translated(v) for k, v in m.groupdict().items()}
    return text


def warning_figures(figures: dict) -> list[tuple]:
    """FIGURES ({name: value}) as (name, value) pairs in the active language, in their order."""
    return [(warning_text(k), warning_text(v)) for k, v in (figures or {}).items()]

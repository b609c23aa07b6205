"""A meeting's minutes (会议纪要) as a Word file in the national official-document layout (GB/T 9704-2012),
written by lib.officedoc: the office's red header and number (邕重点办纪〔2026〕3号), the title, each
agenda item as a 一、 heading with its （一） parts, the date, and the 抄送/印发 block.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.coordination.models import AgendaItem, DispatchMeeting
from keyprojects.lib import officedoc
from keyprojects.lib.numbers import cn_numeral
from keyprojects.lib.officedoc import HEITI, KAITI, OfficialDocument, chinese_date
from keyprojects.orgs.selectors import office_settings


def office_name() -> str:
    """The issuing authority: the office's name (系统设置)."""
    return office_settings().office_name or _("重点项目建设办公室")


def minutes_prefix() -> str:
    return office_settings().minutes_prefix


def minutes_number(meeting: DispatchMeeting) -> int:
    """The meeting's sequence number among the year's meetings (by date, then creation)."""
    before = Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk)
    return DispatchMeeting.objects.filter(before, date__year=meeting.date.year).count() + 1


def document_number(meeting: DispatchMeeting) -> str:
    """e.g. 邕重点办纪〔2026〕3号: year in 〔〕, no 第, no leading zeros."""
    return officedoc.document_number(minutes_prefix(), meeting.date.year, minutes_number(meeting))


def _body(doc: OfficialDocument, meeting, items):
    if meeting.chair:
        # As documents name a leader: title then name (市委常委、常务副市长张三).
        chair = meeting.chair.title.strip() + (meeting.chair.full_name or meeting.chair.username)
    else:
        chair = _("市领导")
    place = meeting.place or _("市重点办")
    doc.title(meeting.title if meeting.title.endswith(_("纪要")) else meeting.title + _("纪要"))
    opening = _(
        "%(date)s，%(chair)s在%(place)s主持召开%(title)s，专题研究解决重点项目建设中的困难和问题。"
        "现将会议议定事项纪要如下："
    ) % {"date": chinese_date(meeting.date), "chair": chair, "place": place, "title": meeting.title}
    doc.paragraph(opening)
    for text in [t.strip() for t in (meeting.summary or "").splitlines() if t.strip()]:
        doc.paragraph(text)
    for number, item in enumerate(items, start=1):
        problem = item.problem
        heading = _("%(n)s、%(project)s：%(title)s") % {
            "n": cn_numeral(number),
            "project": problem.project.name,
            "title": problem.title,
        }
        doc.paragraph(heading, font=HEITI)
        doc.paragraph(_("（一）问题情况"), font=KAITI)
        doc.paragraph(
            _("%(desc)s（牵头单位：%(unit)s；当前层级：第%(level)s级）")
            % {
                "desc": problem.description.strip().replace("\n", "；"),
                "unit": problem.lead_unit.name,
                "level": problem.level,
            },
        )
        doc.paragraph(_("（二）会议议定"), font=KAITI)
        if item.decision_kind:
            text = item.decision
            if item.task_id:
                text += _("由%(unit)s负责落实，%(date)s前完成。") % {
                    "unit": item.task.responsible_unit.name,
                    "date": chinese_date(item.task.deadline),
                }
            elif item.instruction_id:
                text += _("请%(unit)s于%(date)s前将落实情况报%(leader)s。") % {
                    "unit": item.instruction.reply_unit.name,
                    "date": chinese_date(item.instruction.reply_deadline),
                    "leader": item.instruction.leader,
                }
        else:
            text = _("会议听取了情况汇报，待进一步研究。")
        doc.paragraph(text)
    if meeting.attendees.strip():
        doc.blank()
        doc.paragraph(_("参加会议：%(who)s") % {"who": meeting.attendees.strip().replace("\n", "，")})


def minutes_docx(meeting: DispatchMeeting, *, issued: dt.date | None = None) -> bytes:
    """MEETING's minutes as .docx bytes: every agenda item with its decision and how it is carried out."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting).select_related(
            "problem__project",
            "problem__lead_unit",
            "task__responsible_unit",
            "instruction__reply_unit",
            "instruction__leader",
        )
    )
    issuer, issued = office_name(), issued or timezone.localdate()
    doc = OfficialDocument()
    doc.header(issuer, document_number(meeting))
    _body(doc, meeting, items)
    doc.blank()
    doc.blank()
    doc.date_line(issued)
    doc.closing(
        issuer=issuer,
        issued=issued,
        copy_to=_("抄送：市人民政府办公室，各城区、开发区，市直有关部门。"),
    )
    return doc.to_bytes()

"""A supervision letter (督办函) as a Word file in the national official-document layout (GB/T 9704-2012),
written by lib.officedoc: the office's red header and the letter's number, the title, the unit it is
addressed to, 一、督办事项 (with the warning lights as a table), 二、办理要求, 三、办理时限, the office's
signature and date, and the 抄送/印发 block (copied to the project's liaison city leader)."""

from django.utils.translation import gettext as _

from keyprojects.lib.officedoc import OfficialDocument, chinese_date
from keyprojects.orgs.selectors import office_settings
from keyprojects.supervision.models import Letter


def _issuer() -> str:
    return office_settings().office_name or _("重点项目建设办公室")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def letter_docx(letter: Letter) -> bytes:
    """LETTER as .docx bytes, dated the day it was issued."""
    issuer = _issuer()
    doc = OfficialDocument()
    doc.header(issuer, letter.number)
    subject = letter.subject.removesuffix(_("督办函"))
    doc.title(_("关于%(subject)s的督办函") % {"subject": subject})
    doc.addressee(letter.unit.name)
    if letter.project_id:
        doc.paragraph(
            _("根据重点项目建设督查督办工作安排，现就%(project)s有关事项督办如下：")
            % {"project": letter.project.name}
        )
    else:
        doc.paragraph(_("根据重点项目建设督查督办工作安排，现就以下事项督办如下："))

    doc.heading(1, _("督办事项"), number=1)
    doc.paragraph(letter.subject)
    warnings = list(letter.warnings.select_related("rule").order_by("level", "pk"))
    if warnings:
        doc.table(
            [_("序号"), _("预警类型"), _("等级"), _("预警内容")],
            [
                [n, w.rule.get_code_display(), w.get_level_display(), w.message]
                for n, w in enumerate(warnings, start=1)
            ],
            widths_mm=[14, 32, 18, 92],
        )
    else:
        for line in _lines(letter.facts):
            doc.paragraph(line)
    if letter.problem_id:
        doc.paragraph(
            _("问题：%(title)s。%(description)s")
            % {"title": letter.problem.title, "description": " ".join(_lines(letter.problem.description))}
        )

    doc.heading(1, _("办理要求"), number=2)
    for line in _lines(letter.requirement):
        doc.paragraph(line)

    doc.heading(1, _("办理时限"), number=3)
    doc.paragraph(
        _(
            "请于%(deadline)s前（%(n)s个工作日内）办结，并通过重点项目管理系统回复办理情况，附佐证材料。"
            "逾期未办结的，将升级督办，并纳入考核。"
        )
        % {"deadline": chinese_date(letter.deadline), "n": letter.deadline_workdays}
    )

    doc.signature(issuer, letter.issued_on)
    leader = letter.project.leader if letter.project_id else None
    copy_to = ""
    if leader is not None:
        copy_to = _("抄送：%(leader)s。") % {
            "leader": leader.title.strip() + (leader.full_name or leader.username)
        }
    doc.closing(issuer=issuer, issued=letter.issued_on, copy_to=copy_to)
    return doc.to_bytes()

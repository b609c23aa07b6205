"""The notice (通报) of a published red/black list and the monthly work briefing (工作简报), as Word files
in the official-document layout of keyprojects.lib.officedoc (GB/T 9704-2012)."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.shared import Mm

from keyprojects.assessment import charts
from keyprojects.assessment.indicators import INDICATORS, Context
from keyprojects.assessment.models import AssessmentRun, RankingEntry, RankingList, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.coordination.models import Problem
from keyprojects.lib.money import format_wan
from keyprojects.lib.numbers import percent
from keyprojects.lib.officedoc import ALIGN, OfficialDocument
from keyprojects.orgs.models import Organisation
from keyprojects.orgs.selectors import office_settings
from keyprojects.plans.report_selectors import local_midnight

UNIT_TITLES = {
    UnitKind.DISTRICT: gettext_lazy("城区（县、开发区）"),
    UnitKind.DEPARTMENT: gettext_lazy("市直部门"),
}


def office_name() -> str:
    return office_settings().office_name or _("重点项目建设办公室")


def _yes_no(flag: bool) -> str:
    return _("达标") if flag else _("未达标")


def notice_docx(ranking_list: RankingList) -> bytes:
    """The notice of RANKING_LIST: number and title, the scores summary and each kind's ranking, the
    red and the black list as tables, the exemptions, the requirements; a correction says what it
    corrects, what changed and why. A draft (the office's preview) is marked as such."""
    run = ranking_list.run
    period = run.period_obj
    issuer = office_name()
    day = (
        timezone.localtime(ranking_list.published_at).date()
        if ranking_list.published_at
        else timezone.localdate()
    )
    doc = OfficialDocument()
    doc.header(issuer, ranking_list.number or _("（草稿，未编号）"))
    correction = _("（更正）") if ranking_list.supersedes_id else ""
    doc.title(_("关于%(period)s重点项目建设考核情况的通报%(c)s") % {"period": period.label, "c": correction})
    doc.addressee(_("各城区（县、开发区）人民政府，市直各有关部门"))
    versions = "、".join(
        f"{v.scheme.name}（第{v.number}版）"
        for v in run.versions.select_related("scheme").filter(scheme__unit_kind__in=UNIT_TITLES)
    )
    doc.paragraph(
        _(
            "根据%(versions)s，%(issuer)s对%(period)s各城区（县、开发区）和市直有关部门推进重点项目建设情况进行了考核，"
            "现将考核结果和红黑榜通报如下。"
        )
        % {"versions": versions, "issuer": issuer, "period": period.label}
    )
    if ranking_list.supersedes_id:
        old = ranking_list.supersedes
        doc.paragraph(
            _("本通报更正%(number)s。更正原因：%(reason)s")
            % {"number": old.number, "reason": ranking_list.correction_reason}
        )
        for change in ranking_list.changes or [_("榜单条目未变化。")]:
            doc.paragraph(change)
    heading = 0
    heading += 1
    doc.heading(1, _("考核得分情况"), number=heading)
    scores = list(run.scores.filter(unit_kind__in=UNIT_TITLES).defer("lines").order_by("unit_kind", "rank"))
    sub = 0
    for kind, title in UNIT_TITLES.items():
        rows = [s for s in scores if s.unit_kind == kind]
        if not rows:
            continue
        sub += 1
        totals = [s.total for s in rows]
        average = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
        doc.heading(2, title, number=sub)
        doc.paragraph(
            _(
                "参加考核 %(n)s 个，平均得分 %(avg)s 分；最高 %(best)s 分（%(best_name)s），"
                "最低 %(worst)s 分（%(worst_name)s）；达标 %(met)s 个。"
            )
            % {
                "n": len(rows),
                "avg": average,
                "best": rows[0].total,
                "best_name": rows[0].name,
                "worst": rows[-1].total,
                "worst_name": rows[-1].name,
                "met": sum(s.met_target for s in rows),
            }
        )
        doc.table(
            [_("名次"), _("单位"), _("指标得分"), _("加分"), _("扣分"), _("总分"), _("达标")],
            [[s.rank, s.name, s.base, s.bonus, s.deduction, s.total, _yes_no(s.met_target)] for s in rows],
            widths_mm=[14, 52, 20, 16, 16, 20, 18],
        )
    entries = list(ranking_list.entries.all())
    for side, title in ((RankingEntry.Side.RED, _("红榜")), (RankingEntry.Side.BLACK, _("黑榜"))):
        heading += 1
        doc.heading(1, title, number=heading)
        listed = [e for e in entries if e.side == side and e.is_listed]
        if not listed:
            doc.paragraph(_("本期无。"))
            continue
        doc.table(
            [_("序号"), _("单位或项目"), _("得分"), _("排名"), _("列入理由")],
            [
                [n, e.name, e.score if e.score is not None else "—", e.rank or "—", e.reason]
                for n, e in enumerate(listed, start=1)
            ],
            widths_mm=[14, 40, 18, 14, 70],
        )
    exempted = [e for e in entries if e.exempt and not e.removed]
    if exempted:
        doc.paragraph(
            _("经研究，以下对象予以豁免，不列入黑榜：%(list)s。")
            % {"list": "；".join(f"{e.name}（{e.exempt_reason}）" for e in exempted)}
        )
    heading += 1
    doc.heading(1, _("有关要求"), number=heading)
    doc.paragraph(
        _(
            "列入红榜的单位要总结经验、再接再厉；列入黑榜的单位要深刻分析原因，逐项制定整改措施，"
            "于通报印发之日起 10 个工作日内将整改情况书面报送市重点项目建设办公室。"
            "各单位可登录重点项目管理系统查看本单位各项指标得分及扣分明细。"
        )
    )
    doc.signature(issuer, day)
    doc.closing(
        issuer=issuer,
        issued=day,
        copy_to=_("抄送：市委办公室，市人大常委会办公室，市政府办公室，市政协办公室。"),
    )
    return doc.to_bytes()


# --------------------------------------------------------------------------------------------------
# The monthly work briefing
# --------------------------------------------------------------------------------------------------


def _picture(doc: OfficialDocument, png: bytes):
    doc.doc.add_picture(BytesIO(png), width=Mm(150))
    doc.doc.paragraphs[-1].alignment = ALIGN.CENTER
    doc.blank()


def briefing_docx(period: Period, *, run: AssessmentRun | None, today: dt.date) -> bytes:
    """The 工作简报 of month PERIOD: investment against plan and 序时进度 by district (a table and a
    chart), the new starts, the problems, and — with RUN — the districts' ranking (table and chart)."""
    issuer = office_name()
    doc = OfficialDocument()
    doc.header(
        _("重点项目建设工作简报"), _("%(year)s年第%(n)s期") % {"year": period.year, "n": period.number}
    )
    doc.title(_("%(period)s全市重点项目建设进展情况") % {"period": period.label})
    ctx = Context(period=period, unit_kind=UnitKind.DISTRICT)
    names = dict(Organisation.objects.filter(kind=UnitKind.DISTRICT).values_list("id", "name"))
    figures = INDICATORS["investment_plan"]._figures(ctx)
    starts = INDICATORS["start_rate"].measure(ctx)
    plan = sum(f["plan"] for f in figures.values())
    through = sum(f["plan_through"] for f in figures.values())
    ytd = sum(f["ytd"] for f in figures.values())
    doc.heading(1, _("总体情况"), number=1)
    doc.paragraph(
        _(
            "1—%(m)s月，全市重点项目累计完成投资 %(ytd)s 万元，占年度计划 %(plan)s 万元的 %(rate)s%%，"
            "序时进度 %(pace)s%%，%(ahead)s。"
        )
        % {
            "m": period.last_month,
            "ytd": format_wan(ytd),
            "plan": format_wan(plan),
            "rate": percent(ytd, plan) or 0,
            "pace": percent(through, plan) or 0,
            "ahead": _("快于序时进度") if ytd >= through else _("慢于序时进度"),
        }
    )
    doc.heading(1, _("各城区投资完成情况"), number=2)
    rows = sorted(
        ((names.get(k, str(k)), f) for k, f in figures.items()),
        key=lambda pair: -(percent(pair[1]["ytd"], pair[1]["plan"]) or 0),
    )
    doc.table(
        [_("城区"), _("年度计划（万元）"), _("累计完成（万元）"), _("完成率"), _("序时完成率")],
        [
            [
                name,
                format_wan(f["plan"]),
                format_wan(f["ytd"]),
                f"{percent(f['ytd'], f['plan']) or 0}%",
                f"{percent(f['ytd'], f['plan_through']) or 0}%",
            ]
            for name, f in rows
        ],
        widths_mm=[36, 32, 32, 28, 28],
    )
    if rows:
        _picture(
            doc,
            charts.bar_chart(
                _("各城区年度投资完成率"),
                [name for name, _f in rows],
                [(_("完成率"), [percent(f["ytd"], f["plan"]) for _name, f in rows])],
                reference=(_("序时进度"), percent(through, plan) or 0),
            ),
        )
    doc.heading(1, _("新开工项目开工情况"), number=3)
    due = sum(m.denominator for m in starts.values())
    done = sum(m.numerator for m in starts.values())
    doc.paragraph(
        _("计划 %(m)s 月底前开工的新开工项目 %(due)s 个，已开工 %(done)s 个，开工率 %(rate)s%%。")
        % {"m": period.last_month, "due": due, "done": done, "rate": percent(done, due) or 0}
    )
    if starts:
        doc.table(
            [_("城区"), _("计划已到开工月份"), _("已开工"), _("开工率")],
            [
                [
                    names.get(k, str(k)),
                    m.denominator,
                    m.numerator,
                    f"{m.value}%" if m.value is not None else "—",
                ]
                for k, m in sorted(starts.items(), key=lambda kv: names.get(kv[0], ""))
            ],
            widths_mm=[50, 40, 30, 36],
        )
    doc.heading(1, _("问题协调情况"), number=4)
    end = local_midnight(period.end + dt.timedelta(days=1))
    start = local_midnight(period.start)
    counts = Problem.objects.aggregate(
        raised=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
        resolved=Count("id", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
        open=Count(
            "id", filter=Q(created_at__lt=end) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        ),
        high=Count(
            "id",
            filter=Q(created_at__lt=end, level__gte=3)
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)),
        ),
    )
    doc.paragraph(
        _(
            "本月新收集问题 %(raised)s 个，办结 %(resolved)s 个；"
            "月末尚有 %(open)s 个问题在办，其中提级至第三级及以上的 %(high)s 个。"
        )
        % counts
    )
    if run is not None:
        scores = list(run.scores.filter(unit_kind=UnitKind.DISTRICT).defer("lines").order_by("rank"))
        if scores:
            doc.heading(1, _("考核排名"), number=5)
            doc.table(
                [_("名次"), _("城区"), _("总分")],
                [[s.rank, s.name, s.total] for s in scores],
                widths_mm=[24, 80, 52],
            )
            _picture(
                doc,
                charts.bar_chart(
                    _("各城区考核得分"),
                    [s.name for s in scores],
                    [(_("总分"), [s.total for s in scores])],
                    unit="",
                ),
            )
    doc.closing(issuer=issuer, issued=today)
    return doc.to_bytes()

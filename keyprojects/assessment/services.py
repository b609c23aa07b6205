"""Writes of the assessment: scheme versions, the period's scores, the red/black list from draft to
publication and its corrections, and the notices that go out with it."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.assessment import curves
from keyprojects.assessment.indicators import (
    ADJUSTMENTS,
    COUNT,
    INDICATORS,
    Context,
    late_start_entries,
    listed_entries,
    stalled_problems,
)
from keyprojects.assessment.models import (
    AssessmentRun,
    RankingEntry,
    RankingList,
    Scheme,
    SchemeAdjustment,
    SchemeIndicator,
    SchemeVersion,
    Score,
    UnitKind,
)
from keyprojects.assessment.periods import Period
from keyprojects.assessment.scoring import ScoreRow, score_units
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record
from keyprojects.coordination.services import attachment_check
from keyprojects.lib.officedoc import document_number
from keyprojects.lib.uploads import upload_name
from keyprojects.notifications.models import Kind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.models import Organisation, User
from keyprojects.orgs.selectors import office_settings
from keyprojects.plans.models import AnnualList, MonthlyReport
from keyprojects.plans.report_selectors import month_deadline

NOTICE_KIND = Kind.ASSESSMENT  # the inbox kind of the 通报 messages
Side = RankingEntry.Side
Rule = RankingEntry.Rule
ListStatus = RankingList.Status
LISTED_KINDS = (UnitKind.DISTRICT, UnitKind.DEPARTMENT)


def _require_office(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_office):
        raise PermissionDenied(_("只有重点办工作人员可以执行此操作。"))


# --------------------------------------------------------------------------------------------------
# Scheme versions
# --------------------------------------------------------------------------------------------------


def scheme_version_errors(
    *, unit_kind: str, total, bonus_cap, target_indicator: str, indicators: list, adjustments: list
) -> list[str]:
    """What stops these rules from becoming a version, as messages (empty when they can)."""
    errors = []
    codes = [i["code"] for i in indicators]
    if not indicators:
        errors.append(_("方案至少需要一项指标。"))
    if len(set(codes)) != len(codes):
        errors.append(_("同一指标不能出现两次。"))
    for line in indicators:
        indicator = INDICATORS.get(line["code"])
        if indicator is None or unit_kind not in indicator.unit_kinds:
            errors.append(_("指标“%(code)s”不适用于该考核对象。") % {"code": line["code"]})
            continue
        if line["weight"] <= 0:
            errors.append(_("“%(label)s”的权重应大于 0。") % {"label": indicator.label})
        if (indicator.kind == COUNT) != (line["curve"] == curves.PER_ITEM):
            errors.append(
                _("“%(label)s”是计件指标，只能按件扣分；其他指标不能按件扣分。") % {"label": indicator.label}
                if indicator.kind == COUNT
                else _("“%(label)s”不是计件指标，不能按件扣分。") % {"label": indicator.label}
            )
        for message in curves.params_errors(line["curve"], line["params"]):
            errors.append(f"{indicator.label}：{message}")
    weights = sum((Decimal(i["weight"]) for i in indicators), Decimal(0))
    if weights != Decimal(total):
        errors.append(
            _("各指标权重合计 %(sum)s 分，与方案总分 %(total)s 分不符（相差 %(diff)s 分），请调整权重。")
            % {
                "sum": curves.plain(weights),
                "total": curves.plain(total),
                "diff": curves.plain(abs(Decimal(total) - weights)),
            }
        )
    if Decimal(bonus_cap) < 0:
        errors.append(_("加分上限不能为负数。"))
    if target_indicator and target_indicator not in codes:
        errors.append(_("达标指标必须是方案中的一项指标。"))
    adjustment_codes = [a["code"] for a in adjustments]
    if len(set(adjustment_codes)) != len(adjustment_codes):
        errors.append(_("同一加减分项不能出现两次。"))
    for line in adjustments:
        adjustment = ADJUSTMENTS.get(line["code"])
        if adjustment is None or unit_kind not in adjustment.unit_kinds:
            errors.append(_("加减分项“%(code)s”不适用于该考核对象。") % {"code": line["code"]})
            continue
        if line["points"] <= 0 or line["cap"] < line["points"]:
            errors.append(
                _("“%(label)s”的每项分值应大于 0，上限不小于每项分值。") % {"label": adjustment.label}
            )
    return errors


@transaction.atomic
def scheme_version_create(
    *,
    scheme: Scheme,
    by,
    note: str,
    total,
    bonus_cap,
    target_indicator: str = "",
    target_value=0,
    red_count: int = 3,
    black_count: int = 3,
    late_start_months: int = 3,
    black_problem_level: int = 3,
    indicators: list[dict],
    adjustments: list[dict] = (),
) -> SchemeVersion:
    """A new version of SCHEME with these rules (INDICATORS: dicts of code, weight, curve, params;
    ADJUSTMENTS: code, points, cap, params). Versions are never edited: the latest applies to every
    period computed from now on, a published period keeps the version it used. Refused with the
    figures when the weights do not add up to the total."""
    _require_office(by)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明本次修改的内容和原因。")})
    errors = scheme_version_errors(
        unit_kind=scheme.unit_kind,
        total=total,
        bonus_cap=bonus_cap,
        target_indicator=target_indicator,
        indicators=indicators,
        adjustments=list(adjustments),
    )
    if errors:
        raise ValidationError(errors)
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
    number = (scheme.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=number,
        total=total,
        bonus_cap=bonus_cap,
        target_indicator=target_indicator,
        target_value=target_value,
        red_count=red_count,
        black_count=black_count,
        late_start_months=late_start_months,
        black_problem_level=black_problem_level,
        note=note,
        created_by=by,
    )
    SchemeIndicator.objects.bulk_create(
        SchemeIndicator(version=version, order=n, **line) for n, line in enumerate(indicators)
    )
    SchemeAdjustment.objects.bulk_create(
        SchemeAdjustment(version=version, order=n, **line) for n, line in enumerate(adjustments)
    )
    audit_record(
        by=by,
        instance=version,
        action=AuditEntry.Action.CREATE,
        after={str(_("方案")): scheme.name, str(_("版本")): str(number), str(_("修改说明")): note},
    )
    return version


def latest_versions(period_kind: str) -> dict[str, SchemeVersion]:
    """{unit kind: the newest version of its scheme} for PERIOD_KIND: two queries."""
    versions = (
        SchemeVersion.objects.filter(scheme__period_kind=period_kind)
        .select_related("scheme")
        .prefetch_related("indicators", "adjustments")
        .order_by("scheme__unit_kind", "-number")
    )
    found = {}
    for version in versions:
        found.setdefault(version.scheme.unit_kind, version)
    return found


# --------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------


def period_close_date(period: Period) -> dt.date:
    """The day a period can be assessed after: the statistics deadline of its last month's reports
    (the period's last day when the year has no list)."""
    annual_list = AnnualList.objects.filter(year=period.year).first()
    if annual_list is None:
        return period.end
    return month_deadline(annual_list, period.last_month)


def period_data_refusal(period: Period) -> str | None:
    """Why PERIOD has nothing to assess, or None: no published list for its year, or not one monthly
    report in its months."""
    entries = listed_entries(period.year)
    if not entries.exists():
        return _("%(year)s年没有已发布的年度重点项目清单，%(period)s没有可考核的数据。") % {
            "year": period.year,
            "period": period.label,
        }
    if not MonthlyReport.objects.filter(entry__in=entries, month__in=list(period.months)).exists():
        return _("%(period)s没有任何月度报送数据，无法计算得分。") % {"period": period.label}
    return None


def period_refusal(period: Period, *, today: dt.date) -> str | None:
    """Why PERIOD cannot be assessed on TODAY, or None: it has not closed yet, or it has no data."""
    close = period_close_date(period)
    if today <= close:
        return _("%(period)s尚未结束：%(month)s月报送的统计截止日为 %(close)s，截止日之后才能计算得分。") % {
            "period": period.label,
            "month": period.last_month,
            "close": close,
        }
    return period_data_refusal(period)


@dataclass
class RunResult:
    period: Period
    run: AssessmentRun | None = None
    rows: dict = field(default_factory=dict)  # unit kind → [ScoreRow] in rank order
    created: int = 0
    changed: int = 0
    removed: int = 0
    dry_run: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.changed or self.removed)


SCORE_FIELDS = [
    "version_id",
    "name",
    "base",
    "bonus",
    "deduction",
    "total",
    "rank",
    "met_target",
    "tie_value",
    "late_items",
    "lines",
]


def _score_values(row: ScoreRow) -> dict:
    return {
        "version_id": row.version.pk,
        "name": row.name[:200],
        "base": row.base,
        "bonus": row.bonus,
        "deduction": row.deduction,
        "total": row.total,
        "rank": row.rank,
        "met_target": row.met_target,
        "tie_value": row.tie_value,
        "late_items": row.late_items,
        "lines": row.lines,
    }


def _same(score: Score, values: dict) -> bool:
    for name, value in values.items():
        stored = getattr(score, name)
        if isinstance(value, Decimal) or isinstance(stored, Decimal):
            if (stored is None) != (value is None) or (
                value is not None and Decimal(stored) != Decimal(value)
            ):
                return False
        elif stored != value:
            return False
    return True


def assessment_check(*, period: Period, today: dt.date, by=None) -> dict:
    """Refuse, with the reason, to score PERIOD on TODAY (for BY, when given): it has not closed, has no
    data, is published, or has no scheme. Returns the latest scheme versions it would be scored under."""
    if by is not None:
        _require_office(by)
    refusal = period_refusal(period, today=today)
    if refusal:
        raise ValidationError(refusal)
    existing = AssessmentRun.objects.filter(period=period.code).first()
    if existing is not None and existing.is_published:
        raise ValidationError(
            _("%(period)s的考核结果已于 %(at)s 发布，发布的得分不再重新计算。")
            % {"period": period.label, "at": timezone.localtime(existing.published_at).strftime("%Y-%m-%d")},
            code="published",
        )
    versions = latest_versions(period.kind)
    if not versions:
        raise ValidationError(_("还没有%(kind)s考核方案。") % {"kind": period.label})
    return versions


def assessment_run(*, period: Period, today: dt.date, by=None, dry_run: bool = False) -> RunResult:
    """Score every district, department and project for PERIOD under the latest scheme versions of its
    kind, and keep the scores (unless DRY_RUN). Idempotent: a second run with the same records writes
    nothing. A period that has not closed, has no data, or is published is refused with the reason."""
    versions = assessment_check(period=period, today=today, by=by)
    result = RunResult(period=period, dry_run=dry_run)
    result.rows = {kind: score_units(period, version) for kind, version in versions.items()}
    if dry_run:
        return result
    with transaction.atomic():
        run = AssessmentRun.objects.select_for_update().filter(period=period.code).first()
        if run is not None and run.is_published:
            raise ValidationError(_("%(period)s的考核结果已发布。") % {"period": period.label})
        fresh = run is None
        if fresh:
            run = AssessmentRun.objects.create(
                period=period.code,
                period_kind=period.kind,
                year=period.year,
                number=period.number,
                computed_at=timezone.now(),
                computed_by=by,
            )
        _write_scores(run, result)
        if set(run.versions.values_list("pk", flat=True)) != {v.pk for v in versions.values()}:
            run.versions.set(versions.values())
            result.changed += 0 if fresh else 1
        if not fresh and not result.unchanged:
            run.revision += 1
            run.computed_at = timezone.now()
            run.computed_by = by
            run.save(update_fields=["revision", "computed_at", "computed_by"])
    result.run = run
    return result


def _write_scores(run: AssessmentRun, result: RunResult) -> None:
    stored = {(s.unit_kind, s.unit_id): s for s in run.scores.all()}
    create, update = [], []
    for kind, rows in result.rows.items():
        for row in rows:
            values = _score_values(row)
            score = stored.pop((kind, row.key), None)
            if score is None:
                unit = {"project_id": row.key} if kind == UnitKind.PROJECT else {"organisation_id": row.key}
                create.append(Score(run=run, unit_kind=kind, **unit, **values))
            elif not _same(score, values):
                for name, value in values.items():
                    setattr(score, name, value)
                update.append(score)
    Score.objects.bulk_create(create, batch_size=2000)
    if update:
        Score.objects.bulk_update(update, SCORE_FIELDS, batch_size=2000)
    if stored:
        Score.objects.filter(pk__in=[s.pk for s in stored.values()]).delete()
    result.created, result.changed, result.removed = len(create), len(update), len(stored)


# --------------------------------------------------------------------------------------------------
# The red/black list
# --------------------------------------------------------------------------------------------------


def _refuse_unless_editable(ranking_list: RankingList) -> None:
    if not ranking_list.is_editable:
        raise ValidationError(_("已发布的红黑榜不能修改；如需更正，请发起更正，生成新版本。"))


def _back_to_draft(ranking_list: RankingList) -> None:
    """An edit after review needs a new review."""
    if ranking_list.status == ListStatus.REVIEWED:
        ranking_list.status = ListStatus.DRAFT
        ranking_list.reviewed_by = None
        ranking_list.reviewed_at = None
        ranking_list.save(update_fields=["status", "reviewed_by", "reviewed_at"])


def _target_text(score: Score) -> str:
    version = score.version
    if version.target_indicator:
        line = next((x for x in score.lines if x.get("code") == version.target_indicator), None)
        indicator = INDICATORS[version.target_indicator]
        value = line["value"] if line else None
        return _("%(label)s %(value)s（目标 %(target)s%%）") % {
            "label": indicator.label,
            "value": "—" if value is None else f"{value}%",
            "target": curves.plain(version.target_value),
        }
    return _("达标分 %(target)s") % {"target": curves.plain(version.target_value)}


def _rule_entries(run: AssessmentRun) -> list[RankingEntry]:
    """The entries the rules give: per kind of unit, 红榜 = met the target and among the first N; 黑榜 =
    missed it and among the last N; plus 黑榜 by hard criteria — a 新开工 project not started months
    after its planned month, a problem at a high level unresolved past its limit."""
    entries = []
    versions = {v.scheme.unit_kind: v for v in run.versions.select_related("scheme")}
    scores = run.scores.filter(unit_kind__in=LISTED_KINDS).select_related("version", "organisation")
    by_kind: dict = {}
    for score in scores.order_by("unit_kind", "rank"):
        by_kind.setdefault(score.unit_kind, []).append(score)
    for kind in LISTED_KINDS:
        ranked = by_kind.get(kind, [])
        version = versions.get(kind)
        if version is None or not ranked:
            continue
        n = len(ranked)
        red = [s for s in ranked if s.met_target][: version.red_count]
        black = [s for s in reversed(ranked) if not s.met_target][: version.black_count]
        for side, chosen, rule in ((Side.RED, red, Rule.TOP), (Side.BLACK, black, Rule.BOTTOM)):
            for score in chosen:
                reason = _("得分 %(total)s，排名第 %(rank)s/%(n)s；%(target)s，%(met)s") % {
                    "total": score.total,
                    "rank": score.rank,
                    "n": n,
                    "target": _target_text(score),
                    "met": _("达标") if score.met_target else _("未达标"),
                }
                entries.append(
                    RankingEntry(
                        side=side,
                        rule=rule,
                        unit_kind=kind,
                        organisation=score.organisation,
                        name=score.name,
                        rank=score.rank,
                        score=score.total,
                        reason=reason,
                    )
                )
    ctx = Context(period=run.period_obj, unit_kind=UnitKind.DISTRICT)
    district_version = versions.get(UnitKind.DISTRICT)
    months = district_version.late_start_months if district_version else 3
    for entry in (
        late_start_entries(ctx, months).select_related("project__district").order_by("project__name")
    ):
        project = entry.project
        entries.append(
            RankingEntry(
                side=Side.BLACK,
                rule=Rule.LATE_START,
                unit_kind=UnitKind.PROJECT,
                organisation=project.district,
                project=project,
                name=project.name,
                reason=_(
                    "新开工项目，计划 %(m)s 月开工，截至 %(end)s 仍未开工，"
                    "逾期 %(n)s 个月以上（%(district)s）"
                )
                % {
                    "m": entry.planned_start_month,
                    "end": ctx.period.end,
                    "n": months,
                    "district": project.district,
                },
            )
        )
    level = min(
        (v.black_problem_level for v in versions.values() if v.scheme.unit_kind in LISTED_KINDS), default=3
    )
    stalled = stalled_problems(ctx, level).select_related("lead_unit", "project").order_by("-level", "id")
    for problem in stalled:
        unit = problem.lead_unit
        if unit.kind not in LISTED_KINDS:
            continue
        entries.append(
            RankingEntry(
                side=Side.BLACK,
                rule=Rule.PROBLEM,
                unit_kind=unit.kind,
                organisation=unit,
                problem=problem,
                name=unit.name,
                reason=_(
                    "牵头办理的问题“%(title)s”（%(project)s）已升至第 %(level)s 级，截至 %(end)s 超时未解决"
                )
                % {
                    "title": problem.title,
                    "project": problem.project,
                    "level": problem.level,
                    "end": ctx.period.end,
                },
            )
        )
    return entries


def _identity(entry: RankingEntry) -> tuple:
    return (
        entry.side,
        entry.rule,
        entry.unit_kind,
        entry.organisation_id,
        entry.project_id,
        entry.problem_id,
    )


@transaction.atomic
def ranking_list_draft(*, run: AssessmentRun, by) -> RankingList:
    """The period's list drafted by rule from RUN's scores. Drafting again (after a recompute) redraws
    the rule entries and keeps what people did: their additions, removals and exemptions."""
    _require_office(by)
    AssessmentRun.objects.select_for_update().filter(pk=run.pk).first()
    run.refresh_from_db()
    current = run.ranking_lists.order_by("-version").first()
    if run.is_published or (current is not None and not current.is_editable):
        raise ValidationError(_("该期红黑榜已发布，不能重新起草；如需更正，请发起更正。"))
    now = timezone.now()
    created = current is None
    if created:
        current = RankingList.objects.create(
            run=run, version=1, run_revision=run.revision, drafted_by=by, drafted_at=now
        )
        kept = {}
    else:
        kept = {_identity(e): e for e in current.entries.exclude(rule=Rule.MANUAL)}
        current.status = ListStatus.DRAFT
        current.run_revision = run.revision
        current.drafted_by, current.drafted_at = by, now
        current.reviewed_by = current.reviewed_at = None
        current.save()
    fresh = []
    for order, entry in enumerate(_rule_entries(run)):
        old = kept.pop(_identity(entry), None)
        if old is not None:
            for name in ("name", "rank", "score", "reason"):
                setattr(old, name, getattr(entry, name))
            old.order = order
            old.save(update_fields=["name", "rank", "score", "reason", "order"])
            continue
        entry.ranking_list = current
        entry.order = order
        fresh.append(entry)
    RankingEntry.objects.bulk_create(fresh)
    # Rule entries the rules no longer give go, unless someone exempted or removed them on purpose.
    RankingEntry.objects.filter(pk__in=[e.pk for e in kept.values() if not (e.exempt or e.removed)]).delete()
    audit_record(
        by=by,
        instance=current,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        after={str(_("操作")): str(_("按规则起草"))},
    )
    return current


def _reason(text: str, field_name: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field_name: _("请填写理由。")})
    return text


@transaction.atomic
def ranking_entry_add(
    *, ranking_list: RankingList, by, side: str, reason: str, organisation=None, project=None
) -> RankingEntry:
    """A unit or project put on the list by hand, with the reason."""
    _require_office(by)
    _refuse_unless_editable(ranking_list)
    reason = _reason(reason)
    if (organisation is None) == (project is None):
        raise ValidationError(_("请选择一个单位或一个项目。"))
    if organisation is not None and organisation.kind not in LISTED_KINDS:
        raise ValidationError(_("红黑榜只列城区（县、开发区）、市直部门和项目。"))
    unit_kind = UnitKind.PROJECT if project is not None else organisation.kind
    score = (
        Score.objects.filter(run=ranking_list.run, organisation=organisation).first()
        if organisation
        else None
    )
    order = (ranking_list.entries.aggregate(n=Max("order"))["n"] or 0) + 1
    entry = RankingEntry.objects.create(
        ranking_list=ranking_list,
        side=side,
        rule=Rule.MANUAL,
        unit_kind=unit_kind,
        organisation=organisation if organisation is not None else project.district,
        project=project,
        name=(project or organisation).name,
        rank=score.rank if score else None,
        score=score.total if score else None,
        reason=reason,
        added_by=by,
        order=order,
    )
    _back_to_draft(ranking_list)
    audit_record(by=by, instance=entry, action=AuditEntry.Action.CREATE, after={str(_("理由")): reason})
    return entry


@transaction.atomic
def ranking_entry_remove(*, entry: RankingEntry, by, reason: str) -> RankingEntry:
    """An entry taken off the list by hand: kept on record with the reason."""
    _require_office(by)
    _refuse_unless_editable(entry.ranking_list)
    reason = _reason(reason)
    if entry.removed:
        raise ValidationError(_("该条目已移出。"))
    entry.removed, entry.removed_reason, entry.removed_by = True, reason, by
    entry.save(update_fields=["removed", "removed_reason", "removed_by"])
    _back_to_draft(entry.ranking_list)
    audit_record(by=by, instance=entry, action=AuditEntry.Action.UPDATE, after={str(_("移出理由")): reason})
    return entry


@transaction.atomic
def ranking_entry_exempt(*, entry: RankingEntry, by, reason: str, attachment) -> RankingEntry:
    """A 黑榜 entry exempted (不可抗力 …): the reason and a supporting document are both required."""
    _require_office(by)
    _refuse_unless_editable(entry.ranking_list)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("豁免必须填写理由。")
    if not attachment:
        errors["attachment"] = _("豁免必须附上依据材料（如不可抗力的证明文件）。")
    else:
        try:
            attachment_check(attachment)
        except ValidationError as error:
            errors["attachment"] = error.messages
    if errors:
        raise ValidationError(errors)
    if entry.side != Side.BLACK:
        raise ValidationError(_("只有黑榜条目可以豁免。"))
    if entry.exempt:
        raise ValidationError(_("该条目已豁免。"))
    entry.exempt, entry.exempt_reason, entry.exempt_by = True, reason.strip(), by
    entry.exempt_file_name = upload_name(getattr(attachment, "name", ""))
    entry.exempt_file.save(entry.exempt_file_name or "exemption", attachment, save=False)
    entry.save(update_fields=["exempt", "exempt_reason", "exempt_by", "exempt_file", "exempt_file_name"])
    _back_to_draft(entry.ranking_list)
    audit_record(
        by=by,
        instance=entry,
        action=AuditEntry.Action.UPDATE,
        after={str(_("豁免理由")): entry.exempt_reason},
    )
    return entry


def _check_current(ranking_list: RankingList) -> None:
    run = ranking_list.run
    if not ranking_list.supersedes_id and ranking_list.run_revision != run.revision:
        raise ValidationError(_("草稿生成后得分已重新计算，请先按规则重新起草，再审核发布。"))


@transaction.atomic
def ranking_list_review(*, ranking_list: RankingList, by, note: str = "") -> RankingList:
    """A second office user checks the draft: the one who drafted it cannot review it."""
    _require_office(by)
    ranking_list = (
        RankingList.objects.select_for_update(of=("self",)).select_related("run").get(pk=ranking_list.pk)
    )
    if ranking_list.status != ListStatus.DRAFT:
        raise ValidationError(_("只有草稿可以审核。"))
    if ranking_list.drafted_by_id == by.pk:
        raise ValidationError(_("不能审核自己起草的红黑榜，请由另一位重点办工作人员审核。"))
    _check_current(ranking_list)
    ranking_list.status = ListStatus.REVIEWED
    ranking_list.reviewed_by, ranking_list.reviewed_at = by, timezone.now()
    ranking_list.review_note = (note or "").strip()
    ranking_list.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        by=by,
        instance=ranking_list,
        action=AuditEntry.Action.UPDATE,
        after={str(_("状态")): str(_("已审核"))},
    )
    return ranking_list


def notice_prefix() -> str:
    """The document-number prefix of notices: the minutes' prefix with 通 for 纪 (邕重点办纪 → 邕重点办通)."""
    prefix = office_settings().minutes_prefix
    return prefix[:-1] + "通" if prefix.endswith("纪") else prefix + "通"


def _entry_key(entry: RankingEntry) -> tuple:
    return (entry.side, entry.unit_kind, entry.organisation_id, entry.project_id, entry.problem_id)


def _changes(old: RankingList, new: RankingList) -> list[str]:
    """What a correction changed, entry by entry, as the notice and the list page say it."""
    before = {_entry_key(e): e for e in old.entries.all() if e.is_listed}
    now = {_entry_key(e): e for e in new.entries.all()}
    changes = []
    for key, e in now.items():
        if e.is_listed and key not in before:
            changes.append(
                _("%(side)s增列：%(name)s（%(why)s）")
                % {"side": e.get_side_display(), "name": e.name, "why": e.reason}
            )
    for key, e in before.items():
        gone = now.get(key)
        if gone is not None and gone.is_listed:
            continue
        why = ""
        if gone is not None and gone.exempt:
            why = _("豁免：%(r)s") % {"r": gone.exempt_reason}
        elif gone is not None and gone.removed:
            why = _("移出：%(r)s") % {"r": gone.removed_reason}
        changes.append(
            _("%(side)s撤销：%(name)s（%(why)s）")
            % {"side": e.get_side_display(), "name": e.name, "why": why}
        )
    return sorted(changes)


@transaction.atomic
def ranking_list_publish(*, ranking_list: RankingList, by, today: dt.date) -> RankingList:
    """Publish a reviewed list, with the period's scores: from now on neither changes. A correction
    supersedes the version it corrects. Every district and department is told, with a link."""
    _require_office(by)
    ranking_list = (
        RankingList.objects.select_for_update(of=("self",))
        .select_related("run", "supersedes")
        .get(pk=ranking_list.pk)
    )
    if ranking_list.status == ListStatus.DRAFT:
        raise ValidationError(_("红黑榜尚未审核，不能发布：请由另一位重点办工作人员审核后再发布。"))
    if ranking_list.status != ListStatus.REVIEWED:
        raise ValidationError(_("该红黑榜已发布。"))
    _check_current(ranking_list)
    run = ranking_list.run
    now = timezone.now()
    sequence = RankingList.objects.filter(published_at__year=today.year).exclude(number="").count() + 1
    ranking_list.number = document_number(notice_prefix(), today.year, sequence)
    ranking_list.status = ListStatus.PUBLISHED
    ranking_list.published_by, ranking_list.published_at = by, now
    if ranking_list.supersedes_id:
        old = ranking_list.supersedes
        ranking_list.changes = _changes(old, ranking_list)
        RankingList.objects.filter(pk=old.pk).update(status=ListStatus.SUPERSEDED)
    ranking_list.save(update_fields=["number", "status", "published_by", "published_at", "changes"])
    if not run.is_published:
        run.status = AssessmentRun.Status.PUBLISHED
        run.published_at = now
        run.save(update_fields=["status", "published_at"])
    audit_record(
        by=by,
        instance=ranking_list,
        action=AuditEntry.Action.UPDATE,
        after={str(_("状态")): str(_("已发布"))},
    )
    _notify_published(ranking_list)
    return ranking_list


def _notify_published(ranking_list: RankingList) -> None:
    """Each district's and department's people: their own score and whether they are on the list."""
    run = ranking_list.run
    scores = {s.organisation_id: s for s in run.scores.filter(unit_kind__in=LISTED_KINDS)}
    listed = {}
    for entry in ranking_list.entries.all():
        if entry.is_listed and entry.organisation_id:
            listed.setdefault(entry.organisation_id, set()).add(entry.get_side_display())
    people: dict = {}
    users = User.objects.filter(
        is_active=True,
        organisation__kind__in=LISTED_KINDS,
        role__in=(User.Role.DISTRICT, User.Role.DEPARTMENT),
    )
    for user in users:
        people.setdefault(user.organisation_id, []).append(user)
    correction = _("（更正）") if ranking_list.supersedes_id else ""
    title = _("%(period)s考核结果和红黑榜已通报%(c)s") % {"period": run.period_obj.label, "c": correction}
    for org in Organisation.objects.filter(pk__in=list(people)):
        score = scores.get(org.pk)
        body = []
        if score is not None:
            body.append(
                _("本单位得分 %(total)s，排名第 %(rank)s。") % {"total": score.total, "rank": score.rank}
            )
        for side in sorted(listed.get(org.pk, ())):
            body.append(_("本单位列入%(side)s。") % {"side": side})
        url = (
            reverse("score_detail", args=[score.pk])
            if score
            else reverse("ranking_list_detail", args=[ranking_list.pk])
        )
        notification_send(
            recipients=people[org.pk],
            kind=NOTICE_KIND,
            title=title,
            body="".join(body),
            url=url,
            key=f"ranking-list:{ranking_list.pk}:published",
            organisations=[org],
        )


@transaction.atomic
def ranking_list_correct(*, ranking_list: RankingList, by, reason: str) -> RankingList:
    """Start a correction of a published list: a new draft version with its entries, saying why. The
    published version stays as it is until the correction is reviewed and published."""
    _require_office(by)
    reason = _reason(reason)
    ranking_list = RankingList.objects.select_for_update().get(pk=ranking_list.pk)
    if ranking_list.status != ListStatus.PUBLISHED:
        raise ValidationError(_("只能更正已发布的现行红黑榜。"))
    if RankingList.objects.filter(supersedes=ranking_list).exists():
        raise ValidationError(_("该红黑榜已有一个更正版本在办理中。"))
    now = timezone.now()
    version = (RankingList.objects.filter(run=ranking_list.run).aggregate(n=Max("version"))["n"] or 0) + 1
    correction = RankingList.objects.create(
        run=ranking_list.run,
        version=version,
        supersedes=ranking_list,
        run_revision=ranking_list.run_revision,
        correction_reason=reason,
        drafted_by=by,
        drafted_at=now,
    )
    copies = []
    for entry in ranking_list.entries.all():
        entry.pk = None
        entry.ranking_list = correction
        copies.append(entry)
    RankingEntry.objects.bulk_create(copies)
    audit_record(
        by=by, instance=correction, action=AuditEntry.Action.CREATE, after={str(_("更正原因")): reason}
    )
    return correction

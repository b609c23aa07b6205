"""The rules of an entry's figures, written once: category, annual plan, months, monthly curve,
departments, the amount completed before the year, sums that cannot be (more planned or done than the
total), and the published plan that only a plan change moves.

Checked by the services that write one entry or proposal (plans.services) and by the importer, which
checks whole files row by row (plans.imports.plan) and writes large ones in bulk (plans.imports.bulk).
A 竣工投产 entry whose list gave no completion month carries the one assumed_completion gives,
marked completion_month_assumed (shown 待补充) until someone sets it. Each function returns
{field: Chinese message}, empty when the values may stand; none queries the database.
"""

from django.utils.translation import gettext as _

from keyprojects.lib.money import format_wan
from keyprojects.orgs.models import Organisation
from keyprojects.plans.models import AnnualEntry, Batch, Category

# Choices.values builds a new list on every read; the importer checks each row's category four times.
CATEGORIES = frozenset(Category.values)


def _label(model, name) -> str:
    return str(model._meta.get_field(name).verbose_name)


def is_official(batch: Batch | None) -> bool:
    """An entry of a published batch is on the official list."""
    return batch is not None and batch.status == Batch.Status.PUBLISHED


def draft_errors(
    *, model, category, planned_investment, planned_start_month, planned_completion_month
) -> dict:
    """What an incomplete plan (a proposal's draft) holds must make sense: a known category if any,
    money not negative, months in 1–12."""
    errors = {}
    if category and category not in CATEGORIES:
        errors["category"] = _("请选择项目类别（新开工、续建、竣工投产或预备）。")
    if planned_investment is not None and planned_investment < 0:
        errors["planned_investment"] = _("年度计划投资不能为负数。")
    months = {
        "planned_start_month": planned_start_month,
        "planned_completion_month": planned_completion_month,
    }
    for name, value in months.items():
        if value is not None and not (isinstance(value, int) and 1 <= value <= 12):
            errors[name] = _("{field}应为 1 至 12 之间的月份，不能是“{value}”。").format(
                field=_label(model, name), value=value
            )
    return errors


def plan_errors(
    *, model, category, planned_investment, planned_start_month, planned_completion_month
) -> dict:
    """The category's rules: every category but 预备 has an annual plan; 新开工 a start month;
    竣工投产 a completion month; months lie in 1–12; money is not negative."""
    if category not in CATEGORIES:
        return {"category": _("请选择项目类别（新开工、续建、竣工投产或预备）。")}
    errors = {}
    if planned_investment is None and category != Category.PREPARATORY:
        errors["planned_investment"] = _(
            "“{category}”项目必须填写年度计划投资（万元）；只有“预备”项目可以不填。"
        ).format(category=Category(category).label)
    errors.update(
        draft_errors(
            model=model,
            category=category,
            planned_investment=planned_investment,
            planned_start_month=planned_start_month,
            planned_completion_month=planned_completion_month,
        )
    )
    if category == Category.NEW_START and planned_start_month is None:
        errors.setdefault("planned_start_month", _("“新开工”项目必须填写计划开工月份。"))
    if category == Category.COMPLETING and planned_completion_month is None:
        errors.setdefault("planned_completion_month", _("“竣工投产”项目必须填写计划竣工月份。"))
    return errors


def monthly_plan_errors(*, monthly_plan, planned_investment) -> dict:
    """A curve is twelve non-negative whole-yuan amounts that add up exactly to the annual plan."""
    if monthly_plan is None:
        return {}
    if (
        not isinstance(monthly_plan, list | tuple)
        or len(monthly_plan) != 12
        or any(isinstance(v, bool) or not isinstance(v, int) for v in monthly_plan)
    ):
        return {"monthly_plan": _("分月计划应为 1 至 12 月共 12 个金额。")}
    if any(v < 0 for v in monthly_plan):
        return {"monthly_plan": _("分月计划的金额不能为负数。")}
    if planned_investment is None:
        return {"monthly_plan": _("没有年度计划投资的项目不能填写分月计划。")}
    total = sum(monthly_plan)
    if total != planned_investment:
        difference = total - planned_investment
        message = (
            _("12 个月计划合计 {total} 万元，比年度计划投资 {planned} 万元多 {diff} 万元，两者须完全相等。")
            if difference > 0
            else _(
                "12 个月计划合计 {total} 万元，比年度计划投资 {planned} 万元少 {diff} 万元，两者须完全相等。"
            )
        )
        return {
            "monthly_plan": message.format(
                total=format_wan(total),
                planned=format_wan(planned_investment),
                diff=format_wan(abs(difference)),
            )
        }
    return {}


def department_errors(departments) -> dict:
    if any(d.kind != Organisation.Kind.DEPARTMENT for d in departments):
        return {"departments": _("责任单位只能选择市直部门。")}
    return {}


def investment_errors(*, total_investment, completed_before_year, planned_investment) -> dict:
    """Sums that cannot be: what was done before the year cannot exceed the project's total, and the
    year cannot plan more than is left of it (total minus done before). Nothing to say while the
    total is unknown."""
    if total_investment is None:
        return {}
    done = completed_before_year or 0
    errors = {}
    if completed_before_year is not None and completed_before_year > total_investment:
        errors["completed_before_year"] = _(
            "截至上年底累计完成投资 {done} 万元超过项目总投资 {total} 万元。"
        ).format(done=format_wan(completed_before_year), total=format_wan(total_investment))
    if done > total_investment:  # said above; the year is measured against the total alone
        done = 0
    left = total_investment - done
    if planned_investment is not None and planned_investment > left:
        if done:
            message = _(
                "年度计划投资 {planned} 万元超过总投资 {total} 万元减去截至上年底累计完成投资 {done} 万元"
                "后尚余的 {left} 万元。"
            )
        else:
            message = _("年度计划投资 {planned} 万元超过项目总投资 {total} 万元。")
        errors["planned_investment"] = message.format(
            planned=format_wan(planned_investment),
            total=format_wan(total_investment),
            done=format_wan(done),
            left=format_wan(left),
        )
    return errors


def entry_errors(values, *, departments) -> dict:
    """An entry's figures as they will stand (VALUES: category, planned_investment,
    completed_before_year, planned_start_month, planned_completion_month, monthly_plan, and the
    project's total_investment when known), with its responsible DEPARTMENTS (None when they are left
    as they are)."""
    errors = plan_errors(
        model=AnnualEntry,
        category=values["category"],
        planned_investment=values["planned_investment"],
        planned_start_month=values["planned_start_month"],
        planned_completion_month=values["planned_completion_month"],
    )
    errors.update(
        monthly_plan_errors(
            monthly_plan=values["monthly_plan"], planned_investment=values["planned_investment"]
        )
    )
    if departments is not None:
        errors.update(department_errors(departments))
    if values["completed_before_year"] is not None and values["completed_before_year"] < 0:
        errors["completed_before_year"] = _("截至上年底累计完成投资不能为负数。")
    for name, message in investment_errors(
        total_investment=values.get("total_investment"),
        completed_before_year=values["completed_before_year"],
        planned_investment=values["planned_investment"],
    ).items():
        errors.setdefault(name, message)
    return errors


def official_plan_errors(*, batch: Batch | None, published: int | None, planned_investment) -> dict:
    """Once official (its BATCH published), an entry's planned investment changes only through an
    approved plan change, so the PUBLISHED figure stays as the baseline."""
    if is_official(batch) and planned_investment != published:
        return {
            "planned_investment": _(
                "该项目已在正式清单中，年度计划投资只能通过“计划调整”申请变更，"
                "以保留原计划（{planned} 万元）。"
            ).format(planned=format_wan(published))
        }
    return {}


def assumed_start(*, year: int) -> int:
    """The start month a 新开工 entry of YEAR's list takes when its list has no 计划开工时间 column:
    December, the latest the list's year allows, so that no late-start light turns on before the office
    completes it (待补充)."""
    return 12


def assumed_completion(*, year: int, period: tuple[int, int] | None, end_month: int | None = None):
    """The completion month a 竣工投产 entry of YEAR's list takes when its list gives none, as
    (month, the year it is read in, basis): the last month of the construction PERIOD's final year
    (END_MONTH when the period names it and ends this year), else December of the list's year.
    Published lists carry 建设起止年限, not a completion month; the office completes it later (待补充).
    BASIS: "period" (taken from the period), "period_over" (the period ended before YEAR) or "year"."""
    if period is None:
        return 12, year, "year"
    end = period[1]
    if end < year:
        return 12, year, "period_over"
    if end == year and end_month:
        return end_month, year, "period"
    return 12, end, "period"

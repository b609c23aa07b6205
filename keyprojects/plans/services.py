"""Writes to the annual list: entries, batches, intake proposals and plan changes.

Each service checks its rules first (Chinese messages keyed by form field), then writes in one
transaction and leaves an audit entry, so a refused call writes nothing.

Visibility rule of this area (see selectors.py): entries of a draft batch (or of none) are the office's
alone until the batch is published; the entries of published batches are the official list.
"""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.lib.locking import save_versioned
from keyprojects.lib.money import format_wan
from keyprojects.lib.numbers import cn_numeral
from keyprojects.orgs.selectors import office_settings
from keyprojects.plans.entry_rules import (
    draft_errors,
    entry_errors,
    investment_errors,
    is_official,
    official_plan_errors,
    plan_errors,
)
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, PlanChange, Proposal
from keyprojects.projects.models import Project

# What entry_create and entry_update may set; the rest (baseline, version, list) moves by rule only.
ENTRY_FIELDS = (
    "category",
    "planned_investment",
    "completed_before_year",
    "goal",
    "planned_start_month",
    "planned_completion_month",
    "completion_month_assumed",
    "start_month_assumed",
    "leader",
    "monthly_plan",
    "note",
)
PROPOSAL_FIELDS = (
    "category",
    "planned_investment",
    "goal",
    "planned_start_month",
    "planned_completion_month",
    "reason",
)
MIN_YEAR, MAX_YEAR = 2000, 2100


def _label(model, name) -> str:
    return str(model._meta.get_field(name).verbose_name)


def batch_default_name(number: int) -> str:
    """第一批 … 第九十九批; from the hundredth in digits (第100批)."""
    return _("第{n}批").format(n=cn_numeral(number) if 0 < number < 100 else number)


def _format_curve(monthly_plan) -> str:
    if not monthly_plan:
        return _("平均分配")
    return "、".join(
        _("{month}月{amount}").format(month=m, amount=format_wan(v)) for m, v in enumerate(monthly_plan, 1)
    )


def entry_snapshot(entry: AnnualEntry) -> dict:
    """The entry as its history shows it: the curve in 万元 (not a list of yuan) and the baseline too."""
    values = snapshot(entry)
    values[_label(AnnualEntry, "monthly_plan")] = _format_curve(entry.monthly_plan)
    baseline = entry.baseline_investment
    values[_label(AnnualEntry, "baseline_investment")] = "" if baseline is None else format_wan(baseline)
    return values


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _batch_snapshot(batch: Batch) -> dict:
    values = snapshot(batch, fields={"name", "status"})
    values[_label(Batch, "published_at")] = _when(batch.published_at)
    return values


PROPOSAL_SHOWN = {*PROPOSAL_FIELDS, "status", "review_note"}


def _proposal_snapshot(proposal: Proposal) -> dict:
    return snapshot(proposal, fields=PROPOSAL_SHOWN)


def _change_snapshot(change: PlanChange) -> dict:
    return snapshot(change, fields={"old_amount", "new_amount", "reason", "status", "decision_note"})


def _add_departments_to_project(*, project: Project, departments, by) -> None:
    """An entry's responsible departments are always its project's too: the scoping gate lets a
    department see a project's entries and reports through the project's departments."""
    existing = set(project.departments.values_list("pk", flat=True))
    new = [d for d in departments if d.pk not in existing]
    if not new:
        return
    before = snapshot(project, fields={"departments"})
    project.departments.add(*new)
    # A project edit opened before this would set the departments back without ours: make it stale.
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1)
    audit_record(
        by=by,
        instance=project,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(project, fields={"departments"}),
        project=project,
    )


def raise_errors(errors: dict):
    """Raise ERRORS ({field: message}) as one ValidationError, if there are any."""
    if errors:
        raise ValidationError(errors)


# Entries


def entry_create(
    *,
    annual_list: AnnualList,
    batch: Batch | None,
    project: Project,
    by,
    category: str,
    planned_investment: int | None = None,
    completed_before_year: int | None = None,
    goal: str = "",
    planned_start_month: int | None = None,
    planned_completion_month: int | None = None,
    completion_month_assumed: bool = False,
    start_month_assumed: bool = False,
    departments=(),
    leader=None,
    monthly_plan: list[int] | None = None,
    note: str = "",
) -> AnnualEntry:
    """Put PROJECT on ANNUAL_LIST in BATCH, a draft batch of that list (it becomes official when the
    batch is published). The entry's departments are added to the project's. COMPLETION_MONTH_ASSUMED:
    the completion month was not given but assumed (an import of a list without one), shown 待补充;
    START_MONTH_ASSUMED the same for the start month."""
    departments = list(departments)
    figures = {
        "category": category,
        "planned_investment": planned_investment,
        "completed_before_year": completed_before_year,
        "planned_start_month": planned_start_month,
        "planned_completion_month": planned_completion_month,
        "monthly_plan": monthly_plan,
        "total_investment": project.total_investment,
    }
    errors = entry_errors(figures, departments=departments)
    if batch is None or batch.annual_list_id != annual_list.pk:
        errors["batch"] = _("请选择{year}年清单的一个草稿批次。").format(year=annual_list.year)
    elif batch.status != Batch.Status.DRAFT:
        errors["batch"] = _("“{batch}”已发布，新增项目只能放入草稿批次。").format(batch=batch.name)
    if AnnualEntry.objects.filter(annual_list=annual_list, project=project).exists():
        errors["project"] = _("“{name}”已在{year}年清单中。").format(name=project.name, year=annual_list.year)
    raise_errors(errors)

    entry = AnnualEntry(
        annual_list=annual_list,
        batch=batch,
        project=project,
        category=category,
        planned_investment=planned_investment,
        completed_before_year=completed_before_year,
        goal=goal or "",
        planned_start_month=planned_start_month,
        planned_completion_month=planned_completion_month,
        completion_month_assumed=bool(completion_month_assumed and planned_completion_month),
        start_month_assumed=bool(start_month_assumed and planned_start_month),
        leader=leader,
        monthly_plan=list(monthly_plan) if monthly_plan is not None else None,
        note=note or "",
    )
    entry.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        # The batch may have been published since it was picked; a published batch takes no additions.
        if (
            not Batch.objects.select_for_update()
            .filter(pk=batch.pk, status=Batch.Status.DRAFT)
            .order_by()
            .exists()
        ):
            raise ValidationError(
                {"batch": _("“{batch}”已发布，新增项目只能放入草稿批次。").format(batch=batch.name)}
            )
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            raise ValidationError(
                {
                    "project": _("“{name}”已在{year}年清单中。").format(
                        name=project.name, year=annual_list.year
                    )
                }
            ) from None
        entry.departments.set(departments)
        _add_departments_to_project(project=project, departments=departments, by=by)
        audit_record(
            by=by,
            instance=entry,
            action=AuditEntry.Action.CREATE,
            after=entry_snapshot(entry),
            project=project,
        )
    return entry


_UNSET = object()


def entry_update_values(stored: AnnualEntry, fields: dict) -> dict:
    """The entry fields as entry_update leaves them: FIELDS over STORED's, the 待补充 mark of the
    completion month gone once the month is set (unless FIELDS keep it)."""
    values = {name: fields.get(name, getattr(stored, name)) for name in ENTRY_FIELDS}
    if "completion_month_assumed" not in fields and fields.get("planned_completion_month") is not None:
        values["completion_month_assumed"] = False
    if values["planned_completion_month"] is None:
        values["completion_month_assumed"] = False
    if "start_month_assumed" not in fields and fields.get("planned_start_month") is not None:
        values["start_month_assumed"] = False
    if values["planned_start_month"] is None:
        values["start_month_assumed"] = False
    return values


def entry_update(
    *, entry: AnnualEntry, by, expected_version: int, departments=None, batch=_UNSET, **fields
) -> AnnualEntry:
    """Change an entry's plan fields (EditConflict on an outdated version).

    Once official (its batch published), its planned investment changes only through an
    approved plan change, so the published figure stays as the baseline. BATCH moves an entry between
    draft batches of its list. Setting the completion month (through the edit page, which always
    sends it) clears its 待补充 mark, unless COMPLETION_MONTH_ASSUMED is given too."""
    unknown = set(fields) - set(ENTRY_FIELDS)
    assert not unknown, f"entry_update cannot set {unknown}"
    stored = AnnualEntry.objects.select_related("batch", "annual_list", "project").get(pk=entry.pk)
    values = entry_update_values(stored, fields)
    departments = list(departments) if departments is not None else None

    errors = entry_errors(
        {**values, "total_investment": stored.project.total_investment}, departments=departments
    )
    errors.update(
        official_plan_errors(
            batch=stored.batch,
            published=stored.planned_investment,
            planned_investment=values["planned_investment"],
        )
    )
    if batch is not _UNSET and (batch.pk if batch else None) != stored.batch_id:
        if stored.batch is not None and stored.batch.status == Batch.Status.PUBLISHED:
            errors["batch"] = _("“{batch}”已发布，其中的项目不能移到其他批次。").format(
                batch=stored.batch.name
            )
        elif (
            batch is None
            or batch.annual_list_id != stored.annual_list_id
            or batch.status != Batch.Status.DRAFT
        ):
            errors["batch"] = _("只能移到{year}年清单的草稿批次。").format(year=stored.annual_list.year)
    raise_errors(errors)

    with transaction.atomic():
        before = entry_snapshot(stored)
        for name, value in values.items():
            setattr(entry, name, value)
        if batch is not _UNSET:
            entry.batch = batch
        entry.full_clean(validate_unique=False, validate_constraints=False)
        save_versioned(entry, expected_version=expected_version)
        if departments is not None:
            entry.departments.set(departments)
            _add_departments_to_project(project=entry.project, departments=departments, by=by)
        audit_record(
            by=by,
            instance=entry,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=entry_snapshot(entry),
            project=entry.project,
        )
    return entry


# Lists and batches


def annual_list_ensure(*, year: int, by) -> AnnualList:
    """The list of YEAR, created (and recorded) on first use."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": _("年度应在 {min} 至 {max} 之间。").format(min=MIN_YEAR, max=MAX_YEAR)}
        )
    with transaction.atomic():
        annual_list, created = AnnualList.objects.get_or_create(
            year=year,
            defaults={
                "title": _("{year}年重点项目清单").format(year=year),
                "report_deadline_workdays": office_settings().report_deadline_workdays,
            },
        )
        if created:
            audit_record(by=by, instance=annual_list, action=AuditEntry.Action.CREATE)
    return annual_list


def annual_lists_follow_deadline(*, by, settings, changed, today: dt.date | None = None) -> int:
    """After the office changed its statistics deadline (orgs.hooks.office_settings_changed, registered
    in PlansConfig.ready): this year's list and later ones take it; earlier years keep the deadline they
    ran under. Months already locked stay locked; open months follow at once (deadlines are computed).
    Returns the lists changed."""
    if "report_deadline_workdays" not in changed:
        return 0
    today = today or timezone.localdate()
    workdays = settings.report_deadline_workdays
    lists = list(
        AnnualList.objects.select_for_update()
        .filter(year__gte=today.year)
        .exclude(report_deadline_workdays=workdays)
    )
    for annual_list in lists:
        before = snapshot(annual_list)
        annual_list.report_deadline_workdays = workdays
        annual_list.save(update_fields=["report_deadline_workdays"])
        audit_record(by=by, instance=annual_list, action=AuditEntry.Action.UPDATE, before=before)
    return len(lists)


def batch_create(*, year: int, by, name: str = "") -> Batch:
    """Open the next batch (第N批) of YEAR's list, as a draft; the list is created with its first batch."""
    name = (name or "").strip()
    if len(name) > 50:
        raise ValidationError({"name": _("批次名称最多 50 个字。")})
    with transaction.atomic():
        annual_list = annual_list_ensure(year=year, by=by)
        # Two offices opening a batch at once must not both take the same number.
        AnnualList.objects.select_for_update().get(pk=annual_list.pk)
        number = (annual_list.batches.aggregate(n=Max("number"))["n"] or 0) + 1
        name = name or batch_default_name(number)
        if annual_list.batches.filter(name=name).exists():
            raise ValidationError({"name": _("{year}年清单已有“{name}”。").format(year=year, name=name)})
        batch = Batch.objects.create(annual_list=annual_list, number=number, name=name)
        audit_record(by=by, instance=batch, action=AuditEntry.Action.CREATE, after=_batch_snapshot(batch))
    return batch


def batch_publish(*, batch: Batch, by) -> Batch:
    """Publish a draft batch: its entries join the official list, and each keeps its planned investment
    as the baseline (原计划) that later plan changes are shown against."""
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Batch.Status.DRAFT:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("“{name}”已于 {at} 发布，不能重复发布。").format(
                        name=locked.name,
                        at=timezone.localtime(locked.published_at).strftime("%Y-%m-%d %H:%M"),
                    )
                }
            )
        if not locked.entries.exists():
            raise ValidationError(
                {NON_FIELD_ERRORS: _("“{name}”中还没有项目，不能发布。").format(name=locked.name)}
            )
        before = _batch_snapshot(locked)
        locked.status = Batch.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.save(update_fields=["status", "published_at", "published_by"])
        locked.entries.filter(baseline_investment__isnull=True).update(
            baseline_investment=F("planned_investment")
        )
        # An edit form opened on a draft entry now plays by the published rules: make it stale.
        locked.entries.update(version=F("version") + 1)
        audit_record(
            by=by,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=_batch_snapshot(locked),
        )
    batch.refresh_from_db()
    return batch


# Intake proposals (项目申报)


def proposal_year() -> int:
    """Proposals are for next year's list."""
    return timezone.localdate().year + 1


def proposal_submit_errors(proposal: Proposal) -> dict:
    """What a proposal must carry to be submitted: the plan rules, a goal and a reason; and its project
    must be neither on that year's list already nor proposed twice."""
    errors = plan_errors(
        model=Proposal,
        category=proposal.category,
        planned_investment=proposal.planned_investment,
        planned_start_month=proposal.planned_start_month,
        planned_completion_month=proposal.planned_completion_month,
    )
    if not (proposal.goal or "").strip():
        errors["goal"] = _("请填写年度形象进度目标。")
    if not (proposal.reason or "").strip():
        errors["reason"] = _("请填写申报理由。")
    if AnnualEntry.objects.filter(annual_list__year=proposal.year, project_id=proposal.project_id).exists():
        errors[NON_FIELD_ERRORS] = _("该项目已在{year}年清单中，无需申报。").format(year=proposal.year)
    elif (
        Proposal.objects.filter(
            year=proposal.year,
            project_id=proposal.project_id,
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.LISTED],
        )
        .exclude(pk=proposal.pk)
        .exists()
    ):
        errors[NON_FIELD_ERRORS] = _("该项目已有{year}年的申报正在审核或已列入清单，不能重复申报。").format(
            year=proposal.year
        )
    return errors


def _draft_errors(proposal: Proposal) -> dict:
    """A draft may be incomplete, but what it holds must make sense."""
    return draft_errors(
        model=Proposal,
        category=proposal.category,
        planned_investment=proposal.planned_investment,
        planned_start_month=proposal.planned_start_month,
        planned_completion_month=proposal.planned_completion_month,
    )


def _mark_submitted(proposal: Proposal):
    proposal.status = Proposal.Status.SUBMITTED
    proposal.submitted_at = timezone.now()


EDITABLE = (Proposal.Status.DRAFT, Proposal.Status.RETURNED)


def _not_editable(proposal) -> ValidationError:
    return ValidationError(
        {
            NON_FIELD_ERRORS: _("该申报当前为“{status}”，不能修改或再次申报。").format(
                status=proposal.get_status_display()
            )
        }
    )


def proposal_save(
    *,
    by,
    project: Project | None = None,
    proposal: Proposal | None = None,
    expected_version: int | None = None,
    submit: bool = False,
    **fields,
) -> Proposal:
    """Create a draft for PROJECT, or change PROPOSAL (a draft, or one returned for changes); with
    SUBMIT, also submit it, all or nothing: a refused submission saves nothing."""
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    assert not unknown, f"proposal_save cannot set {unknown}"
    assert (project is None) != (proposal is None), "give a project (new) or a proposal (change)"
    creating = proposal is None
    if creating:
        proposal = Proposal(project=project, year=proposal_year(), proposed_by=by)
    elif proposal.status not in EDITABLE:
        raise _not_editable(proposal)
    before = {} if creating else _proposal_snapshot(Proposal.objects.get(pk=proposal.pk))
    for name, value in fields.items():
        setattr(proposal, name, "" if value is None and name in ("goal", "reason") else value)
    errors = _draft_errors(proposal)
    if submit and not errors:
        errors = proposal_submit_errors(proposal)
    raise_errors(errors)
    proposal.full_clean(exclude=["status"])
    with transaction.atomic():
        if submit:
            _mark_submitted(proposal)
        if creating:
            proposal.save()
            audit_record(
                by=by,
                instance=proposal,
                action=AuditEntry.Action.CREATE,
                after=_proposal_snapshot(proposal),
                project=proposal.project,
            )
        else:
            save_versioned(proposal, expected_version=expected_version)
            audit_record(
                by=by,
                instance=proposal,
                action=AuditEntry.Action.UPDATE,
                before=before,
                after=_proposal_snapshot(proposal),
                project=proposal.project,
            )
    return proposal


def proposal_submit(*, proposal: Proposal, by) -> Proposal:
    """Submit a draft or a returned proposal for the office's review, if complete."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in EDITABLE:
            raise _not_editable(locked)
        raise_errors(proposal_submit_errors(locked))
        before = _proposal_snapshot(locked)
        _mark_submitted(locked)
        locked.version += 1
        locked.save()
        audit_record(
            by=by,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=_proposal_snapshot(locked),
            project=locked.project,
        )
    return locked


class Decision:
    RESERVE = "reserve"
    LIST = "list"
    RETURN = "return"


def proposal_review(
    *, proposal: Proposal, by, decision: str, note: str = "", batch: Batch | None = None
) -> Proposal:
    """The office's decision on a submitted proposal: into the reserve (the project's stage stays as it
    is), onto the list (an entry in BATCH, a draft batch of the proposal's year), or back to the proposer
    with a reason they can act on."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",)).select_related("project").get(pk=proposal.pk)
        )
        if locked.status != Proposal.Status.SUBMITTED:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("该申报当前为“{status}”，不在待审核状态。").format(
                        status=locked.get_status_display()
                    )
                }
            )
        before = _proposal_snapshot(locked)
        if decision == Decision.RETURN:
            if not note:
                raise ValidationError({"note": _("退回时请写明退回原因，申报单位将据此修改。")})
            locked.status = Proposal.Status.RETURNED
        elif decision == Decision.RESERVE:
            locked.status = Proposal.Status.RESERVE
        elif decision == Decision.LIST:
            if batch is None or batch.annual_list.year != locked.year:
                raise ValidationError(
                    {"batch": _("请选择{year}年清单的一个草稿批次。").format(year=locked.year)}
                )
            project = locked.project
            locked.entry = entry_create(
                annual_list=batch.annual_list,
                batch=batch,
                project=project,
                by=by,
                category=locked.category,
                planned_investment=locked.planned_investment,
                goal=locked.goal,
                planned_start_month=locked.planned_start_month,
                planned_completion_month=locked.planned_completion_month,
                departments=list(project.departments.all()),
                leader=project.leader,
            )
            locked.status = Proposal.Status.LISTED
        else:
            raise ValidationError({"decision": _("请选择审核结果：纳入储备、列入清单或退回修改。")})
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        locked.review_note = note
        locked.version += 1
        locked.save()
        audit_record(
            by=by,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=_proposal_snapshot(locked),
            project=locked.project,
        )
    return locked


# Plan changes (计划调整)


def plan_change_request(*, entry: AnnualEntry, by, new_amount: int | None, reason: str) -> PlanChange:
    """Ask the office to change an official entry's planned investment to NEW_AMOUNT, with a reason."""
    reason = (reason or "").strip()
    errors = {}
    if new_amount is None:
        errors["new_amount"] = _("请填写调整后的年度计划投资（万元）。")
    elif new_amount < 0:
        errors["new_amount"] = _("调整后的计划投资不能为负数。")
    elif new_amount == entry.planned_investment:
        errors["new_amount"] = _("调整后计划与现行计划相同（{amount} 万元），无需调整。").format(
            amount=format_wan(new_amount)
        )
    if not reason:
        errors["reason"] = _("请填写调整理由。")
    if "new_amount" not in errors:
        errors.update(_plan_change_sum_errors(entry, new_amount, field="new_amount"))
    raise_errors(errors)
    with transaction.atomic():
        locked = AnnualEntry.objects.select_for_update(of=("self",)).select_related("batch").get(pk=entry.pk)
        if not is_official(locked.batch):
            name = locked.batch.name if locked.batch else _("未分批")
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "“{batch}”尚未发布，草稿中的计划由重点办直接修改，无需申请调整。"
                    ).format(batch=name)
                }
            )
        if locked.plan_changes.filter(status=PlanChange.Status.PENDING).exists():
            raise ValidationError(
                {NON_FIELD_ERRORS: _("该项目已有一条待审批的计划调整申请，请等待重点办审批后再提交。")}
            )
        change = PlanChange.objects.create(
            entry=locked,
            old_amount=locked.planned_investment,
            new_amount=new_amount,
            reason=reason,
            requested_by=by,
        )
        audit_record(
            by=by,
            instance=change,
            action=AuditEntry.Action.CREATE,
            after=_change_snapshot(change),
            project=locked.project,
        )
    return change


def _plan_change_sum_errors(entry: AnnualEntry, new_amount: int, *, field: str) -> dict:
    """A changed plan is held to the list's sums: no more than the project's total minus what was
    done before the year."""
    errors = investment_errors(
        total_investment=entry.project.total_investment,
        completed_before_year=entry.completed_before_year,
        planned_investment=new_amount,
    )
    return {field: errors["planned_investment"]} if "planned_investment" in errors else {}


def plan_change_decide(*, change: PlanChange, by, approve: bool, note: str = "") -> PlanChange:
    """The office approves or rejects a pending plan change. On approval the entry's plan becomes the
    new amount; its baseline keeps the published figure (taken now if it was never set), and a monthly
    curve made for the old figure goes back to an even split."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = PlanChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != PlanChange.Status.PENDING:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("该申请已审批（{status}），不能再次审批。").format(
                        status=locked.get_status_display()
                    )
                }
            )
        if not approve and not note:
            raise ValidationError({"note": _("驳回时请写明理由。")})
        before_change = _change_snapshot(locked)
        if approve:
            entry = (
                AnnualEntry.objects.select_for_update(of=("self",))
                .select_related("project")
                .get(pk=locked.entry_id)
            )
            # The project's total or done-before may have changed since the request.
            raise_errors(_plan_change_sum_errors(entry, locked.new_amount, field=NON_FIELD_ERRORS))
            before_entry = entry_snapshot(entry)
            first_change = not entry.plan_changes.filter(status=PlanChange.Status.APPROVED).exists()
            if entry.baseline_investment is None and first_change:
                entry.baseline_investment = entry.planned_investment
            locked.old_amount = entry.planned_investment
            entry.planned_investment = locked.new_amount
            entry.monthly_plan = None
            entry.version += 1
            entry.save()
            audit_record(
                by=by,
                instance=entry,
                action=AuditEntry.Action.UPDATE,
                before=before_entry,
                after=entry_snapshot(entry),
                project=entry.project,
            )
        locked.status = PlanChange.Status.APPROVED if approve else PlanChange.Status.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save()
        audit_record(
            by=by,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            before=before_change,
            after=_change_snapshot(locked),
            project=locked.entry.project,
        )
    return locked

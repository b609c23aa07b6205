"""apply: writes a plan in one transaction, all rows or none.

Through the registry's and the list's own services (project_create, project_update, entry_create,
entry_update, batch_create), so imported records keep every rule and leave the same history as
records typed in; a large plan is written in bulk (bulk.py) with exactly the same records. The plan is
made again inside the transaction, so a preview the database has since overtaken is not applied.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.imports.bulk import apply_bulk
from keyprojects.plans.imports.names import NameChoices, names_resolve, unanswered
from keyprojects.plans.imports.plan import NEW_PROJECT_FIELDS, Plan, PlannedRow, build_plan
from keyprojects.plans.imports.rows import parse_file
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch
from keyprojects.plans.services import (
    annual_list_ensure,
    batch_create,
    batch_default_name,
    entry_create,
    entry_update,
)
from keyprojects.projects.models import Project, Sector
from keyprojects.projects.services import project_create, project_update

BATCH_NEW = "new"


def bulk_rows():
    """From this many rows to write, apply_plan writes in bulk (see bulk.py)."""
    return getattr(settings, "KP_IMPORT_BULK_ROWS", 50)


class ApplyRejected(Exception):
    """The plan made inside the apply transaction rejects rows (the database changed since the preview)."""

    def __init__(self, plan):
        super().__init__(f"{len(plan.rejections)} rejections")
        self.plan = plan


def run_import(
    path, *, name: str, year: int, by, batch=BATCH_NEW, choices: NameChoices | None = None, progress=None
) -> tuple[Plan, dict]:
    """Parse the file, then plan and apply it in one transaction: all rows or none. The plan is made
    again inside the transaction, so a preview that the database has since overtaken cannot be
    applied as it was. Names the system does not know are answered by CHOICES (aliases kept,
    organisations created, in the same transaction) before the plan is made again. Raises
    ImportRefused, ApplyRejected or ValidationError (nothing written)."""
    parsed = parse_file(path, name=name, year=year)
    with transaction.atomic():
        plan = build_plan(parsed, year=year)
        made = {}
        if plan.unknown and choices and not plan.rejections and not unanswered(plan.unknown_names(), choices):
            resolved, made = names_resolve(plan.unknown_names(), choices, by=by)
            plan = build_plan(parsed, year=year, resolved=resolved)
            plan.made = made
        if not plan.ok:
            raise ApplyRejected(plan)
        result = apply_plan(plan, by=by, batch=batch, progress=progress)
        if made:
            result["aliases"] = made["aliases"]
            result["created_names"] = made["created"]
            result["new_owners"] += made["created"].get("owner", 0)
    return plan, result


def apply_plan(plan: Plan, *, by, batch=BATCH_NEW, progress=None) -> dict:
    """Write PLAN through the registry's and the list's own services (project_create, project_update,
    entry_create, entry_update, batch_create), so imported records keep every rule and leave the same
    history as records typed in. New entries go to BATCH: a draft Batch or its pk, {"number": N}, or
    "new" for the next 第N批. Call inside transaction.atomic(): any exception leaves nothing written."""
    assert transaction.get_connection().in_atomic_block, "apply_plan must run inside a transaction"
    if not plan.ok:
        raise ApplyRejected(plan)
    todo = [r for r in plan.rows if r.action != "unchanged"]
    result = {
        "created": 0,
        "updated": 0,
        "unchanged": len(plan.rows) - len(todo),
        "new_projects": 0,
        "new_owners": 0,
    }
    if not todo:
        return result  # the same file twice: nothing written, nothing recorded
    target = _target_batch(plan.year, batch, by) if any(r.action == "create" for r in todo) else None
    annual_list = target.annual_list if target else AnnualList.objects.get(year=plan.year)
    owners = _create_owners(plan.new_owners, by)
    result["new_owners"] = len(owners)
    related, departments = _related(todo)
    writes = {
        "annual_list": annual_list,
        "target": target,
        "owners": owners,
        "related": related,
        "departments": departments,
        "by": by,
        "progress": progress,
    }
    if len(todo) >= bulk_rows():
        apply_bulk(todo, **writes)
    else:
        _apply_each(todo, **writes)
    result["created"] = sum(1 for r in todo if r.action == "create")
    result["updated"] = len(todo) - result["created"]
    result["new_projects"] = sum(1 for r in todo if r.new_project is not None)
    if target is not None:
        result["batch"] = target.name
    return result


def _create_owners(new_owners, by) -> dict:
    """{owner key: Organisation} of the owners the plan names for the first time, created now."""
    owners = {}
    for key, name in new_owners.items():
        owner = Organisation(kind=Organisation.Kind.OWNER, name=name[:100])
        owner.full_clean()
        owner.save()
        audit_record(by=by, instance=owner, action=AuditEntry.Action.CREATE)
        owners[key] = owner
    return owners


def _related(todo) -> tuple[dict, dict]:
    """Related objects fetched once for all rows: handed to the services as instances, the history
    snapshots and search keys find them cached instead of querying each one again for every row.
    ({"owner"/"district"/"sector"/"leader": {pk: object}}, {pk: department})"""
    new = [r.new_project for r in todo if r.new_project is not None]

    def ids(name):
        at = NEW_PROJECT_FIELDS.index(name)
        return {p[at] for p in new if p[at]}

    leaders = User.objects.in_bulk(
        {r.entry["leader_id"] for r in todo if r.entry.get("leader_id")} | ids("leader_id")
    )
    departments = Organisation.objects.in_bulk({d for r in todo for d in (r.departments or ())})
    related = {
        "owner": Organisation.objects.in_bulk(ids("owner_id")),
        "district": Organisation.objects.in_bulk(ids("district_id")),
        "sector": Sector.objects.in_bulk(ids("sector_id")),
        "leader": leaders,
    }
    return related, departments


def _apply_each(todo, *, annual_list, target, owners, related, departments, by, progress=None) -> None:
    """TODO written row by row through the services."""
    leaders = related["leader"]
    for n, row in enumerate(todo, start=1):
        project = _apply_project(row, owners, related, departments, by)
        fields = {k: v for k, v in row.entry.items() if k != "leader_id"}
        if "leader_id" in row.entry:
            fields["leader"] = leaders[row.entry["leader_id"]]
        entry_departments = None if row.departments is None else [departments[d] for d in row.departments]
        if row.action == "create":
            entry_create(
                annual_list=annual_list,
                batch=target,
                project=project,
                by=by,
                departments=entry_departments or (),
                **fields,
            )
        else:
            entry = AnnualEntry.objects.select_related("project").get(pk=row.entry_id)
            entry_update(
                entry=entry, by=by, expected_version=entry.version, departments=entry_departments, **fields
            )
        if progress and n % 50 == 0:
            progress(n, len(todo))
    if progress:
        progress(len(todo), len(todo))


def _target_batch(year, batch, by) -> Batch:
    if batch in (BATCH_NEW, None):
        return batch_create(year=year, by=by)
    if isinstance(batch, dict):  # {"number": N} from the command line: that batch, or the next one
        number = int(batch["number"])
        annual_list = annual_list_ensure(year=year, by=by)
        target = annual_list.batches.filter(number=number).first()
        if target is None:
            following = (annual_list.batches.aggregate(n=Max("number"))["n"] or 0) + 1
            if number != following:
                raise ValidationError(
                    _("%(year)s年清单没有%(name)s；下一个新批次是%(next)s。")
                    % {
                        "year": year,
                        "name": batch_default_name(number),
                        "next": batch_default_name(following),
                    }
                )
            return batch_create(year=year, by=by)
    else:
        target = Batch.objects.filter(pk=batch.pk if isinstance(batch, Batch) else batch).first()
        if target is None or target.annual_list.year != year:
            raise ValidationError(_("所选批次不属于 %(year)s 年清单。") % {"year": year})
    if target.status != Batch.Status.DRAFT:
        raise ValidationError(_("“%(batch)s”已发布，不能再加入项目。") % {"batch": target.name})
    return target


def _apply_project(row: PlannedRow, owners, related, departments, by) -> Project:
    if row.new_project is not None:
        fields = row.project_fields()
        owner_key = fields.pop("owner_key")
        for name, objects in related.items():
            pk = fields.pop(f"{name}_id")
            fields[name] = objects[pk] if pk else None
        fields["owner"] = fields["owner"] or owners[owner_key]
        project = project_create(by=by, departments=[departments[d] for d in row.departments or ()], **fields)
        row.project_id = project.pk
        return project
    project = Project.objects.select_related("owner").get(pk=row.project_id)
    if row.fill:
        project = project_update(project=project, by=by, expected_version=project.version, **row.fill)
    return project

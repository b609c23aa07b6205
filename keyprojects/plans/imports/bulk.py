"""apply, in bulk: a large plan written with a few statements for all its rows (part of the apply stage).

Why: through the services every row costs some sixteen queries (checks, saves, history), so a
10,000-row list held the one all-or-nothing transaction, and on SQLite the database's only write
lock, for two minutes. From bulk_rows() rows to write, apply_bulk writes exactly the records that
project_create, project_update, entry_create and entry_update would (fields, search keys, version
bumps, stage changes, departments, history entries with the same changes, in the same order), with
a few queries for all rows: the entry rules (plans.entry_rules) still run for every row, in Python;
what full_clean would ask the database row by row (foreign keys, the unique project code) and the entry
already on the list are asked once for the whole file. The services stay the reference: a test
imports the same files both ways and compares every record.
"""

import gc
from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_entry_build, snapshot
from keyprojects.orgs.models import Organisation
from keyprojects.plans.entry_rules import entry_errors, official_plan_errors
from keyprojects.plans.imports.lookups import chunks
from keyprojects.plans.models import AnnualEntry, Batch
from keyprojects.plans.services import ENTRY_FIELDS, entry_snapshot, entry_update_values, raise_errors
from keyprojects.projects.models import Project, StageChange
from keyprojects.projects.services import project_refresh_search_text

PROJECT_KEYS = ("owner", "district", "sector", "leader", "parent")
ENTRY_KEYS = ("annual_list", "batch", "project", "leader")
FILL_FIELDS = ("code", "location", "content", "contact", "phone", "leader")


def apply_bulk(todo, *, annual_list, target, owners, related, departments, by, progress=None) -> None:
    """Write TODO (the plan's rows to create or update) as the services would, row by row, but with a
    few queries for all rows. Run inside the import's transaction."""
    bulk = _Bulk(todo, departments=departments)
    for n, row in enumerate(todo, start=1):
        bulk.add(row, annual_list=annual_list, target=target, owners=owners, related=related)
        if progress and n % 500 == 0:
            progress(n * 9 // 10, len(todo))  # the writes below are the last tenth
    bulk.check(annual_list=annual_list, target=target)
    bulk.write(by)
    if progress:
        progress(len(todo), len(todo))


@contextmanager
def gc_paused():
    """Python's cycle collector would scan the hundreds of thousands of objects apply_bulk keeps
    until its writes (instances, history snapshots) over and over as they pile up: half of a 10,000-row
    apply. None of them is garbage before the end, so it is paused meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Bulk:
    """The records of the rows, made in the services' order in memory, then checked and written."""

    def __init__(self, todo, *, departments):
        self.now = timezone.now()
        self.departments = departments
        # (instance, action, before, after or a function giving it, project), in service order
        self.history = []
        self.new_projects, self.filled, self.versions, self.project_links = [], [], {}, []
        self.new_entries, self.updated_entries, self.entry_links, self.entry_unlinks = [], [], [], []
        existing = {r.project_id for r in todo if r.new_project is None}
        self.projects = Project.objects.select_related(*PROJECT_KEYS).in_bulk(existing)
        self.stored = AnnualEntry.objects.select_related("batch", "annual_list", "project", "leader").in_bulk(
            {r.entry_id for r in todo if r.action == "update"}
        )
        self.project_departments = _links(Project.departments.through, "project_id", self.projects)
        self.entry_departments = _links(AnnualEntry.departments.through, "annualentry_id", self.stored)
        self.orgs = Organisation.objects.in_bulk(
            {
                oid
                for links in (self.project_departments, self.entry_departments)
                for ids in links.values()
                for oid, _pk in ids
            }
        )
        self.orgs.update(departments)

    def add(self, row, *, annual_list, target, owners, related) -> None:
        entry_orgs = None if row.departments is None else [self.departments[d] for d in row.departments]
        project, project_orgs = self._project(row, entry_orgs, owners=owners, related=related)
        fields = {k: v for k, v in row.entry.items() if k != "leader_id"}
        fields["leader"] = related["leader"][row.entry["leader_id"]] if "leader_id" in row.entry else None
        if row.action == "create":
            entry_orgs = entry_orgs or []
            entry, before, after = self._new_entry(fields, entry_orgs, annual_list, target, project)
        else:
            if "leader_id" not in row.entry:
                fields.pop("leader")
            entry, before, after = self._updated_entry(row, fields, entry_orgs, project)
        self._add_departments_to_project(project, project_orgs, entry_orgs)
        action = AuditEntry.Action.CREATE if row.action == "create" else AuditEntry.Action.UPDATE
        self.history.append((entry, action, before, after, project))

    def _project(self, row, entry_orgs, *, owners, related):
        """project_create's or project_update's record of ROW's project, and its departments."""
        if row.new_project is not None:
            fields = dict(row.new_project)
            owner_key = fields.pop("owner_key")
            for name, objects in related.items():
                pk = fields.pop(f"{name}_id")
                fields[name] = objects[pk] if pk else None
            fields["owner"] = fields["owner"] or owners[owner_key]
            project = Project(**fields)
            project_refresh_search_text(project)
            _clean(project, PROJECT_KEYS, validate_unique=False)
            project_orgs = list(entry_orgs or ())
            _prime_departments(project, project_orgs)
            self.new_projects.append(project)
            self.project_links.extend((project, d) for d in project_orgs)
            self.history.append((project, AuditEntry.Action.CREATE, None, _later(snapshot, project), project))
            return project, project_orgs
        project = self.projects[row.project_id]
        project_orgs = [self.orgs[oid] for oid, _pk in self.project_departments.get(project.pk, ())]
        _prime_departments(project, project_orgs)
        if row.fill:
            before = snapshot(project)
            for name, value in row.fill.items():
                setattr(project, name, value)
            if row.fill.get("leader_id"):
                project.leader = related["leader"][row.fill["leader_id"]]
            project_refresh_search_text(project)
            _clean(project, PROJECT_KEYS, validate_unique=False)
            project.updated_at = self.now
            self.filled.append(project)
            self.versions[project] = project.version + 1
            self.history.append((project, AuditEntry.Action.UPDATE, before, snapshot(project), project))
        return project, project_orgs

    def _new_entry(self, fields, entry_orgs, annual_list, target, project):
        """entry_create's entry, (entry, before, after) for its history."""
        values = {name: fields.get(name) for name in ENTRY_FIELDS}
        values["completion_month_assumed"] = bool(
            values["completion_month_assumed"] and values["planned_completion_month"]
        )
        values["start_month_assumed"] = bool(values["start_month_assumed"] and values["planned_start_month"])
        entry = AnnualEntry(
            annual_list=annual_list,
            batch=target,
            project=project,
            **{**values, "goal": values["goal"] or "", "note": values["note"] or ""},
        )
        raise_errors(
            entry_errors({**values, "total_investment": project.total_investment}, departments=entry_orgs)
        )
        _clean(entry, ENTRY_KEYS)
        _prime_departments(entry, entry_orgs)
        self.new_entries.append(entry)
        self.entry_links.extend((entry, d) for d in entry_orgs)
        return entry, None, _later(entry_snapshot, entry)

    def _updated_entry(self, row, fields, entry_orgs, project):
        """entry_update's change to ROW's entry, (entry, before, after) for its history."""
        entry = self.stored[row.entry_id]
        values = entry_update_values(entry, fields)
        errors = entry_errors(
            {**values, "total_investment": project.total_investment}, departments=entry_orgs or []
        )
        errors.update(
            official_plan_errors(
                batch=entry.batch,
                published=entry.planned_investment,
                planned_investment=values["planned_investment"],
            )
        )
        raise_errors(errors)
        old_orgs = [self.orgs[oid] for oid, _pk in self.entry_departments.get(entry.pk, ())]
        _prime_departments(entry, old_orgs)
        before = entry_snapshot(entry)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.project = project
        _clean(entry, ENTRY_KEYS)
        entry.version += 1
        entry.updated_at = self.now
        self.updated_entries.append(entry)
        if entry_orgs is not None:
            keep = {d.pk for d in entry_orgs}
            self.entry_unlinks.extend(
                pk for oid, pk in self.entry_departments.get(entry.pk, ()) if oid not in keep
            )
            have = {d.pk for d in old_orgs}
            self.entry_links.extend((entry, d) for d in entry_orgs if d.pk not in have)
            _prime_departments(entry, entry_orgs)
        return entry, before, entry_snapshot(entry)

    def _add_departments_to_project(self, project, project_orgs, entry_orgs) -> None:
        """plans.services._add_departments_to_project: the entry's departments are its project's too."""
        have = {d.pk for d in project_orgs}
        added = [d for d in entry_orgs or () if d.pk not in have]
        if not added:
            return
        before = snapshot(project, fields={"departments"})
        _prime_departments(project, project_orgs + added)
        self.project_links.extend((project, d) for d in added)
        self.versions[project] = self.versions.get(project, project.version) + 1
        after = snapshot(project, fields={"departments"})
        self.history.append((project, AuditEntry.Action.UPDATE, before, after, project))

    def check(self, *, annual_list, target) -> None:
        """What full_clean and entry_create would have asked the database for each row, asked once."""
        _check_foreign_keys(Project, self.new_projects + self.filled, PROJECT_KEYS)
        _check_unique_codes(self.new_projects + self.filled)
        if not self.new_entries:
            return
        if (
            not Batch.objects.select_for_update()
            .filter(pk=target.pk, status=Batch.Status.DRAFT)
            .order_by()
            .exists()
        ):
            raise ValidationError(
                {"batch": _("“{batch}”已发布，新增项目只能放入草稿批次。").format(batch=target.name)}
            )
        listed = {e.project_id for e in self.new_entries if e.project_id}
        for chunk in chunks(listed):
            taken = AnnualEntry.objects.filter(annual_list=annual_list, project_id__in=chunk).first()
            if taken is not None:
                raise ValidationError(
                    {
                        "project": _("“{name}”已在{year}年清单中。").format(
                            name=self.projects[taken.project_id].name, year=annual_list.year
                        )
                    }
                )

    def write(self, by) -> None:
        """The writes, a few statements each for all rows."""
        Project.objects.bulk_create(self.new_projects)
        StageChange.objects.bulk_create(
            StageChange(
                project=p,
                from_stage="",
                to_stage=p.stage,
                date=timezone.localdate(),
                by=by,
                note=_("项目入库"),
            )
            for p in self.new_projects
        )
        for project, version in self.versions.items():
            project.version = version
        Project.objects.bulk_update(
            self.filled, [*FILL_FIELDS, "search_text", "version", "updated_at"], batch_size=500
        )
        Project.objects.bulk_update(
            [p for p in self.versions if p not in self.filled], ["version"], batch_size=500
        )
        Project.departments.through.objects.bulk_create(
            Project.departments.through(project_id=p.pk, organisation_id=d.pk) for p, d in self.project_links
        )
        for entry in self.new_entries:
            entry.project = entry.project  # takes the pk its new project has been given since
        _check_foreign_keys(AnnualEntry, self.new_entries + self.updated_entries, ENTRY_KEYS)
        AnnualEntry.objects.bulk_create(self.new_entries)
        AnnualEntry.objects.bulk_update(
            self.updated_entries, [*ENTRY_FIELDS, "version", "updated_at"], batch_size=500
        )
        through = AnnualEntry.departments.through
        for chunk in chunks(self.entry_unlinks):
            through.objects.filter(pk__in=chunk).delete()
        through.objects.bulk_create(
            through(annualentry_id=e.pk, organisation_id=d.pk) for e, d in self.entry_links
        )
        AuditEntry.objects.bulk_create(
            record
            for instance, action, before, after, project in self.history
            if (
                record := audit_entry_build(
                    by=by,
                    instance=instance,
                    action=action,
                    before=before,
                    after=after() if callable(after) else after,
                    project=project,
                )
            )
        )


def _links(through, column, objects) -> dict:
    """{object pk: [(organisation pk, link pk), …]} of the department links of OBJECTS."""
    links = defaultdict(list)
    for chunk in chunks(objects):
        for pk, owner_pk, org_pk in through.objects.filter(**{f"{column}__in": chunk}).values_list(
            "pk", column, "organisation_id"
        ):
            links[owner_pk].append((org_pk, pk))
    return links


def _prime_departments(instance, orgs) -> None:
    """Let snapshot() read INSTANCE's departments from memory, as they are after this row, not query them."""
    cached = Organisation.objects.all()
    cached._result_cache = list(orgs)
    cached._prefetch_done = True
    instance._prefetched_objects_cache = {"departments": cached}


def _later(function, *args):
    return lambda: function(*args)


def _clean(instance, keys, **kwargs) -> None:
    """full_clean without the queries: foreign keys are checked for all rows by _check_foreign_keys,
    the project code's uniqueness by _check_unique_codes; the database's own constraints guard the rest
    (the plan has already checked what they say: years in order, no negative amount)."""
    instance.full_clean(exclude=keys, validate_unique=False, validate_constraints=False)


def _check_foreign_keys(model, instances, keys) -> None:
    """ForeignKey.validate (the row exists and is within limit_choices_to), one query a key for all."""
    for key in keys:
        field = model._meta.get_field(key)
        ids = {getattr(i, field.attname) for i in instances} - {None}
        found = set()
        for chunk in chunks(ids):
            found.update(
                field.remote_field.model._base_manager.filter(pk__in=chunk)
                .complex_filter(field.get_limit_choices_to())
                .values_list("pk", flat=True)
            )
        for value in sorted(ids - found):
            raise ValidationError(
                {
                    key: ValidationError(
                        field.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": field.remote_field.model._meta.verbose_name,
                            "pk": value,
                            "field": field.remote_field.field_name,
                            "value": value,
                        },
                    )
                }
            )


def _check_unique_codes(projects) -> None:
    codes = {p.code: p for p in projects if p.code}
    for chunk in chunks(codes):
        for code, pk in Project.objects.filter(code__in=chunk).values_list("code", "pk"):
            if pk != codes[code].pk:
                raise ValidationError({"code": [codes[code].unique_error_message(Project, ("code",))]})

"""apply, in bulk: a large plan written a few statements per chunk of rows (part of the apply stage).

Why: through the services every row costs some sixteen queries (checks, saves, history), so a
10,000-row list held the one all-or-nothing transaction, and on SQLite the database's only write
lock, for two minutes. From bulk_rows() rows to write, apply_bulk writes exactly the records that
project_create, project_update, entry_create and entry_update would (fields, search keys, version
bumps, stage changes, departments, history entries with the same changes, in the same order), with
a few queries for all rows: the entry rules (plans.entry_rules) still run for every row, in Python;
what full_clean would ask the database row by row (foreign keys, the unique project code) and the entry
already on the list are asked once per chunk. The rows are made, checked and written chunk_rows() at a
time inside the one transaction, each chunk's instances and history let go before the next, so a
100,000-row list needs the memory of one chunk, not of the whole list. The services stay the
reference: a test imports the same files both ways and compares every record.
"""

import gc
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_changes, snapshot
from keyprojects.lib.bulk import insert_new, needs_preparing
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


def chunk_rows():
    """Rows built, checked and written together; their records are let go before the next ones."""
    return getattr(settings, "KP_IMPORT_CHUNK_ROWS", 2000)


def apply_bulk(todo, *, annual_list, target, owners, related, departments, by, progress=None) -> None:
    """Write TODO (the plan's rows to create or update) as the services would, row by row, but with a
    few queries for every chunk of rows. Run inside the import's transaction: a chunk that fails after
    others were written leaves nothing, as the transaction is rolled back."""
    now = timezone.now()
    size = chunk_rows()
    # The parsed file, the plan and Django's own objects stay alive throughout: left out of the
    # collector's full passes, which otherwise walk them again and again while the chunks are built.
    gc.freeze()
    try:
        for start in range(0, len(todo), size):
            rows = todo[start : start + size]
            bulk = _Bulk(rows, departments=departments, now=now)
            for row in rows:
                bulk.add(row, annual_list=annual_list, target=target, owners=owners, related=related)
            bulk.check(annual_list=annual_list, target=target)
            bulk.write(by)
            del bulk  # this chunk's instances and history, before the next chunk's are made
            if progress:
                progress(start + len(rows), len(todo))
    finally:
        gc.unfreeze()


class _Bulk:
    """The records of the rows, made in the services' order in memory, then checked and written."""

    def __init__(self, todo, *, departments, now):
        self.now = now
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
            fields = row.project_fields()
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
        """The writes, a few statements each for all rows. bulk_create and bulk_update would build
        their SQL value by value, most of the time of an import: new projects and entries go by
        _create (their keys come back), the rows whose keys nothing needs (stage changes, department
        links, history) and the updates by executemany."""
        insert_new(Project, self.new_projects)
        today, note = timezone.localdate(), _("项目入库")
        _insert(
            StageChange,
            ("project", "from_stage", "to_stage", "date", "note", "by", "created_at"),
            ((p.pk, "", p.stage, today, note, by.pk, timezone.now()) for p in self.new_projects),
        )
        for project, version in self.versions.items():
            project.version = version
        _update(Project, [*FILL_FIELDS, "search_text", "version", "updated_at"], self.filled)
        _update(Project, ["version"], [p for p in self.versions if p not in self.filled])
        _insert(
            Project.departments.through,
            ("project", "organisation"),
            ((p.pk, d.pk) for p, d in self.project_links),
        )
        for entry in self.new_entries:
            entry.project = entry.project  # takes the pk its new project has been given since
        _check_foreign_keys(AnnualEntry, self.new_entries + self.updated_entries, ENTRY_KEYS)
        insert_new(AnnualEntry, self.new_entries)
        _update(AnnualEntry, [*ENTRY_FIELDS, "version", "updated_at"], self.updated_entries)
        through = AnnualEntry.departments.through
        for chunk in chunks(self.entry_unlinks):
            through.objects.filter(pk__in=chunk).delete()
        _insert(through, ("annualentry", "organisation"), ((e.pk, d.pk) for e, d in self.entry_links))
        _insert(AuditEntry, AUDIT_COLUMNS, self._audit_rows(by))

    def _audit_rows(self, by):
        """audit_entry_build's records of the history, as rows of AUDIT_COLUMNS."""
        for instance, action, before, after, project in self.history:
            changes = audit_changes(action=action, before=before, after=after() if callable(after) else after)
            if changes is not None:
                yield (
                    timezone.now(),
                    by.pk if by is not None else None,
                    action,
                    instance._meta.label,
                    str(instance.pk),
                    str(instance)[:200],
                    project.pk if project is not None else None,
                    changes,
                )


AUDIT_COLUMNS = ("at", "user", "action", "model", "object_id", "object_repr", "project", "changes")


def _insert(model, names, rows, size=2000) -> None:
    """INSERT ROWS (tuples of NAMES' values, every column but the key) into MODEL's table by
    executemany, each value prepared for the database as save() would."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    _executemany(sql, fields, rows, size)


def _update(model, names, instances, size=2000) -> None:
    """bulk_update(INSTANCES, NAMES) as one UPDATE … WHERE pk = %s by executemany."""
    if not instances:
        return
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(pk.column)
    )
    attnames = [f.attname for f in fields] + [pk.attname]
    rows = ([getattr(i, a) for a in attnames] for i in instances)
    _executemany(sql, [*fields, pk], rows, size)


def _executemany(sql, fields, rows, size) -> None:
    # Only the values a field changes on their way to the database go through it (dates, JSON, …).
    prepared = [(n, f) for n, f in enumerate(fields) if needs_preparing(f)]
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            row = list(row)
            for n, field in prepared:
                row[n] = field.get_db_prep_save(row[n], connection)
            batch.append(row)
            if len(batch) >= size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


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

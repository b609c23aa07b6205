"""The warning centre's writes: recomputation of the lights, rule settings, reminders, and the 投产达效
figures (targets and monthly actuals) the operating rule reads."""

import datetime as dt
import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, TextField, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.alerts.models import (
    Level,
    OperatingActual,
    OperatingTarget,
    ProjectWarning,
    WarningChange,
    WarningDigest,
    WarningDirty,
    WarningRule,
)
from keyprojects.alerts.rules import (
    PARAMS,
    RULES,
    TEXT_PARAMS,
    Context,
    _link,
    fixed_language,
    params_of,
)
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.lib.locking import EditConflict, save_versioned
from keyprojects.notifications.models import Kind, Notification
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.models import Organisation, User
from keyprojects.orgs.selectors import office_settings
from keyprojects.projects.hooks import Change
from keyprojects.projects.models import Stage
from keyprojects.tasks.models import Task

log = logging.getLogger(__name__)

# What is compared to decide whether a warning row must be written.
_FIELDS = ("level", "message", "figures", "thresholds", "url", "project_id")


def warnings_refresh(*, project_ids, now=None, codes=None) -> dict:
    """Recompute every rule's warnings for PROJECT_IDS. Called by the services that change what the
    rules look at (tasks, preliminary items, stages, reports), inside their transaction. CODES (rule
    codes) narrows it to the rules the change can move: it runs inside the caller's write
    transaction, so it does no more than it must."""
    ids = sorted({int(pk) for pk in project_ids if pk is not None})
    if not ids:
        return {"created": 0, "changed": 0, "green": 0}
    return _recompute(project_ids=ids, now=now, codes=codes)


def warnings_refresh_on_commit(*, project_ids, codes=None) -> None:
    """warnings_refresh once the caller's transaction has committed, for hot write paths (monthly
    reports: a city's owners all report in the same few days). On SQLite a writer holds the one
    write lock until it commits; reading the rules after the commit keeps that short. A refresh that
    fails is logged, not raised: the report is saved, and the scheduled recompute_warnings repairs
    the light."""
    ids = list(project_ids)

    def refresh():
        try:
            warnings_refresh(project_ids=ids, codes=codes)
        except Exception:
            log.exception("warnings_refresh after commit failed for projects %s", ids)

    transaction.on_commit(refresh)


# The rules each kind of project change can move; None: all of them.
CHANGE_RULES = {
    Change.PROJECT: None,
    Change.STATISTICS: ("statistics",),
    Change.PRELIMINARY: ("prelim",),
    Change.FUNDS: ("funds",),
    Change.REPORT: ("investment", "reporting", "combined"),
    Change.TASKS: None,
    Change.OPERATING: None,
}


def warnings_on_project_change(*, project_ids, change: Change, after_commit=False, defer=False) -> None:
    """Receiver of projects.hooks.project_changed (registered in AlertsConfig.ready): refresh the rules
    CHANGE can move, now or once the sender's transaction has committed; or (DEFER) only mark the
    projects for the scheduled refresh_dirty_warnings, inside the sender's transaction."""
    if defer:
        warnings_mark_dirty(project_ids=project_ids)
    elif after_commit:
        warnings_refresh_on_commit(project_ids=project_ids, codes=CHANGE_RULES[change])
    else:
        warnings_refresh(project_ids=project_ids, codes=CHANGE_RULES[change])


def warnings_mark_dirty(*, project_ids) -> None:
    """Mark PROJECT_IDS as having out-of-date lights, in the caller's transaction: one upsert, so a city's
    owners reporting at once each pay one small write, not a recompute (warnings_refresh_dirty does
    that off the request path)."""
    ids = sorted({int(pk) for pk in project_ids if pk is not None})
    if not ids:
        return
    now = timezone.now()
    WarningDirty.objects.bulk_create(
        [WarningDirty(project_id=pk, since=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=["since"],
    )


def warnings_refresh_dirty(*, chunk: int = 500) -> dict:
    """Recompute the lights of every project marked dirty (the scheduled job, every minute): once per
    project however many marks it had, then clear the marks it handled, except those marked again
    meanwhile (their change may have come after the recompute read). A chunk that fails is retried
    project by project, and a project that still fails keeps its mark for the next run.
    Returns {"projects": refreshed, "failed": kept, plus warnings_refresh's counts}."""
    marks = dict(WarningDirty.objects.order_by("project_id").values_list("project_id", "since"))
    ids = list(marks)
    counts = {"projects": 0, "failed": 0, "created": 0, "changed": 0, "green": 0}

    def refresh(batch):
        result = warnings_refresh(project_ids=batch)
        for key in ("created", "changed", "green"):
            counts[key] += result.get(key, 0)
        with transaction.atomic():
            for pk in batch:
                WarningDirty.objects.filter(project_id=pk, since__lte=marks[pk]).delete()
        counts["projects"] += len(batch)

    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        try:
            refresh(batch)
        except Exception:
            log.exception("refresh of dirty warnings failed for a chunk; retrying one by one")
            for pk in batch:
                try:
                    refresh([pk])
                except Exception:
                    log.exception("refresh of dirty warnings failed for project %s", pk)
                    counts["failed"] += 1
    return counts


def warnings_recompute_all(*, now=None) -> dict:
    """Recompute every warning of every project (the scheduled job). Idempotent: a second run at the
    same moment writes nothing. Returns counts of warnings created, changed in level, turned green."""
    return _recompute(project_ids=None, now=now)


def _recompute(*, project_ids, now, codes=None) -> dict:
    now = now or timezone.now()
    ctx = Context(timezone.localdate(now))
    every = list(WarningRule.objects.all())
    ctx.memo("rules", lambda: every)
    rules = [r for r in every if codes is None or r.code in codes]
    # Each light keeps the parameters it was computed with; a light turning green keeps its last ones
    # and its history row the current ones (those it no longer reaches).
    params = {rule.pk: params_of(rule) for rule in rules}
    hits = {}
    # Written in the office's language whoever's request set it off; pages translate (alerts.wording).
    with fixed_language(settings.LANGUAGE_CODE):
        for rule in rules:
            if not rule.is_active or rule.code not in RULES:
                continue
            for hit in RULES[rule.code](ctx, project_ids, params[rule.pk]):
                if hit.thresholds is None:
                    hit.thresholds = params[rule.pk]
                hits[(rule.pk, hit.subject)] = hit
    with transaction.atomic():
        existing = ProjectWarning.objects.filter(rule__in=rules).order_by()
        if project_ids is not None:
            existing = existing.filter(project_id__in=project_ids)
        current = _current(existing)
        created, updated, changes = [], [], []
        counts = {"created": 0, "changed": 0, "green": 0}
        for key, hit in hits.items():
            row = current.get(key)
            values = {
                "level": hit.level,
                "message": hit.message[:300],
                "figures": hit.figures,
                "thresholds": hit.thresholds,
                "url": hit.url[:200],
                "project_id": hit.project_id,
            }
            if row is None:
                created.append({"rule_id": key[0], "subject": key[1], **values})
                continue
            if all(row[name] == values[name] for name in _FIELDS):
                continue
            warning = {"id": row["id"], "level_since": row["level_since"], "updated_at": now, **values}
            if row["level"] != hit.level:
                warning["level_since"] = now
                changes.append((row["id"], row["level"], hit.level, hit.figures, hit.thresholds, now))
                counts["changed"] += 1
            updated.append(warning)
        for key, row in current.items():
            if key in hits or row["level"] == Level.GREEN:
                continue
            figures = {_("说明"): _("已不再触发该规则")}
            updated.append({**row, "level": Level.GREEN, "level_since": now, "updated_at": now})
            changes.append((row["id"], row["level"], Level.GREEN, figures, params[key[0]], now))
            counts["green"] += 1
        adapt = _Adapt()
        if created:
            # A refresh of the same project committing meanwhile may have inserted one of these:
            # skip it rather than break the caller's transaction.
            _insert_new(created, now, adapt)
            counts["created"] = len(created)
        if updated:
            _update_changed(updated, adapt)
        if changes:
            _insert_changes(changes, adapt)
        if created:
            # The rows inserted now are the ones first raised at NOW (an ignored conflict returns no
            # id): their first history rows are copied from them by one INSERT … SELECT.
            fresh = ProjectWarning.objects.filter(rule__in=rules, first_raised_at=now)
            if project_ids is not None:
                fresh = fresh.filter(project_id__in=project_ids)
            _insert_first_changes(fresh, now)
    return counts


def _current(existing) -> dict:
    """The stored lights of EXISTING by (rule, subject), as values. Their JSON is read as text and
    decoded here: the thresholds are the same few texts over thousands of lights, decoded once each."""
    decoded = {}
    current = {}
    rows = existing.annotate(
        figures_text=Cast("figures", TextField()), thresholds_text=Cast("thresholds", TextField())
    ).values_list(
        "id",
        "rule_id",
        "subject",
        "level",
        "message",
        "url",
        "project_id",
        "level_since",
        "figures_text",
        "thresholds_text",
    )
    for pk, rule_id, subject, level, message, url, project_id, since, figures, thresholds in rows:
        if thresholds not in decoded:
            decoded[thresholds] = json.loads(thresholds)
        current[(rule_id, subject)] = {
            "id": pk,
            "rule_id": rule_id,
            "subject": subject,
            "level": level,
            "message": message,
            "figures": json.loads(figures),
            "thresholds": decoded[thresholds],
            "url": url,
            "project_id": project_id,
            "level_since": since,
        }
    return current


class _Adapt:
    """Column values as the database driver takes them, without a model instance or field per value;
    each datetime, and each JSON object (the thresholds: a few objects over thousands of rows),
    adapted once."""

    def __init__(self):
        self._json, self._datetimes = {}, {}

    def json(self, value):
        memo = self._json.get(id(value))
        if memo is None or memo[0] is not value:
            memo = self._json[id(value)] = (value, connection.ops.adapt_json_value(value, None))
        return memo[1]

    def datetime(self, value):
        if value not in self._datetimes:
            self._datetimes[value] = connection.ops.adapt_datetimefield_value(value)
        return self._datetimes[value]


def _update_changed(warnings: list[dict], adapt: _Adapt) -> None:
    """Write the changed lights (WARNINGS: id and new values) with one prepared UPDATE … WHERE id run
    for all of them (executemany): what bulk_update does, without building a CASE per row and field,
    which costs seconds of Python for a few thousand lights."""
    meta = ProjectWarning._meta
    qn = connection.ops.quote_name
    names = ("level", "message", "url", "figures", "thresholds", "level_since", "updated_at")
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table),
        ", ".join(f"{qn(meta.get_field(name).column)} = %s" for name in names),
        qn(meta.pk.column),
    )
    rows = [
        (
            w["level"],
            w["message"],
            w["url"],
            adapt.json(w["figures"]),
            adapt.json(w["thresholds"]),
            adapt.datetime(w["level_since"]),
            adapt.datetime(w["updated_at"]),
            w["id"],
        )
        for w in warnings
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def _insert_changes(changes: list[tuple], adapt: _Adapt) -> None:
    """INSERT the history rows CHANGES ((warning id, from, to, figures, thresholds, at) each) by one
    prepared statement run for all of them."""
    meta = WarningChange._meta
    qn = connection.ops.quote_name
    names = ("warning", "from_level", "to_level", "figures", "thresholds", "at")
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(meta.db_table),
        ", ".join(qn(meta.get_field(name).column) for name in names),
        ", ".join(["%s"] * len(names)),
    )
    rows = [
        (pk, before, after, adapt.json(figures), adapt.json(thresholds), adapt.datetime(at))
        for pk, before, after, figures, thresholds, at in changes
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def _insert_new(created: list[dict], now, adapt: _Adapt) -> None:
    """INSERT the new lights (CREATED: their column values) by one prepared statement run for all of
    them, skipping one a concurrent refresh inserted meanwhile: bulk_create(ignore_conflicts=True)
    without a model instance per light."""
    meta = ProjectWarning._meta
    names = ("rule_id", "subject", "project_id", "level", "message", "url", "figures", "thresholds")
    moments = ("level_since", "first_raised_at", "updated_at")
    qn = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE
    fields = [meta.get_field(name) for name in names + moments]
    sql = "{} {} ({}) VALUES ({}) {}".format(
        connection.ops.insert_statement(on_conflict=on_conflict),
        qn(meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
    )
    at, updated_at = adapt.datetime(now), adapt.datetime(timezone.now())
    rows = [
        (
            *(v[name] for name in names[:6]),
            adapt.json(v["figures"]),
            adapt.json(v["thresholds"]),
            at,
            at,
            updated_at,
        )
        for v in created
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def _insert_first_changes(fresh, now) -> None:
    """The history row of each light in FRESH (a queryset of the lights just created): INSERT … SELECT
    of their level, figures and thresholds, in the database."""
    select = fresh.order_by("id").values_list(
        "id", Value(""), "level", "figures", "thresholds", Value(now, output_field=DateTimeField())
    )
    select_sql, params = select.query.sql_with_params()
    meta = WarningChange._meta
    qn = connection.ops.quote_name
    columns = ", ".join(
        qn(meta.get_field(name).column)
        for name in ("warning", "from_level", "to_level", "figures", "thresholds", "at")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(meta.db_table)} ({columns}) {select_sql}", params)


def _check_params(rule: WarningRule, params: dict) -> dict:
    errors = {}
    for key, label, _default in PARAMS.get(rule.code, []):
        value = params.get(key)
        if value is None or value < 0:
            errors[key] = _("“%(label)s”应为不小于 0 的数。") % {"label": label}
    if rule.code == WarningRule.Code.INVESTMENT and not errors:
        if params["red_points"] < params["yellow_points"]:
            errors["red_points"] = _("红灯阈值不能小于黄灯阈值。")
    if rule.code == WarningRule.Code.STATISTICS and not errors:
        if params["red_months"] < params["yellow_months"]:
            errors["red_months"] = _("红灯月数不能小于黄灯月数。")
    if rule.code == WarningRule.Code.FUNDS and not errors:
        if params["yellow_below_percent"] > 100:
            errors["yellow_below_percent"] = _("资金到位率阈值不能超过 100%。")
        if params["red_below_percent"] > params["yellow_below_percent"]:
            errors["red_below_percent"] = _("红灯阈值不能高于黄灯阈值。")
    return errors


def _json_number(value):
    """A threshold as JSON keeps it: whole numbers as int, others as float (thresholds, not money)."""
    if isinstance(value, str) or value is None:
        return value
    return int(value) if value == int(value) else float(value)


def warning_rule_update(
    *,
    rule: WarningRule,
    by,
    expected_version: int,
    is_active: bool,
    remind: bool,
    remind_workdays_before: int,
    params: dict,
    now=None,
) -> WarningRule:
    """The office changes a rule's thresholds and switches. Refused on an outdated version
    (EditConflict); audited; the lights are recomputed at once with the new settings."""
    if not getattr(by, "is_office", False):
        raise PermissionDenied(_("只有重点办工作人员可以设置预警规则。"))
    keys = [key for key, *_rest in PARAMS.get(rule.code, []) + TEXT_PARAMS.get(rule.code, [])]
    clean = {key: params[key] for key in keys if key in params}
    errors = _check_params(rule, clean)
    if remind_workdays_before is None or not 0 <= remind_workdays_before <= 60:
        errors["remind_workdays_before"] = _("提前提醒工作日数应在 0 至 60 之间。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(WarningRule.objects.get(pk=rule.pk))
        rule.is_active = is_active
        rule.remind = remind
        rule.remind_workdays_before = remind_workdays_before
        rule.params = {key: _json_number(value) for key, value in clean.items()}
        save_versioned(rule, expected_version=expected_version)
        audit_record(by=by, instance=rule, action=AuditEntry.Action.UPDATE, before=before)
        warnings_recompute_all(now=now)
    return rule


# --------------------------------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------------------------------


def reminders_send(*, now=None) -> dict:
    """Remind the responsible unit (or person) of each open task N working days before its deadline
    and once it is missed, and send the office and each district their daily red-light digest
    (warning_digests_send) — as the rules' switches say. Idempotent: every message has a key naming
    its event, so a second run sends nothing new (a moved deadline is a new event). Nothing goes out
    before the hour the office set (系统设置): the first run after it sends the day's reminders."""
    now = now or timezone.now()
    sent = {"task_due": 0, "task_overdue": 0, "warning_digests": 0, "warning_lights": 0}
    if timezone.localtime(now).hour < office_settings().reminder_hour:
        return sent
    ctx = Context(timezone.localdate(now))
    today = ctx.today
    rules = {r.code: r for r in WarningRule.objects.all()}
    with transaction.atomic():
        task_rule = rules.get(WarningRule.Code.TASK)
        if task_rule and task_rule.is_active and task_rule.remind:
            bound = ctx.add_workdays(today, task_rule.remind_workdays_before)
            tasks = list(
                Task.objects.filter(status__in=Task.OPEN, deadline__lte=bound)
                .select_related("project", "responsible_unit", "responsible_user")
                .order_by("deadline", "id")
            )
            keys = {}
            for task in tasks:
                event = "overdue" if task.deadline < today else "due"
                keys[task.pk] = (event, f"task:{task.pk}:{event}:{task.deadline.isoformat()}")
            done = set(
                Notification.objects.filter(key__in=[k for _e, k in keys.values()]).values_list(
                    "key", flat=True
                )
            )
            pending = [t for t in tasks if keys[t.pk][1] not in done]
            units = {t.responsible_unit_id for t in pending if t.responsible_user_id is None}
            members = {}
            for user in User.objects.filter(organisation_id__in=units, is_active=True):
                members.setdefault(user.organisation_id, []).append(user)

            for task in pending:
                event, key = keys[task.pk]
                left = ctx.workdays_left(task.deadline)
                if event == "due":
                    title = _("任务即将到期：%(title)s") % {"title": task.title}
                    when = _("剩余 %(n)s 个工作日") % {"n": left} if left is not None else ""
                    kind = Kind.TASK_DUE
                else:
                    title = _("任务已逾期：%(title)s") % {"title": task.title}
                    when = _("逾期 %(n)s 个工作日") % {"n": -left} if left is not None else ""
                    kind = Kind.TASK_OVERDUE
                recipients = (
                    [task.responsible_user]
                    if task.responsible_user_id
                    else members.get(task.responsible_unit_id, [])
                )
                body = _("项目：%(project)s；完成时限：%(deadline)s（%(when)s）。") % {
                    "project": task.project.name,
                    "deadline": task.deadline.isoformat(),
                    "when": when,
                }
                if notification_send(
                    recipients=recipients,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    url=_link("task_detail", task.pk),
                    key=key,
                    organisations=[task.responsible_unit_id],
                ):
                    sent[f"task_{event}"] += 1
        digests = warning_digests_send(now=now)
        sent["warning_digests"], sent["warning_lights"] = digests["digests"], digests["lights"]
    return sent


# Lights listed in one digest; the rest are counted, and its link shows them all.
DIGEST_LINES = 20


def warning_digests_send(*, now=None) -> dict:
    """Tell each unit — every office organisation of all lights, each district of its own projects'
    — which lights turned red or stopped being red since its previous digest: at most one message a
    day per unit (a WarningDigest row, and the notification key "warning-digest:<unit>:<day>"),
    listing them and linking to the warning centre filtered to the unit. Only rules that are active
    with reminders on count. On first start every red light is new: one digest per unit, not one
    message per light. A light that flickered (red and back, or yellow to red and back, between two
    digests) is not news. Idempotent: a second run the same day sends nothing; a light that turns red
    after a unit's digest of the day is in its next day's. Returns the digests sent and the lights
    they named."""
    from django.db.models import Max, Q
    from django.urls import reverse
    from django.utils.http import urlencode

    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"digests": 0, "lights": 0}
    rules = {r.pk: r for r in WarningRule.objects.filter(is_active=True, remind=True)}
    if not rules:
        return counts
    people = User.objects.filter(is_active=True).filter(
        Q(organisation__kind=Organisation.Kind.OFFICE, role__in=User.OFFICE_ROLES)
        | Q(organisation__kind=Organisation.Kind.DISTRICT, role=User.Role.DISTRICT)
    )
    units = {}  # organisation → (the district it sees, None: all; its people)
    for user in people.select_related("organisation").order_by("pk"):
        org = user.organisation
        scope = org.pk if org.kind == Organisation.Kind.DISTRICT else None
        units.setdefault(org.pk, (scope, []))[1].append(user)
    for org_id in WarningDigest.objects.filter(day=today, organisation_id__in=list(units)).values_list(
        "organisation_id", flat=True
    ):
        units.pop(org_id, None)
    if not units:
        return counts
    last = dict(
        WarningDigest.objects.filter(organisation_id__in=list(units))
        .values("organisation_id")
        .annotate(last=Max("covered_until"))
        .values_list("organisation_id", "last")
    )
    # A unit's first digest starts yesterday (local time): on first start every light is that recent,
    # and after an upgrade the lights the per-light reminders told long ago are not news.
    first = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min))
    since = {org_id: last.get(org_id, first - dt.timedelta(microseconds=1)) for org_id in units}
    # One read of the changes since the earliest of them, in order; each unit then takes its own.
    changes = WarningChange.objects.filter(
        Q(to_level=Level.RED) | Q(from_level=Level.RED),
        warning__rule_id__in=list(rules),
        at__gt=min(since.values()),
        at__lte=now,
    )
    rows = list(
        changes.order_by("at", "id").values_list(
            "warning_id",
            "from_level",
            "at",
            "warning__level",
            "warning__message",
            "warning__rule_id",
            "warning__project__name",
            "warning__project__district_id",
        )
    )
    by_district = {}
    for row in rows:
        by_district.setdefault(row[7], []).append(row)
    levels = dict(Level.choices)
    named, digests = set(), []
    for org_id, (scope, users) in units.items():
        news = {}  # warning → its first change involving red since the unit's last digest
        for row in rows if scope is None else by_district.get(scope, []):
            if row[2] > since[org_id]:
                news.setdefault(row[0], row)
        red, cleared = [], []
        for row in news.values():
            from_level, level = row[1], row[3]
            if level == Level.RED and from_level != Level.RED:
                red.append(row)  # new, or turned red from yellow or green
            elif level != Level.RED and from_level == Level.RED:
                cleared.append(row)
        if not red and not cleared:
            continue
        lines = []
        listed = 0
        for heading, group in ((_("新亮红灯 %(n)s 个："), red), (_("红灯解除 %(n)s 个："), cleared)):
            if not group:
                continue
            lines.append(heading % {"n": len(group)})
            for row in group[: max(DIGEST_LINES - listed, 0)]:
                _warning_id, from_level, _at, level, message, rule_id, project, _district = row
                if group is cleared:
                    note = _("（现为%(level)s）") % {"level": levels[level]}
                elif from_level:
                    note = _("（由%(level)s转为红灯）") % {"level": levels[from_level]}
                else:
                    note = ""
                listed += 1
                lines.append(
                    _("%(i)s. %(project)s（%(rule)s）：%(message)s%(note)s")
                    % {
                        "i": listed,
                        "project": project,
                        "rule": rules[rule_id].get_code_display(),
                        "message": message,
                        "note": note,
                    }
                )
        if len(red) + len(cleared) > listed:
            lines.append(_("另有 %(n)s 个未列出。") % {"n": len(red) + len(cleared) - listed})
        lines.append(_("全部预警请见预警中心。"))
        date = today.isoformat()
        if red and cleared:
            title = _("红灯预警日报（%(date)s）：新亮红灯 %(red)s 个，红灯解除 %(cleared)s 个")
        elif red:
            title = _("红灯预警日报（%(date)s）：新亮红灯 %(red)s 个")
        else:
            title = _("红灯预警日报（%(date)s）：红灯解除 %(cleared)s 个")
        url = reverse("warning_list")
        if scope is not None:
            url += "?" + urlencode({"district": scope})
        notification_send(
            recipients=users,
            kind=Kind.WARNING,
            title=title % {"date": date, "red": len(red), "cleared": len(cleared)},
            body="\n".join(lines),
            url=url,
            key=f"warning-digest:{org_id}:{date}",
            organisations=[org_id],
        )
        digests.append(
            WarningDigest(
                organisation_id=org_id, day=today, covered_until=now, red=len(red), cleared=len(cleared)
            )
        )
        named.update(row[0] for row in red + cleared)
    # A concurrent run that got here first keeps its row; the notification key kept its message single.
    WarningDigest.objects.bulk_create(digests, ignore_conflicts=True)
    counts["digests"], counts["lights"] = len(digests), len(named)
    return counts


def warning_url(warning) -> str:
    from django.urls import reverse

    return reverse("warning_detail", args=[warning.pk])


# --------------------------------------------------------------------------------------------------
# Operating projects (投产达效)
# --------------------------------------------------------------------------------------------------


def _check_operating(project):
    if project.stage not in (Stage.COMPLETED, Stage.OPERATING):
        raise ValidationError(_("只有处于“竣工”或“投产达效”阶段的项目才能填报投产达效数据。"))


def operating_target_save(
    *,
    project,
    by,
    expected_version: int | None,
    output_value: int | None,
    tax: int | None,
    jobs: int | None,
    months_to_produce: int,
):
    """Set what a completed project promised to produce and by when. EXPECTED_VERSION is the version
    the form was opened on (None when it had no target yet): anything else is an EditConflict."""
    _check_operating(project)
    if not months_to_produce or months_to_produce < 1:
        raise ValidationError({"months_to_produce": _("投产期限应至少为 1 个月。")})
    with transaction.atomic():
        target = OperatingTarget.objects.select_for_update().filter(project=project).first()
        if (target is None) != (expected_version is None):
            raise EditConflict()
        before = snapshot(target) if target else {}
        created = target is None
        target = target or OperatingTarget(project=project)
        target.output_value, target.tax, target.jobs = output_value, tax, jobs
        target.months_to_produce = months_to_produce
        if created:
            target.save()
        else:
            save_versioned(target, expected_version=expected_version)
        audit_record(
            by=by,
            instance=target,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            before=before,
            project=project,
        )
        warnings_refresh(project_ids=[project.pk])
    return target


def operating_actual_save(
    *, project, by, year: int, month: int, output_value: int, tax: int, jobs: int, original: str = ""
):
    """Enter (or correct) one month's output, tax and jobs. A month already entered is changed only by
    a form opened on its current values (ORIGINAL, see operating_actual_key): no silent overwrite."""
    _check_operating(project)
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": _("不能填报未来月份的数据。")})
    if project.completion_date and (year, month) < (
        project.completion_date.year,
        project.completion_date.month,
    ):
        raise ValidationError(
            {"month": _("不能填报竣工（%(date)s）以前月份的数据。") % {"date": project.completion_date}}
        )
    for name, value in (("output_value", output_value), ("tax", tax), ("jobs", jobs)):
        if value is None or value < 0:
            raise ValidationError({name: _("请填写不小于 0 的数值。")})
    with transaction.atomic():
        actual = (
            OperatingActual.objects.select_for_update()
            .filter(project=project, year=year, month=month)
            .first()
        )
        if actual is not None and original != operating_actual_key(actual):
            raise EditConflict()
        before = snapshot(actual) if actual else {}
        created = actual is None
        actual = actual or OperatingActual(project=project, year=year, month=month, created_by=by)
        actual.output_value, actual.tax, actual.jobs = output_value, tax, jobs
        actual.save()
        audit_record(
            by=by,
            instance=actual,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            before=before,
            project=project,
        )
        warnings_refresh(project_ids=[project.pk])
    return actual


def operating_actual_key(actual) -> str:
    """The values a month's form was opened on, carried in a hidden field."""
    return f"{actual.output_value}:{actual.tax}:{actual.jobs}"

"""Writes of leader links (包联/挂点) and frontline service visits (一线服务).

The office keeps both. A problem met on a visit becomes a Problem at once (problem_raise, source
一线服务), linked to the visit.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.coordination.models import LeaderLink, Problem, ServiceVisit
from keyprojects.coordination.services import problem_raise
from keyprojects.orgs.models import Organisation, User


def _require_office(user, message=None):
    if not getattr(user, "is_office", False):
        raise PermissionDenied(message or _("只有重点办工作人员可以维护领导联系和一线服务记录。"))


def leader_link_create(
    *, by, leader, project=None, enterprise=None, since: dt.date | None = None, note: str = ""
) -> LeaderLink:
    """Link LEADER to a PROJECT or to a key ENTERPRISE (exactly one), once."""
    _require_office(by)
    errors = {}
    if leader is None or leader.role != User.Role.LEADER:
        errors["leader"] = _("请选择市领导。")
    if (project is None) == (enterprise is None):
        errors["project"] = _("请选择联系的项目或重点企业（二选一）。")
    if enterprise is not None and enterprise.kind != Organisation.Kind.OWNER:
        errors["enterprise"] = _("重点企业须为项目业主单位。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        duplicate = LeaderLink.objects.filter(leader=leader, project=project, enterprise=enterprise).exists()
        if duplicate:
            target = project or enterprise
            raise ValidationError(_("%(leader)s已联系“%(target)s”。") % {"leader": leader, "target": target})
        link = LeaderLink.objects.create(
            leader=leader, project=project, enterprise=enterprise, since=since, note=note
        )
        audit_record(by=by, instance=link, action=AuditEntry.Action.CREATE, project=project)
    return link


def leader_link_delete(*, by, link: LeaderLink) -> None:
    _require_office(by)
    with transaction.atomic():
        before = snapshot(link)
        audit_record(
            by=by, instance=link, action=AuditEntry.Action.DELETE, before=before, project=link.project
        )
        link.delete()


@dataclass
class VisitProblem:
    """A problem met on the spot: it becomes a Problem on PROJECT (the visit's project by default)."""

    category: str
    title: str
    description: str
    lead_unit: Organisation
    project: object = None


def visit_create(
    *,
    by,
    date: dt.date,
    place: str,
    leader=None,
    participants: str = "",
    project=None,
    enterprise=None,
    summary: str = "",
    problems: list[VisitProblem] = (),
) -> ServiceVisit:
    """Record a service visit to PROJECT and/or ENTERPRISE; each of PROBLEMS becomes a Problem
    (source 一线服务) in the same transaction — all or nothing."""
    _require_office(by, _("只有重点办工作人员可以登记一线服务。"))
    errors = {}
    if date is None:
        errors["date"] = _("请填写服务日期。")
    if not (place or "").strip():
        errors["place"] = _("请填写服务地点。")
    if project is None and enterprise is None:
        errors["project"] = _("请选择服务的项目或企业。")
    if leader is not None and leader.role != User.Role.LEADER:
        errors["leader"] = _("带队领导须为市领导账号。")
    for i, p in enumerate(problems, start=1):
        if (p.project or project) is None:
            errors["problems"] = _("第 %(n)s 个问题未指定所属项目。") % {"n": i}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = ServiceVisit.objects.create(
            leader=leader,
            date=date,
            place=place.strip(),
            participants=participants,
            project=project,
            enterprise=enterprise,
            summary=summary,
            created_by=by,
        )
        audit_record(by=by, instance=visit, action=AuditEntry.Action.CREATE, project=project)
        for p in problems:
            problem_raise(
                by=by,
                project=p.project or project,
                category=p.category,
                title=p.title,
                description=p.description,
                lead_unit=p.lead_unit,
                source=Problem.Source.VISIT,
                source_visit=visit,
            )
    return visit

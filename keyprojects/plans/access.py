"""Who may see and change the annual list's entries and batches, monthly reports and their photos, intake
proposals, plan changes and import jobs.

They follow their project's scope (keyprojects.projects.access), with one rule of this area on top: the
official list is the entries of PUBLISHED batches. An entry in a draft batch (or in none yet) is the
office's work in progress, so only office staff see it, its reports and its plan changes. An entry's
responsible departments are always among its project's (plans services keep that true), so a department
sees exactly the entries and reports of the projects it is responsible for.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.orgs.access import require_office
from keyprojects.orgs.models import User
from keyprojects.plans.models import (
    AnnualEntry,
    Batch,
    ImportJob,
    MonthlyReport,
    PlanChange,
    Proposal,
    ReportPhoto,
)
from keyprojects.projects.access import can_edit_project, in_project_scope
from keyprojects.projects.models import Project

Role = User.Role


# --------------------------------------------------------------------------------------------------
# Batches and entries
# --------------------------------------------------------------------------------------------------


def batches_visible_to(user) -> QuerySet[Batch]:
    """Every batch for the office; the published ones for anyone else."""
    if user.is_authenticated and user.is_office:
        return Batch.objects.all()
    return Batch.objects.filter(status=Batch.Status.PUBLISHED)


def get_batch_for_user(user, pk) -> Batch:
    """A batch's own pages (its entries, publishing it) are the office's: 403 for anyone else, 404 if
    there is no batch PK."""
    require_office(user)
    batch = Batch.objects.select_related("annual_list", "published_by").filter(pk=pk).first()
    if batch is None:
        raise Http404(_("批次不存在。"))
    return batch


def entries_visible_to(user) -> QuerySet[AnnualEntry]:
    """Entries of the projects USER may see; outside the office, only entries of published batches."""
    entries = in_project_scope(AnnualEntry.objects.all(), user)
    if not (user.is_authenticated and user.is_office):
        entries = entries.filter(batch__status=Batch.Status.PUBLISHED)
    return entries


ENTRY_PAGE_RELATED = (
    "project__owner",
    "project__district",
    "project__sector",
    "annual_list",
    "batch",
    "leader",
)


def get_entry_for_user(user, pk, *, write=False, related=ENTRY_PAGE_RELATED) -> AnnualEntry:
    """The annual entry PK, with its RELATED records (by default what its page shows), if USER may see
    it (else 404); with WRITE, if USER may change its project (else 403)."""
    entry = entries_visible_to(user).select_related(*related).filter(pk=pk).order_by().first()
    if entry is None:
        raise Http404(_("清单项目不存在或您无权查看。"))
    if write and not can_edit_project(user, entry.project):
        raise PermissionDenied(_("您可以查看该清单项目，但无权修改。"))
    return entry


# --------------------------------------------------------------------------------------------------
# Monthly reports and their photos
# --------------------------------------------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    """Reports on the entries USER may see (so, outside the office, of published batches only)."""
    reports = in_project_scope(MonthlyReport.objects.all(), user, "entry__project__")
    if not (user.is_authenticated and user.is_office):
        reports = reports.filter(entry__batch__status=Batch.Status.PUBLISHED)
    return reports


def can_report(user, project: Project) -> bool:
    """The owner reports for its own projects; office staff may report on an owner's behalf."""
    if user.is_office:
        return True
    return user.role == Role.OWNER and project.owner_id == user.organisation_id


def can_review(user, project: Project) -> bool:
    """The project's district, a responsible department, or the office reviews its monthly reports."""
    if user.is_office:
        return True
    if user.role == Role.DISTRICT:
        return project.district_id == user.organisation_id
    if user.role == Role.DEPARTMENT:
        return project.departments.filter(pk=user.organisation_id).exists()
    return False


def reviews_reports(user) -> bool:
    """USER's role reviews monthly reports at all (the office, districts, departments): it has a review
    queue."""
    return user.is_office or user.role in (Role.DISTRICT, Role.DEPARTMENT)


def sees_report_overview(user) -> bool:
    """USER's role sees the reporting overview (who has reported): the reviewers and the leaders."""
    return reviews_reports(user) or user.is_leader


def get_report_for_user(user, pk, *, action=None) -> MonthlyReport:
    """The monthly report PK if USER may see it (else 404). ACTION "report" (fill in, submit) or
    "review" (approve, return) also checks that right (else 403)."""
    report = (
        reports_visible_to(user)
        .select_related("entry__project__owner", "entry__project__district", "entry__annual_list")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("月度报送不存在或您无权查看。"))
    project = report.entry.project
    if action == "report" and not can_report(user, project):
        raise PermissionDenied(_("只有项目业主可以填报该项目的月度报送。"))
    if action == "review" and not can_review(user, project):
        raise PermissionDenied(_("您无权审核该项目的月度报送。"))
    return report


def get_report_photo_for_user(user, pk, *, action=None) -> ReportPhoto:
    """A site photo, through its report's gate: 404 if there is no photo PK or USER may not see its
    report; ACTION as get_report_for_user ("report" to delete it)."""
    photo = ReportPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("照片不存在。"))
    photo.report = get_report_for_user(user, photo.report_id, action=action)
    return photo


# --------------------------------------------------------------------------------------------------
# Intake proposals and plan changes: they follow their project's and entry's scope
# --------------------------------------------------------------------------------------------------


def proposals_visible_to(user) -> QuerySet[Proposal]:
    return in_project_scope(Proposal.objects.all(), user)


def get_proposal_for_user(user, pk, *, write=False) -> Proposal:
    """Proposal PK if USER may see it (else 404); with WRITE, if USER may change its project (else 403).
    Deciding a proposal is the office's (require_office)."""
    proposal = (
        proposals_visible_to(user)
        .select_related(
            "project__owner", "project__district", "proposed_by", "reviewed_by", "entry__annual_list"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404(_("项目申报不存在或您无权查看。"))
    if write and not can_edit_project(user, proposal.project):
        raise PermissionDenied(_("您可以查看该申报，但无权修改。"))
    return proposal


def plan_changes_visible_to(user) -> QuerySet[PlanChange]:
    return PlanChange.objects.filter(entry__in=entries_visible_to(user))


def get_plan_change_for_user(user, pk) -> PlanChange:
    """Plan change PK if USER may see its entry (else 404). Deciding one is the office's (require_office)."""
    change = (
        plan_changes_visible_to(user)
        .select_related("entry__project", "entry__annual_list", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if change is None:
        raise Http404(_("计划调整申请不存在或您无权查看。"))
    return change


# --------------------------------------------------------------------------------------------------
# Import jobs: the office's alone
# --------------------------------------------------------------------------------------------------


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    if not (user.is_authenticated and user.is_office):
        return ImportJob.objects.none()
    return ImportJob.objects.all()


def get_import_job_for_user(user, pk) -> ImportJob:
    """Import job PK: 403 for anyone but the office, 404 if there is none."""
    require_office(user)
    job = ImportJob.objects.select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404(_("导入任务不存在。"))
    return job

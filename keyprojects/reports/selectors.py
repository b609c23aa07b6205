"""Reads of the reports app: the open-data setting and which projects it makes public."""

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.orgs.models import OfficeSettings
from keyprojects.plans.models import AnnualList, Batch
from keyprojects.projects.models import Project, Sector, Stage
from keyprojects.reports import oc4ids
from keyprojects.reports.models import PublicDataSetting


def public_data_setting() -> PublicDataSetting:
    """The office's open-data setting; the defaults (unsaved) until the office first saves it."""
    return PublicDataSetting.objects.filter(pk=1).first() or PublicDataSetting(pk=1)


def public_list_year() -> int | None:
    """The year of the latest annual list with a published batch, not later than this year if one
    such list exists (next year's list may be published in December, before it applies)."""
    years = sorted(
        AnnualList.objects.filter(batches__status=Batch.Status.PUBLISHED)
        .values_list("year", flat=True)
        .distinct()
    )
    if not years:
        return None
    this_year = timezone.localdate().year
    current = [y for y in years if y <= this_year]
    return current[-1] if current else years[0]


def public_projects(setting: PublicDataSetting) -> QuerySet[Project]:
    """The projects SETTING makes public. Open data is the same for everyone who may download it:
    no user's scope narrows it, and nothing outside it is ever published."""
    projects = Project.objects.all()
    if setting.scope == PublicDataSetting.Scope.LISTED:
        year = public_list_year()
        if year is None:
            return projects.none()
        projects = projects.filter(
            annual_entries__annual_list__year=year, annual_entries__batch__status=Batch.Status.PUBLISHED
        )
    elif setting.scope == PublicDataSetting.Scope.LISTED_ANY:
        projects = projects.filter(
            id__in=Project.objects.filter(annual_entries__batch__status=Batch.Status.PUBLISHED).values("id")
        )
    if not setting.include_reserve:
        projects = projects.exclude(stage=Stage.RESERVE)
    return projects


def sectors_without_code() -> list[Sector]:
    """Sectors whose OC4IDS code is missing or not on the projectSector codelist (their projects are
    published without `sector`)."""
    return [s for s in Sector.objects.all() if not oc4ids.sector_codes(s.oc4ids_sector)]


def publisher_name(setting: PublicDataSetting, office: OfficeSettings) -> str:
    """The setting's publisher, else the office's name (系统设置)."""
    return setting.publisher_name or office.office_name or "重点项目建设办公室"

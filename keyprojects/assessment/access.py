"""Who may see and do what in the assessment.

- Schemes, published rankings, published red/black lists and their notices: every signed-in user of an
  organisation (the rules and the results are announced to all; 通报 are for everyone).
- Scores not yet published, drafts of lists: the office only.
- A unit's score page and the records behind it: the office and leaders any; a district or department
  its own unit's only (it sees everyone's rank, never another unit's records); an owner the scores of
  its own projects. Anyone else gets 404.
- Changing anything (schemes, computing, drafting, editing, reviewing, publishing): the office; 403 for
  those who may see the page.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.assessment.models import AssessmentRun, RankingEntry, RankingList, Score, UnitKind
from keyprojects.orgs.models import User
from keyprojects.projects.access import projects_visible_to

Role = User.Role


def _member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organisation_id)


def require_office(user) -> None:
    """Every change in the assessment: 403 for anyone but the office."""
    if not (user.is_authenticated and user.is_office):
        raise PermissionDenied(_("只有重点办工作人员可以执行此操作。"))


def require_member(user) -> None:
    """Pages for every user (rankings, lists, notices): 404 for an account without an organisation."""
    if not _member(user):
        raise Http404(_("页面不存在。"))


def runs_visible_to(user) -> QuerySet[AssessmentRun]:
    """Periods whose results USER may see: the office all, everyone else the published."""
    runs = AssessmentRun.objects.all()
    if not _member(user):
        return runs.none()
    if user.is_office:
        return runs
    return runs.filter(status=AssessmentRun.Status.PUBLISHED)


def scores_visible_to(user) -> QuerySet[Score]:
    """Score pages USER may open (see the module's docstring)."""
    scores = Score.objects.filter(run__in=runs_visible_to(user))
    if not _member(user):
        return scores.none()
    if user.sees_everything:
        return scores
    if user.role in (Role.DISTRICT, Role.DEPARTMENT):
        return scores.filter(organisation_id=user.organisation_id).exclude(unit_kind=UnitKind.PROJECT)
    if user.role == Role.OWNER:
        return scores.filter(unit_kind=UnitKind.PROJECT, project__in=projects_visible_to(user))
    return scores.none()


def get_score_for_user(user, pk) -> Score:
    score = (
        scores_visible_to(user)
        .select_related("run", "version__scheme", "organisation", "project")
        .filter(pk=pk)
    )
    score = score.first()
    if score is None:
        raise Http404(_("得分不存在或您无权查看。"))
    return score


def ranking_lists_visible_to(user) -> QuerySet[RankingList]:
    """Red/black lists USER may see: the office every version, everyone else the published ones (with
    the versions they superseded)."""
    lists = RankingList.objects.all()
    if not _member(user):
        return lists.none()
    if user.is_office:
        return lists
    return lists.filter(status__in=(RankingList.Status.PUBLISHED, RankingList.Status.SUPERSEDED))


def get_ranking_list_for_user(user, pk, *, write=False) -> RankingList:
    """The list PK if USER may see it (else 404); with WRITE, if USER may change it (else 403)."""
    found = ranking_lists_visible_to(user).select_related("run", "supersedes").filter(pk=pk).first()
    if found is None:
        raise Http404(_("红黑榜不存在或您无权查看。"))
    if write:
        require_office(user)
    return found


def get_entry_for_user(user, pk, *, write=False) -> RankingEntry:
    """An entry of a list USER may see (else 404); with WRITE, the office's (else 403)."""
    entry = (
        RankingEntry.objects.filter(ranking_list__in=ranking_lists_visible_to(user), pk=pk)
        .select_related("ranking_list__run")
        .first()
    )
    if entry is None:
        raise Http404(_("条目不存在或您无权查看。"))
    if write:
        require_office(user)
    return entry


def get_exemption_file_for_user(user, pk) -> RankingEntry:
    """An exemption's supporting document: those who see the list, for an exemption that has one."""
    entry = get_entry_for_user(user, pk)
    if not (entry.exempt and entry.exempt_file):
        raise Http404(_("附件不存在。"))
    return entry

"""Access rules that belong to no domain object: office-only actions, and which organisations a user may
pick in a form. The gates of projects, entries, tasks, problems and the rest live beside their objects,
in each app's access.py; the role predicates they share are on the User model (user.is_office,
user.is_leader, user.sees_everything)."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from keyprojects.orgs.models import Organisation, User

Kind = Organisation.Kind
Role = User.Role


def require_office(user) -> None:
    """Office-only actions (imports, locks, reviews of proposals and plan changes): 403 for anyone else."""
    if not (user.is_authenticated and user.is_office):
        raise PermissionDenied(_("只有重点办工作人员可以执行此操作。"))


def require_office_admin(user) -> None:
    """The office's own settings and other people's passwords: office admins only, 403 for anyone else."""
    if not (user.is_authenticated and user.role == Role.OFFICE_ADMIN):
        raise PermissionDenied(_("只有重点办管理员可以执行此操作。"))


def organisations_for_choice(user, kind) -> QuerySet[Organisation]:
    """Organisations USER may pick in a form field of KIND: the office any; a district or an owner its
    own organisation of its own kind and any of the other of the two kinds; anyone else none."""
    orgs = Organisation.objects.filter(kind=kind, is_active=True)
    if user.is_office:
        return orgs
    if user.role == Role.DISTRICT and kind == Kind.DISTRICT:
        return orgs.filter(pk=user.organisation_id)
    if user.role == Role.OWNER and kind == Kind.OWNER:
        return orgs.filter(pk=user.organisation_id)
    if user.role == Role.DISTRICT and kind == Kind.OWNER:
        return orgs
    if user.role == Role.OWNER and kind == Kind.DISTRICT:
        return orgs
    return orgs.none()

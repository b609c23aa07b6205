"""Role × endpoint matrix entries of the organisation pages (see keyprojects/matrix.py): the office's
reference data — office admin and staff only, 403 for everyone else; the office's settings and other
people's passwords — office admins only; each user's own account pages — everyone logged in."""

from keyprojects.matrix import ROLES, everyone, row
from keyprojects.orgs.models import OrganisationAlias

NOT_OFFICE = {r: 403 for r in ("leader", "district", "department", "owner", "outsider")}
OFFICE_PAGE = row(**NOT_OFFICE)
OFFICE_ACTION = {**everyone(302), **NOT_OFFICE}
POST_ONLY = dict.fromkeys(ROLES, 405)
ADMIN_PAGE = row(office_staff=403, **NOT_OFFICE)

MATRIX = {
    "organisation_list": [("", lambda c: [], OFFICE_PAGE, None)],
    "organisation_detail": [("department", lambda c: [c.department.pk], OFFICE_PAGE, POST_ONLY)],
    # An empty POST answers with the page and the form's error (nothing is written).
    "organisation_alias_add": [("department", lambda c: [c.department.pk], POST_ONLY, OFFICE_PAGE)],
    "organisation_alias_remove": [("", lambda c: [c.department_alias.pk], POST_ONLY, OFFICE_ACTION)],
    "city_leader_list": [("", lambda c: [], OFFICE_PAGE, None)],
    # Empty POSTs: the page again with the form's errors; nothing is written.
    "city_leader_add": [("", lambda c: [], POST_ONLY, OFFICE_PAGE)],
    "city_leader_detail": [("leader", lambda c: [c.leader.pk], OFFICE_PAGE, POST_ONLY)],
    "city_leader_edit": [("leader", lambda c: [c.leader.pk], POST_ONLY, OFFICE_PAGE)],
    "city_leader_account": [("leader", lambda c: [c.leader.pk], POST_ONLY, OFFICE_PAGE)],
    # Empty POSTs: the form again with its errors; nothing is written.
    "office_settings": [("", lambda c: [], ADMIN_PAGE, ADMIN_PAGE)],
    "user_password_reset": [("owner", lambda c: [c.owner.pk], ADMIN_PAGE, ADMIN_PAGE)],
    "account": [("", lambda c: [], row(), {**everyone(405)})],
    "password_change": [("", lambda c: [], row(), row())],
    "favicon": [("", lambda c: [], everyone(302), None)],
    # Login lockouts: office admins only; an empty POST lifts nothing and goes back to the list.
    "lockout_list": [("", lambda c: [], ADMIN_PAGE, POST_ONLY)],
    "lockout_release": [("", lambda c: [], POST_ONLY, {**everyone(302), "office_staff": 403, **NOT_OFFICE})],
}


def prepare(world):
    world.department_alias = OrganisationAlias.objects.create(organisation=world.department, name="市发改委")

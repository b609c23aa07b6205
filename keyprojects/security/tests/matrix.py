"""Role × endpoint matrix entries of the security pages (see keyprojects/matrix.py): the security log,
its export and the admins' second-factor devices are the office admin's; the verification step sends
anyone who owes no second factor on (KP_REQUIRE_ADMIN_2FA is off in tests)."""

from keyprojects.matrix import ROLES, everyone, row

NOT_ADMIN = {r: 403 for r in ROLES if r not in ("anonymous", "office_admin")}
ADMIN_PAGE = row(**NOT_ADMIN)
ADMIN_ACTION = {**everyone(302), **NOT_ADMIN}
POST_ONLY = dict.fromkeys(ROLES, 405)

MATRIX = {
    "security_log": [("", lambda c: [], ADMIN_PAGE, POST_ONLY)],
    "security_log_export": [("", lambda c: [], ADMIN_PAGE, POST_ONLY)],
    "otp_devices": [("", lambda c: [], ADMIN_PAGE, POST_ONLY)],
    "otp_device_reset": [("admin", lambda c: [c.admin.pk], POST_ONLY, ADMIN_ACTION)],
    # An empty POST: the page again with the form's error.
    "otp_enrol": [("", lambda c: [], ADMIN_PAGE, ADMIN_PAGE)],
    "otp_verify": [("", lambda c: [], everyone(302), everyone(302))],
}

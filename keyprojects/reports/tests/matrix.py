"""Role × endpoint matrix entries of reports: open data and global search (see keyprojects/matrix.py)."""

from keyprojects.matrix import row
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.reports.models import PublicDataSetting

OFFICE_ONLY = row(leader=403, district=403, department=403, owner=403, outsider=403)

MATRIX = {
    "open_data": [("", lambda c: [], row(), None)],
    # Open data is the same package for every signed-in user; the setting decides what is in it.
    "oc4ids_download": [("", lambda c: [], row(), None)],
    "open_data_settings": [("", lambda c: [], OFFICE_ONLY, OFFICE_ONLY)],
    "search": [("", lambda c: [], row(), None)],
    "search_quick": [("", lambda c: [], row(), None)],
}


def prepare(world):
    # A published list makes both cast projects public (they are still 谋划储备, which the office here
    # chose to publish too), so the download has something to send.
    plans_cast(world)
    PublicDataSetting.objects.update_or_create(pk=1, defaults={"include_reserve": True})

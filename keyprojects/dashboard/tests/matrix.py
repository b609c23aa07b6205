"""Role × endpoint matrix entries of dashboard (see keyprojects/matrix.py).

Everyone logged in has a cockpit, a screen and a map (of their own scope: an outsider's is empty);
the district boundaries and the reminders to late reporters (催报) are the office's."""

from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.matrix import ROLES, row

OFFICE_ONLY = row(leader=403, district=403, department=403, owner=403, outsider=403)

MATRIX = {
    "cockpit": [("", lambda c: [], row(), None)],
    "cockpit_screen": [("", lambda c: [], row(), None)],
    "map_projects": [("", lambda c: [], row(), None)],
    # 催报 from the home page: the office's; an empty POST reminds of the month now due (none here).
    "report_remind": [
        (
            "",
            lambda c: [],
            dict.fromkeys(ROLES, 405),
            {**OFFICE_ONLY, "office_admin": 302, "office_staff": 302},
        )
    ],
    "boundary_list": [("", lambda c: [], OFFICE_ONLY, None)],
    "boundary_upload": [
        # An empty POST is a form error (400) for the office.
        (
            "A",
            lambda c: [c.district_a.pk],
            OFFICE_ONLY,
            {**OFFICE_ONLY, "office_admin": 400, "office_staff": 400},
        ),
    ],
    "boundary_delete": [
        (
            "A",
            lambda c: [c.district_a.pk],
            dict.fromkeys(ROLES, 405),
            {**OFFICE_ONLY, "office_admin": 302, "office_staff": 302},
        ),
    ],
}

SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "青秀区"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[108.3, 22.7], [108.5, 22.7], [108.5, 22.9], [108.3, 22.9], [108.3, 22.7]]]
                ],
            },
        }
    ],
}


def prepare(world):
    world.boundary_a = DistrictBoundary.objects.create(
        organisation=world.district_a, geojson=SQUARE, vertices=5
    )

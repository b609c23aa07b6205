"""Role × endpoint matrix entries of the annual list, intake and plan changes (see keyprojects/matrix.py)."""

from keyprojects.matrix import row
from keyprojects.plans.tests.cast import plans_cast

MATRIX = {
    "annual_list": [("", lambda c: [], row(), None)],
}


def prepare(world):
    plans_cast(world)

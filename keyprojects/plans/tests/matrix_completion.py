"""Role × endpoint matrix entries of completion against plan and the official tables.

Both are read-only and scoped by entries_visible_to: every role may open them and sees its own scope
(the outsider an empty page and an empty table); neither takes a POST.
"""

from keyprojects.matrix import everyone, row
from keyprojects.plans.tests.cast import plans_cast

MATRIX = {
    "completion": [("", lambda c: [], row(), everyone(405))],
    "completion_table": [("", lambda c: [], row(), everyone(405))],
}


def prepare(world):
    plans_cast(world)

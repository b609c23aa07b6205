"""Role × endpoint matrix entries of completion against plan and the official tables."""

from keyprojects.matrix import row

MATRIX = {
    "completion": [("", lambda c: [], row(), None)],
}

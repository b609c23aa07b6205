"""Role × endpoint matrix entries of monthly reports (see keyprojects/matrix.py)."""

from keyprojects.matrix import row

MATRIX = {
    "report_todo": [("", lambda c: [], row(), None)],
}

"""Role × endpoint matrix entries of reports (see keyprojects/matrix.py)."""

MATRIX = {}

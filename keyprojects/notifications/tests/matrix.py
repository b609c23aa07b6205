"""Role × endpoint matrix entries of notifications (see keyprojects/matrix.py)."""

MATRIX = {}

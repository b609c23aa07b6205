"""Role × endpoint matrix entries of alerts (see keyprojects/matrix.py)."""

MATRIX = {}

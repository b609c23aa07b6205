"""Role × endpoint matrix entries of coordination (see keyprojects/matrix.py)."""

MATRIX = {}

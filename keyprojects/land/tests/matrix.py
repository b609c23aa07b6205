"""Role × endpoint matrix entries of land (see keyprojects/matrix.py)."""

MATRIX = {}

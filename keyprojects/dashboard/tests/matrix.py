"""Role × endpoint matrix entries of dashboard (see keyprojects/matrix.py)."""

MATRIX = {}

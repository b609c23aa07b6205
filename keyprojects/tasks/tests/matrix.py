"""Role × endpoint matrix entries of tasks (see keyprojects/matrix.py)."""

MATRIX = {}

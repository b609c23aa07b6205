"""Role × endpoint matrix entries of api (see keyprojects/matrix.py)."""

MATRIX = {}

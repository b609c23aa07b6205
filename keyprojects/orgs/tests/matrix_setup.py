"""Role × endpoint matrix entry of the first-login setup page (see keyprojects/matrix.py): the cast has an
office, so the page is gone for everyone, signed in or not."""

from keyprojects.matrix import everyone

MATRIX = {
    "office_setup": [("", lambda c: [], everyone(404), everyone(404))],
}

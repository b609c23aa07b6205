"""The demo city's land (called by keyprojects/projects/demo.py after the annual lists and reports)."""


def load_land_demo(*, seed=2026, stdout=None) -> dict:
    return {}

"""The demo city's dashboard (called by keyprojects/projects/demo.py after the annual lists and reports)."""


def load_dashboard_demo(*, seed=2026, stdout=None) -> dict:
    return {}

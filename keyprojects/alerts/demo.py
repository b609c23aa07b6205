"""The demo city's alerts (called by keyprojects/projects/demo.py after the annual lists and reports)."""


def load_alerts_demo(*, seed=2026, stdout=None) -> dict:
    return {}

"""The demo city's coordination (called by keyprojects/projects/demo.py after the annual lists and reports)."""


def load_coordination_demo(*, seed=2026, stdout=None) -> dict:
    return {}

"""The demo city's tasks (called by keyprojects/projects/demo.py after the annual lists and reports)."""


def load_tasks_demo(*, seed=2026, stdout=None) -> dict:
    return {}

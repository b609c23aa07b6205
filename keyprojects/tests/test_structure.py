"""The code's shape: apps depend downward only (structure.ALLOWED), with no import cycle, and an
import sits inside a function only where start-up order demands it."""

from pathlib import Path

from keyprojects.tests import structure

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = {"projects", "plans", "tasks", "coordination", "land", "alerts", "notifications", "calendars"}

# Imports that must wait for the app registry: AppConfig.ready registers hooks with the lower apps.
LATE_FILES = {"apps.py"}


def test_the_apps_import_one_another_without_a_cycle():
    assert structure.cycles(structure.app_graph(ROOT)) == []


def test_every_import_goes_downward():
    assert structure.wrong_direction(ROOT) == []


def test_orgs_knows_no_domain_app():
    graph = structure.app_graph(ROOT)
    assert graph["orgs"] & DOMAIN == set()


def test_imports_sit_at_the_top_of_their_module():
    late = [
        where
        for _, _, where in structure.imports_inside_functions(ROOT)
        if Path(where.split(":")[0]).name not in LATE_FILES
    ]
    assert late == []


def test_the_graph_sees_an_import_placed_inside_a_function(tmp_path):
    package = tmp_path / "keyprojects"
    (package / "orgs").mkdir(parents=True)
    (package / "projects").mkdir()
    (package / "orgs" / "selectors.py").write_text(
        "def gate():\n    from keyprojects.projects.models import Project\n    return Project\n"
    )
    (package / "projects" / "models.py").write_text("from keyprojects.orgs.models import User\n")

    graph = structure.app_graph(tmp_path)

    assert structure.cycles(graph) == [["orgs", "projects"]]
    assert structure.wrong_direction(tmp_path) == [("orgs", "projects", "keyprojects/orgs/selectors.py:2")]
    assert structure.imports_inside_functions(tmp_path) == [
        ("orgs", "projects", "keyprojects/orgs/selectors.py:2")
    ]

"""One round of scripts/fault_worker_kill.py: a real `manage.py db_worker` process SIGKILLed while it
applies an import. The database holds the state before or after, the job ends DONE or FAILED with its
reason, no task is left running."""

import importlib.util
import os
import sys

import pytest
from django.db import connection

from keyprojects.plans.tests.import_support import import_world

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _script():
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    spec = importlib.util.spec_from_file_location(
        "fault_worker_kill", os.path.join(ROOT, "scripts", "fault_worker_kill.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_an_apply_leaves_the_import_whole_or_undone(cast, settings, tmp_path):
    script = _script()
    import_list = sys.modules.get("import_list") or __import__("import_list")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KP_PROGRESS_DIR = tmp_path / "progress"
    settings.KP_IMPORT_SYNC_APPLY_ROWS = 0  # parsed here (the script has the worker parse too), applied there
    world = import_world(cast)
    path = tmp_path / "list.xlsx"
    import_list.write_list(path, 150, import_list.reference_data(), existing_share=0.3)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KEYPROJECTS_DATA_DIR": str(tmp_path),  # media/ and progress/ as set above
        "DEBUG": "0",
    }
    with (tmp_path / "worker.log").open("w") as log:
        row = script.import_round(
            staff=world.staff, path=path, year=import_list.YEAR, env=env, kill_after=0.3, log=log, timeout=60
        )
    assert row["ok"], (row, (tmp_path / "worker.log").read_text()[-2000:])
    assert row["status"] in ("done", "failed") and row["running"] == 0

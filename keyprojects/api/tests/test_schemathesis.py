"""schemathesis over the whole OpenAPI schema, in process through Django's WSGI app, as an office token
and as an owner token: valid and invalid requests alike never get a server error.

Kept bounded (KP_SCHEMATHESIS_EXAMPLES examples per operation and mode, default 4) so the run stays
well under two minutes; raise it for a deeper run.
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.renderers import JSONRenderer
from schemathesis import GenerationMode

from keyprojects.api.services import api_token_create

EXAMPLES = int(os.environ.get("KP_SCHEMATHESIS_EXAMPLES", 4))
# The records each path's {id} is drawn from: one in the owner's scope, one outside it, one that is gone.
IDS = {
    "/api/projects/": ("project_a", "project_b"),
    "/api/entries/": ("entry_a", "entry_b"),
    "/api/reports/": ("api_report_a", "api_submitted_b"),
    "/api/tasks/": ("api_task_a", "api_task_b"),
    "/api/problems/": ("api_problem_a", "api_resolved_b"),
    "/api/warnings/": ("api_warning_a", "api_warning_b"),
}


def _schema(world):
    raw = json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    for path, item in raw["paths"].items():
        prefix = next((p for p in IDS if path.startswith(p) and "{id}" in path), None)
        if prefix is None:
            continue
        ids = [getattr(world, name).pk for name in IDS[prefix]] + [987654]
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    parameter["schema"] = {"type": "integer", "enum": ids}
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    return schema


def _fuzz(schema, headers):
    """Every operation, positive and negative data; returns the failures as text."""
    failures = []
    seen = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                response = case.call(headers=headers)
                seen[response.status_code] = seen.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query} {case.body!r} → "
                        f"{response.status_code} {response.text[:300]}"
                    )

            run()
    return failures, seen


@pytest.fixture
def _connection_kept():
    # The WSGI handler closes the database connection after each request; the test's transaction lives
    # on it. Django's own test client disconnects the same handler.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_connection_kept")
@pytest.mark.parametrize("role", ["office", "owner"])
def test_it_never_answers_with_a_server_error(world, role):
    organisation = world.office if role == "office" else world.owner_a
    _token, key = api_token_create(organisation=organisation, name=f"schemathesis {role}", by=world.staff)
    failures, seen = _fuzz(_schema(world), {"Authorization": f"Bearer {key}"})
    assert not failures, "\n".join(failures[:20])
    # The run reached the services, not only the validation: some requests succeeded.
    assert any(200 <= status < 300 for status in seen), seen

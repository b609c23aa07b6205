"""The role × endpoint matrix of the whole API, driven by the OpenAPI schema: an operation in the
schema without an entry in api_matrix.MATRIX fails, and so does an entry for an operation that is gone."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from keyprojects.api.tests.api_matrix import MATRIX
from keyprojects.api.tests.world import api_world
from keyprojects.audit.models import AuditEntry
from keyprojects.matrix import ROLES
from keyprojects.test import SharedWorld, make_cast

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method, path) for path, item in schema["paths"].items() for method in item if method in METHODS}


OPERATIONS = _operations()


def test_it_has_a_matrix_entry_for_every_operation_in_the_schema():
    missing = sorted(OPERATIONS - set(MATRIX))
    assert not missing, f"API operations without a role × endpoint matrix entry: {missing}"


def test_it_has_no_matrix_entry_for_an_operation_the_schema_lacks():
    stale = sorted(set(MATRIX) - OPERATIONS)
    assert not stale, f"Matrix entries for operations not in the schema: {stale}"


CASES = [
    pytest.param(method, path, case.label, role, id=f"{method} {path} {case.label} {role}")
    for (method, path), cases in sorted(MATRIX.items())
    for case in cases
    for role in ROLES
]


@pytest.fixture(scope="module")
def _shared(django_db_setup, django_db_blocker):
    shared = SharedWorld(django_db_blocker)
    yield shared
    shared.close()


@pytest.fixture
def _api_world(_shared, _api_today):
    # Built once for all the cases (on the API's day, like each test), each case then runs in a
    # savepoint inside its transaction that is rolled back (overrides conftest's world, built per test).
    return _shared.get("api", lambda: api_world(make_cast()))


@pytest.fixture
def world(_api_world, db):
    return _api_world


@pytest.mark.parametrize(("method", "path", "label", "role"), CASES)
def test_it_answers_each_role_as_the_matrix_says(client, world, method, path, label, role):
    case = next(c for c in MATRIX[(method, path)] if c.label == label)
    if role != "anonymous":
        client.force_login(world.by_role()[role])
    url = path.format(**case.params(world))
    kwargs = {}
    if case.body is not None:
        kwargs = {"data": json.dumps(case.body(world)), "content_type": "application/json"}
    history = AuditEntry.objects.count()
    response = getattr(client, method)(url, **kwargs)
    expected = case.statuses[role]
    assert response.status_code == expected, f"{method.upper()} {url} as {role}: {response.content[:400]!r}"
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert AuditEntry.objects.count() == history, "a refused request wrote something"
        assert response.json(), "a refusal carries its reason"

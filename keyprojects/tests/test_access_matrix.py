"""Role × endpoint matrix: every URL in the URL conf, every role, inside and outside its scope.

Entries live beside each app in `<app>/tests/matrix.py`; a URL without one fails
test_it_has_a_matrix_entry_for_every_url.
"""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from keyprojects.matrix import ROLES, everyone, row
from keyprojects.test import SharedWorld, make_cast


def _matrix_modules():
    """Every `<app>/tests/matrix*.py` of our apps."""
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("keyprojects."):
            for path in sorted((Path(config.path) / "tests").glob("matrix*.py")):
                modules.append(importlib.import_module(f"{config.name}.tests.{path.stem}"))
    return modules


MODULES = _matrix_modules()
SITE = {
    "home": [("", lambda c: [], row(), None)],
    "login": [("", lambda c: [], row(anonymous=200), None)],
    "logout": [("", lambda c: [], everyone(405), everyone(302))],
    "set_language": [("", lambda c: [], everyone(302), None)],
    "admin:*": [("index", lambda c: [], {**everyone(302), "office_admin": 200}, None)],
}
MATRIX = {**SITE}
OWNER = {}  # url name → the module whose entry it is (its prepare() builds the records it needs)
for module in MODULES:
    assert not set(module.MATRIX) & set(MATRIX), f"{module.__name__} repeats matrix entries"
    MATRIX.update(module.MATRIX)
    OWNER.update(dict.fromkeys(module.MATRIX, module))


def _url_names(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns == "admin":
                yield "admin:*"
            else:
                yield from _url_names(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_it_has_a_matrix_entry_for_every_url():
    missing = set(_url_names()) - set(MATRIX)
    assert not missing, f"URLs without a role × endpoint matrix entry: {sorted(missing)}"


@pytest.fixture(scope="module")
def _families(django_db_setup, django_db_blocker):
    shared = SharedWorld(django_db_blocker)
    yield shared
    shared.close()


def _build(module):
    cast = make_cast()
    if module is not None and hasattr(module, "prepare"):
        module.prepare(cast)
    return cast


@pytest.fixture
def _family(_families, request):
    # The cast and only the records of the URL family under test (the app's matrix module), built once
    # for the family's consecutive cases: building every app's for each of thousands of cases would be
    # most of the suite's time.
    module = OWNER.get(request.node.callspec.params["name"])
    return _families.get(module, lambda: _build(module))


@pytest.fixture
def world(_family, db):
    # After the family's records: each case runs in a savepoint inside their transaction, rolled back.
    return _family


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(world.by_role()[role])
    return client


CASES = [(name, label, role) for name, entries in MATRIX.items() for label, *_ in entries for role in ROLES]


@pytest.mark.parametrize(("name", "label", "role"), CASES)
def test_it_answers_each_role_as_the_matrix_says(client, world, name, label, role):
    entry = next(e for e in MATRIX[name] if e[0] == label)
    _label, args, get_statuses, post_statuses = entry
    url = reverse("admin:index") if name == "admin:*" else reverse(name, args=args(world))
    client = _client_for(client, world, role)
    if name != "logout":
        assert client.get(url).status_code == get_statuses[role], f"GET {url} as {role}"
    if post_statuses is not None:
        assert client.post(url, {}).status_code == post_statuses[role], f"POST {url} as {role}"

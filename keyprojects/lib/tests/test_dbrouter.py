"""The read replica: with a "replica" alias configured (here a second connection to the test database),
the read-only pages read from it, every other page and every write use the default database."""

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyprojects.lib.dbrouter import REPLICA, using_replica
from keyprojects.orgs.models import Organisation

# The replica's connection sees committed rows only: these tests commit (and flush afterwards).
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

REPLICA_PAGES = ["cockpit", "cockpit_screen", "map_projects", "completion", "open_data"]
# What the middleware reads before the view (session, user, office settings): always the default.
BEFORE_THE_VIEW = re.compile(r'"(django_session|orgs_user|orgs_organisation|lib_\w+|orgs_\w+)"')


@pytest.fixture(scope="module", autouse=True)
def replica_configured(django_db_setup, django_db_blocker):
    """What DATABASE_REPLICA_URL does in settings, pointed at the test database: a second alias, a second
    connection. Module-wide, so that each test's database set-up already knows the alias."""
    replica = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    connections.settings[REPLICA] = replica
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica():
    return connections[REPLICA]


def _tables(queries) -> set[str]:
    return {t for q in queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}


def _get(client, url, replica):
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(replica) as read,
    ):
        response = client.get(url)
    assert response.status_code == 200, url
    return _tables(default.captured_queries), _tables(read.captured_queries)


def test_it_reads_the_read_only_pages_from_the_replica_and_the_rest_from_the_default(cast, client, replica):
    client.force_login(cast.staff)
    for name in REPLICA_PAGES:
        on_default, on_replica = _get(client, reverse(name), replica)
        assert on_replica, name
        assert not [t for t in on_default if not BEFORE_THE_VIEW.match(f'"{t}"')], name
        assert "django_session" not in on_replica  # the login is never subject to the replica's lag
    on_default, on_replica = _get(client, reverse("project_list"), replica)
    assert "projects_project" in on_default
    assert not on_replica


# The replica is not among this test's databases: a query sent there would fail the test by itself.
@pytest.mark.django_db
def test_it_writes_to_the_default_database_inside_a_replica_block():
    with CaptureQueriesContext(connections["default"]) as default, using_replica() as alias:
        assert alias == REPLICA
        org = Organisation.objects.create(kind=Organisation.Kind.OWNER, name="写入主库的业主公司")
        org.name = "改名后的业主公司"
        org.save()
    assert [q["sql"].split()[0] for q in default.captured_queries if "orgs_organisation" in q["sql"]] == [
        "INSERT",
        "UPDATE",
    ]
    assert Organisation.objects.get(pk=org.pk).name == "改名后的业主公司"

import pytest

from keyprojects.test import make_cast


@pytest.fixture
def cast(db):
    return make_cast()

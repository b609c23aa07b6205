import pytest

from keyprojects.test import make_cast


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast logs in with real passwords; a slow hasher would make every test pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db):
    return make_cast()

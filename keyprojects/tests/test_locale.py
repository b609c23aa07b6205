"""In Chinese throughout: what Django itself says to a user (its password validators) is Chinese too,
where Django's own catalogue lacks a message (locale/zh_Hans)."""

import re

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from keyprojects.orgs.models import User


@pytest.mark.parametrize("password", ["abc", "zhangsan2026", "12345678", "password"])
def test_it_refuses_a_weak_password_in_chinese(password):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_password(password, User(username="zhangsan2026"))
    assert error.value.messages
    for message in error.value.messages:
        assert not re.search("[A-Za-z]", message), message


def test_it_explains_the_password_rules_in_chinese():
    with translation.override("zh-hans"):
        texts = password_validators_help_texts()
    assert all(not re.search("[A-Za-z]", text) for text in texts), texts

"""Service errors on a form and in messages."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory

from keyprojects.lib.forms import BootstrapFormMixin, apply_errors, error_text, message_errors


class NameForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False)


def _valid_form():
    form = NameForm({"name": "南宁", "note": ""})
    assert form.is_valid()
    return form


def test_it_puts_each_error_on_its_field():
    form = _valid_form()
    apply_errors(form, ValidationError({"name": ["名称已存在。"], "note": ["太长了。", "含有非法字符。"]}))
    assert form.errors == {"name": ["名称已存在。"], "note": ["太长了。", "含有非法字符。"]}
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]


def test_it_puts_errors_for_fields_the_form_lacks_above_the_form():
    form = _valid_form()
    apply_errors(form, ValidationError({"year": ["年度不正确。"], NON_FIELD_ERRORS: ["已被锁定。"]}))
    assert form.non_field_errors() == ["年度不正确。", "已被锁定。"]
    assert "name" not in form.errors


def test_it_puts_an_error_that_names_no_field_above_the_form():
    form = _valid_form()
    apply_errors(form, ValidationError("本月已锁定。"))
    apply_errors(form, ValidationError(["其一。", "其二。"]))
    assert form.non_field_errors() == ["本月已锁定。", "其一。", "其二。"]


def test_it_writes_every_message_on_one_line():
    assert error_text(ValidationError({"name": ["甲。"], "note": ["乙。", "丙。"]})) == "甲。 乙。 丙。"
    assert error_text(ValidationError("甲。")) == "甲。"
    assert error_text(ValidationError(["甲。", "乙。"])) == "甲。 乙。"


def test_it_turns_each_message_into_an_error_message():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    message_errors(request, ValidationError({"name": ["甲。"], "note": ["乙。"]}))
    message_errors(request, ValidationError("丙。"))
    shown = list(get_messages(request))
    assert [m.message for m in shown] == ["甲。", "乙。", "丙。"]
    assert {m.level_tag for m in shown} == {"error"}

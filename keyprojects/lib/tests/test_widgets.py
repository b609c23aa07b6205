"""The filter forms' fast widgets write what Django's own widgets write, attribute for attribute."""

from html.parser import HTMLParser

import pytest
from django import forms

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import (
    FastCheckboxInput,
    FastDateInput,
    FastHiddenInput,
    FastNumberInput,
    FastSelect,
    FastTextInput,
)


class _Parsed(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.items = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


CHOICES = [("", "全部"), ("1", "青秀区"), ("2", 'a "quoted" <b>')]


class DjangoForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "名称 <或> 拼音"}))
    n = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"placeholder": "N"}))
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)
    overdue = forms.BooleanField(required=False)
    district = forms.ChoiceField(required=False, choices=CHOICES)
    name = forms.CharField(max_length=20)


class FastForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(required=False, widget=FastTextInput(attrs={"placeholder": "名称 <或> 拼音"}))
    n = forms.IntegerField(required=False, widget=FastNumberInput(attrs={"placeholder": "N"}))
    since = forms.DateField(required=False, widget=FastDateInput(attrs={"type": "date"}))
    project = forms.IntegerField(required=False, widget=FastHiddenInput)
    overdue = forms.BooleanField(required=False, widget=FastCheckboxInput)
    district = forms.ChoiceField(required=False, choices=CHOICES, widget=FastSelect)
    name = forms.CharField(max_length=20, widget=FastTextInput)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "q": '南宁 "轨道" <script>',
            "n": "7",
            "since": "2027-01-04",
            "project": "12",
            "overdue": "on",
            "district": "2",
            "name": "x",
        },
        {"n": "七", "since": "2027-02-30", "overdue": "", "district": "9", "name": "x" * 30},
    ],
    ids=["unbound", "empty", "filled", "invalid"],
)
def test_each_fast_widget_writes_what_djangos_widget_writes(data):
    django_form, fast_form = DjangoForm(data), FastForm(data)
    if data is not None:
        assert django_form.is_valid() == fast_form.is_valid()
    for name in DjangoForm.base_fields:
        expected, written = str(django_form[name]), str(fast_form[name])
        assert _Parsed(written).items == _Parsed(expected).items, name


def test_the_typed_text_comes_back_escaped_and_the_box_stays_ticked():
    form = FastForm({"q": '"><script>alert(1)</script>', "overdue": "on", "name": "x"})
    assert "<script>" not in str(form["q"])
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in str(form["q"])
    assert str(form["overdue"]).endswith(" checked>")

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import FastDateInput, FastSelect, FastTextInput
from keyprojects.security.models import SecurityEvent


class EventFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("事件"), required=False, widget=FastSelect)
    user = forms.CharField(label=_("用户"), required=False, max_length=150, widget=FastTextInput)
    day_from = forms.DateField(
        label=_("起始日期"), required=False, widget=FastDateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label=_("截止日期"), required=False, widget=FastDateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *SecurityEvent.Kind.choices]

    def filters(self) -> dict:
        """The selector's arguments: none of a field that does not validate."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kind": data.get("kind", ""),
            "username": (data.get("user") or "").strip(),
            "day_from": data.get("day_from"),
            "day_to": data.get("day_to"),
        }


class TokenForm(BootstrapFormMixin, forms.Form):
    token = forms.CharField(
        label=_("动态口令"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

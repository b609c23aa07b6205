"""Widgets for the list pages' filter forms, rendered without the template engine: Django renders a
<select> through a template per option, which for a few dozen units costs more than the page's SQL."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def attrs_html(attrs: dict) -> str:
    """ATTRS as Django's attrs.html writes them: in order, True as a bare name, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A single <select> of flat (value, label) choices, written directly; the same HTML as Select."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = "" if value is None else str(value[0] if isinstance(value, list | tuple) else value)
        options, chosen = [], False
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            mark = ""
            if not chosen and option_value == selected:
                mark, chosen = " selected", True
            value_html, label_html = conditional_escape(option_value), conditional_escape(label)
            options.append(f'<option value="{value_html}"{mark}>{label_html}</option>')
        return mark_safe(f"<select{attrs_html(final)}>{''.join(options)}</select>")


class _DirectInput:
    """An <input> written directly, the same HTML as Django's input.html and attrs.html: on a filter
    form the template engine's two templates per input cost about 2 ms of a 20 ms list page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_html = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
        name_html = conditional_escape(name)
        return mark_safe(
            f'<input type="{widget["type"]}" name="{name_html}"{value_html}{attrs_html(widget["attrs"])}>'
        )


class FastTextInput(_DirectInput, forms.TextInput):
    pass


class FastNumberInput(_DirectInput, forms.NumberInput):
    pass


class FastDateInput(_DirectInput, forms.DateInput):
    pass


class FastHiddenInput(_DirectInput, forms.HiddenInput):
    pass


class FastCheckboxInput(_DirectInput, forms.CheckboxInput):
    pass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


class BootstrapFormMixin:
    """Gives every widget the Bootstrap class it needs and marks fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.DateInput) and widget.input_type == "date":
                widget.format = "%Y-%m-%d"  # <input type=date> takes ISO dates only, whatever the locale
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        # Not only in full_clean: a view adds the errors a service raises after validation, and
        # those fields must be marked too.
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", "").split():
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def apply_errors(form, error: ValidationError) -> None:
    """Put the errors a service raised on FORM: each on its field where the form has it, the others
    (and an error that names no field) above the form."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)


def error_text(error: ValidationError) -> str:
    """Every message of ERROR on one line, for a flash message or an htmx row."""
    return " ".join(error.messages)


def message_errors(request, error: ValidationError) -> None:
    """Each message of ERROR as an error message on the next page."""
    for message in error.messages:
        messages.error(request, message)

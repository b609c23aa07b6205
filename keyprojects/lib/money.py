"""Money is whole yuan in the database and Decimal 万元 everywhere a person sees or types it.

1 万元 = 10,000 元, so 万元 with up to 4 decimal places is exact to the yuan. Never float:
Excel readers hand back floats, so they go through str() before Decimal.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

YUAN_PER_WAN = 10_000
YUAN_PER_YI = 100_000_000
WAN_PLACES = Decimal("0.0001")


def to_decimal(value) -> Decimal:
    """Parse what a person or a spreadsheet gives into a Decimal, or raise ValueError."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, float):
        # 15 significant digits, as Excel shows and stores what is typed: a computed cell (=0.1+0.2)
        # comes back as 0.30000000000000004, which is binary noise, not a fraction of a yuan.
        value = format(value, ".15g")
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        result = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not result.is_finite():
        raise ValueError(value)
    return result


def wan_to_yuan(wan) -> int:
    """万元 (Decimal, str or int) to whole yuan; refuses fractions of a yuan."""
    amount = to_decimal(wan) * YUAN_PER_WAN
    if amount != amount.to_integral_value():
        raise ValueError(wan)
    return int(amount)


def yuan_to_wan(yuan: int | None) -> Decimal | None:
    """Whole yuan to 万元 with exactly 4 places (the yuan)."""
    if yuan is None:
        return None
    return (Decimal(int(yuan)) / YUAN_PER_WAN).quantize(WAN_PLACES)


def format_wan(yuan: int | None) -> str:
    """Display form: thousands separators, trailing zeros of the fraction dropped (12,345.5)."""
    if yuan is None:
        return "—"
    wan = yuan_to_wan(yuan)
    text = f"{wan:,.4f}".rstrip("0").rstrip(".")
    return text


def format_yi(yuan: int | None) -> str:
    """亿元 with two places, for totals."""
    if yuan is None:
        return "—"
    yi = (Decimal(int(yuan)) / YUAN_PER_YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{yi:,.2f}"


class MoneyField(models.BigIntegerField):
    """Whole yuan in the database; its form field takes 万元."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WanField, **kwargs})


class WanField(forms.Field):
    """A 万元 amount: non-negative, at most 4 decimal places; cleans to whole yuan (int)."""

    default_error_messages = {
        "invalid": _("请输入数字金额（万元），例如 1234.5678。"),
        "negative": _("金额不能为负数。"),
        "places": _("万元金额最多保留 4 位小数（精确到元）。"),
        "too_big": _("金额过大，请核对单位是否为万元。"),
    }
    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def __init__(self, *, max_value=None, min_value=None, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_wan(value).replace(",", "")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            wan = to_decimal(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if wan < 0:
            raise ValidationError(self.error_messages["negative"], code="negative")
        # Before any quantize: a huge number ("1e30") has more digits than the Decimal context holds
        # and quantize would raise InvalidOperation instead of a form error.
        if wan * YUAN_PER_WAN >= 10**17:
            raise ValidationError(self.error_messages["too_big"], code="too_big")
        if wan.as_tuple().exponent < -4 and wan != wan.quantize(WAN_PLACES):
            raise ValidationError(self.error_messages["places"], code="places")
        return wan_to_yuan(wan.quantize(WAN_PLACES))

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True

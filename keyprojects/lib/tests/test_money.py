"""Money: whole yuan stored, exact Decimal 万元 shown and typed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keyprojects.lib.money import WanField, format_wan, format_yi, wan_to_yuan, yuan_to_wan
from keyprojects.projects.models import Project

# wan_to_yuan / yuan_to_wan


def test_it_converts_wan_to_yuan_exactly():
    assert wan_to_yuan(Decimal("1234.5678")) == 12345678
    assert wan_to_yuan("1234.5678") == 12345678
    assert wan_to_yuan("1,234.5678") == 12345678
    assert wan_to_yuan("1，234.5") == 12345000
    assert wan_to_yuan(50000) == 500_000_000
    assert wan_to_yuan("0.0001") == 1
    assert wan_to_yuan(Decimal("0")) == 0


def test_it_converts_yuan_to_wan_with_four_places():
    assert yuan_to_wan(12345678) == Decimal("1234.5678")
    assert str(yuan_to_wan(12345678)) == "1234.5678"
    assert str(yuan_to_wan(500_000_000)) == "50000.0000"
    assert str(yuan_to_wan(1)) == "0.0001"
    assert yuan_to_wan(None) is None


def test_it_round_trips_every_yuan():
    for yuan in [*range(0, 30_000, 7), 10**15 + 1, 123_456_789_012]:
        assert wan_to_yuan(yuan_to_wan(yuan)) == yuan


def test_it_reads_excel_floats_as_the_number_shown():
    # Decimal(1234.5678) is 1234.56779999…; going through the decimal text gives the typed value.
    assert Decimal(1234.5678) != Decimal("1234.5678")
    assert wan_to_yuan(1234.5678) == 12345678
    assert wan_to_yuan(0.1) == 1000
    assert wan_to_yuan(12345.0) == 123_450_000
    # A computed cell (=0.1+0.2) comes back with binary noise; it is 0.3 万元, not a fraction of a yuan.
    assert 0.1 + 0.2 != 0.3
    assert wan_to_yuan(0.1 + 0.2) == 3000
    assert wan_to_yuan(1234.5678 + 2469.1356) == 37_037_034  # 3703.7034000000003 in float


def test_it_does_not_drift_when_summing_many_amounts():
    floats = [0.1] * 10_000
    assert sum(floats) != 1000  # the float way drifts
    yuan = sum(wan_to_yuan(x) for x in floats)
    assert yuan == 10_000_000
    assert yuan_to_wan(yuan) == Decimal("1000.0000")
    texts = ["1234.5678", "0.0001", "99999.9999", "0.3333"] * 2500
    assert yuan_to_wan(sum(wan_to_yuan(t) for t in texts)) == Decimal("253087252.7500")  # 101234.9011 × 2500


@pytest.mark.parametrize(
    "bad", [Decimal("0.00001"), "1.23456", "abc", "", None, True, "NaN", "Infinity", 0.00001]
)
def test_it_refuses_what_is_not_a_whole_yuan(bad):
    with pytest.raises(ValueError):
        wan_to_yuan(bad)


# format_wan / format_yi


def test_it_formats_wan_with_separators_and_no_trailing_zeros():
    assert format_wan(123_456_785_000) == "12,345,678.5"
    assert format_wan(12_345_678) == "1,234.5678"
    assert format_wan(500_000_000) == "50,000"
    assert format_wan(1_000_000) == "100"
    assert format_wan(10_000) == "1"
    assert format_wan(5_000) == "0.5"
    assert format_wan(1) == "0.0001"
    assert format_wan(0) == "0"
    assert format_wan(None) == "—"


def test_it_formats_yi_with_two_places_rounding_half_up():
    assert format_yi(123_456_789) == "1.23"
    assert format_yi(150_000_000) == "1.50"
    assert format_yi(100_500_000) == "1.01"  # 1.005 亿: half up, not to even
    assert format_yi(123_456_789_000_000) == "1,234,567.89"
    assert format_yi(0) == "0.00"
    assert format_yi(None) == "—"


# WanField


def test_it_cleans_a_typed_amount_to_yuan():
    field = WanField()
    assert field.clean("1,234.5") == 12_345_000
    assert field.clean("1，234.5") == 12_345_000
    assert field.clean(" 1234.5678 ") == 12_345_678
    assert field.clean("1.23450") == 12_345  # trailing zero beyond 4 places is still exact
    assert field.clean("1.000000") == 10_000
    assert field.clean("0") == 0


def _error(field, value):
    with pytest.raises(ValidationError) as caught:
        field.clean(value)
    return caught.value


def test_it_refuses_a_negative_amount_in_chinese():
    error = _error(WanField(), "-1")
    assert error.code == "negative"
    assert error.messages == ["金额不能为负数。"]


def test_it_refuses_text_that_is_not_a_number():
    for value in ("abc", "1.2.3", "NaN", "一千"):
        error = _error(WanField(), value)
        assert error.code == "invalid"
        assert "请输入数字金额" in error.messages[0]


def test_it_refuses_a_fifth_decimal_place():
    error = _error(WanField(), "1.23456")
    assert error.code == "places"
    assert "4 位小数" in error.messages[0]


def test_it_refuses_an_absurd_amount_without_crashing():
    # Regression: "1e30" reached Decimal.quantize, which raised InvalidOperation (a 500)
    # instead of a form error.
    for value in ("1e30", "99999999999999999999999999999"):
        assert _error(WanField(), value).code == "too_big"
    assert _error(WanField(), "10000000000000").code == "too_big"  # 10**17 yuan
    assert WanField().clean("9999999999999.9999") == 10**17 - 1


def test_it_cleans_empty_to_none_unless_required():
    optional = WanField(required=False)
    assert optional.clean("") is None
    assert optional.clean(None) is None
    assert _error(WanField(), "").code == "required"


def test_it_shows_stored_yuan_as_plain_wan_in_the_form():
    field = WanField()
    assert field.prepare_value(12_345_000) == "1234.5"
    assert field.prepare_value(500_000_000) == "50000"
    assert field.prepare_value("1,234.5") == "1,234.5"  # what was typed is shown back as typed
    assert field.has_changed(12_345_000, "1234.5") is False
    assert field.has_changed(12_345_000, "1234.6") is True
    assert field.has_changed(12_345_000, "abc") is True


def test_it_gives_money_fields_the_wan_form_field():
    assert isinstance(Project._meta.get_field("total_investment").formfield(), WanField)

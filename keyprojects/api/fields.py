"""Serializer building blocks: money in 万元 as decimal strings, strict types, unknown fields refused,
foreign keys looked up only inside the requesting user's scope."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keyprojects.lib.money import WAN_PLACES, YUAN_PER_WAN, to_decimal, wan_to_yuan, yuan_to_wan

WAN_PATTERN = r"^-?\d{1,13}(\.\d{1,4})?$"
MAX_YUAN = 10**17


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": WAN_PATTERN.replace("-?", ""),
        "example": "1234.5678",
        "description": "万元，最多 4 位小数 / 10,000 yuan, up to 4 decimal places",
    }
)
class WanField(serializers.Field):
    """An amount in 万元: read as a string with 4 places ("1234.5000"); written as a string or a whole
    number. A JSON float is refused: it may already have lost the yuan."""

    default_error_messages = {
        "float": _('金额须以字符串提交（如 "1234.5678"），不能使用浮点数。'),
        "invalid": _('请输入数字金额（万元），例如 "1234.5678"。'),
        "negative": _("金额不能为负数。"),
        "places": _("万元金额最多保留 4 位小数（精确到元）。"),
        "too_big": _("金额过大，请核对单位是否为万元。"),
    }

    def __init__(self, *, signed=False, **kwargs):
        self.signed = signed
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else str(yuan_to_wan(value))

    def to_internal_value(self, data):
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        if isinstance(data, str) and (len(data) > 40 or not data.strip()):
            self.fail("invalid")
        try:
            wan = to_decimal(data)
        except ValueError:
            self.fail("invalid")
        if wan < 0 and not self.signed:
            self.fail("negative")
        if abs(wan) * YUAN_PER_WAN >= MAX_YUAN:
            self.fail("too_big")
        if wan != wan.quantize(WAN_PLACES):
            self.fail("places")
        return wan_to_yuan(wan.quantize(WAN_PLACES))


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d{1,13}(\.\d{1,4})?$",
        "example": "-12.5",
        "description": "万元，可为负数（冲减此前多报），最多 4 位小数",
    }
)
class SignedWanField(WanField):
    def __init__(self, **kwargs):
        super().__init__(signed=True, **kwargs)


@extend_schema_field({"type": "string", "readOnly": True})
class ChoiceLabelField(serializers.Field):
    """The label of a choice field's value (阶段 "在建" for "construction"), read only. Cheaper than
    source="get_stage_display", which DRF inspects as a callable on every row."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class TextField(serializers.CharField):
    """A string, and only a string: a number or a list is a wrong type, not text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number given as a number (or as digits in a form): 1.5, true and "1e3" are wrong types."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float):
            self.fail("invalid")
        if isinstance(data, str) and not (data.isascii() and data.lstrip("-").isdigit() and len(data) < 19):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data in ("true", "false"):
            return data == "true"
        self.fail("invalid")


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key by id, looked up in SCOPE(user) only: an id outside the user's scope is answered
    exactly like one that does not exist, so nothing leaks and nothing is written."""

    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的{label}不存在，或不在您的权限范围内。"),
        "incorrect_type": _("{label}应为编号（整数），不能是 {data_type}。"),
        "required": _("请填写此字段。"),
    }

    def __init__(self, *, scope, label_text, **kwargs):
        self.scope = scope
        self.label_text = label_text
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float):
            self.fail("incorrect_type", data_type=type(data).__name__, label=self.label_text)
        if isinstance(data, str) and not (data.isascii() and data.isdigit() and len(data) < 19):
            self.fail("incorrect_type", data_type=type(data).__name__, label=self.label_text)
        if isinstance(data, int) and not 0 < data < 2**63:
            self.fail("does_not_exist", pk_value=data, label=self.label_text)
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__, label=self.label_text)
        except self.get_queryset().model.DoesNotExist:
            self.fail("does_not_exist", pk_value=data, label=self.label_text)

    def fail(self, key, **kwargs):
        kwargs.setdefault("label", self.label_text)
        super().fail(key, **kwargs)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (or may not write), naming them, instead of ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(k) for k in data if k not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [_("未知字段或只读字段“%(name)s”，不能提交。") % {"name": name}]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)

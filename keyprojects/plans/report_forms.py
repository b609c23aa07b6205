from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.money import WAN_PLACES, YUAN_PER_WAN, WanField, to_decimal, wan_to_yuan
from keyprojects.plans.models import AnnualList
from keyprojects.plans.report_services import photo_check

TEXT_MAX = 2000


class SignedWanField(WanField):
    """A 万元 amount that may be negative (a write-back of an earlier over-report); at most 4 decimal
    places, cleaned to whole yuan."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            wan = to_decimal(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if abs(wan) * YUAN_PER_WAN >= 10**17:
            raise ValidationError(self.error_messages["too_big"], code="too_big")
        if wan.as_tuple().exponent < -4 and wan != wan.quantize(WAN_PLACES):
            raise ValidationError(self.error_messages["places"], code="places")
        return wan_to_yuan(wan.quantize(WAN_PLACES))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked by Pillow and cleans to (upload, format)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        checked, errors = [], []
        for upload in uploads:
            try:
                upload = super().clean(upload, initial)
                checked.append((upload, photo_check(upload)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def _text(label, rows, **kwargs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class MonthlyReportForm(BootstrapFormMixin, forms.Form):
    amount = SignedWanField(
        label=_("当月完成投资（万元）"),
        help_text=_("可填负数冲减此前多报的金额，但年度累计不能为负；最多 4 位小数。"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control-lg"}
        ),
    )
    progress = _text(_("形象进度"), 3, help_text=_("提交时必填，如：完成主体结构至 12 层。"))
    problems = _text(_("存在问题及工作建议"), 3)
    explanation = _text(_("超总投资说明"), 2, help_text=_("开工至今累计超过项目总投资时必填。"))
    photos = MultiplePhotoField(
        label=_("现场照片"), required=False, help_text=_("JPEG、PNG 或 WebP 格式，可多选。")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report=None, **kwargs):
        if report is not None:
            kwargs.setdefault(
                "initial",
                {
                    "amount": report.amount,
                    "progress": report.progress,
                    "problems": report.problems,
                    "explanation": report.explanation,
                    "version": report.version,
                },
            )
        super().__init__(*args, **kwargs)

    def report_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "progress": data["progress"].strip(),
            "problems": data["problems"].strip(),
            "explanation": data["explanation"].strip(),
            "photos": data["photos"],
            "expected_version": data["version"],
        }


class ReturnForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("退回原因"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportAdjustmentForm(BootstrapFormMixin, forms.Form):
    new_amount = SignedWanField(
        label=_("调整后当月完成投资（万元）"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("调整原因"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    explanation = _text(_("超总投资说明"), 2, help_text=_("开工至今累计超过项目总投资时必填。"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def month_choices():
    return [(m, gettext("%(m)s月") % {"m": m}) for m in range(1, 13)]


class PeriodForm(BootstrapFormMixin, forms.Form):
    """A year of the list and a month of it, for the overview and the locks page."""

    year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, choices=(), widget=forms.Select(attrs={"class": "form-select-sm w-auto"})
    )
    month = forms.TypedChoiceField(
        label=_("月份"),
        coerce=int,
        choices=(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select-sm w-auto"}),
    )
    district = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (y, gettext("%(y)s年") % {"y": y}) for y in AnnualList.objects.values_list("year", flat=True)
        ]
        self.fields["month"].choices = month_choices()


class MonthLockForm(forms.Form):
    month = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()


class ReviewQueueForm(BootstrapFormMixin, forms.Form):
    """The review queue's filters: a month (one the scope has reports for), a project, a status."""

    period = forms.ChoiceField(
        label=_("月份"), required=False, widget=forms.Select(attrs={"class": "form-select-sm w-auto"})
    )
    q = forms.CharField(
        label=_("项目"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control-sm", "placeholder": _("项目名称或代码"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("submitted", _("待审核")),
            ("approved", _("已通过")),
            ("returned", _("已退回")),
            ("all", _("全部")),
        ],
        widget=forms.Select(attrs={"class": "form-select-sm w-auto"}),
    )
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", gettext("全部月份"))] + [
            (f"{y}-{m:02d}", gettext("%(y)s年%(m)s月") % {"y": y, "m": m}) for y, m in periods
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        filters = {"status": data["status"] or "submitted", "q": data["q"], "project": data["project"]}
        if data["period"]:
            year, month = data["period"].split("-")
            filters.update(year=int(year), month=int(month))
        return filters

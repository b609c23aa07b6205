from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.coordination.models import Problem
from keyprojects.coordination.selectors import SORTS, problem_filter_choices
from keyprojects.coordination.services import (
    ATTACHMENTS_PER_STEP,
    HANDLER_KINDS,
    TEXT_MAX,
    attachment_check,
)
from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import FastCheckboxInput, FastHiddenInput, FastSelect, FastTextInput
from keyprojects.orgs.models import Organisation

ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.ofd,.jpg,.jpeg,.png,.webp"


def handler_units():
    return Organisation.objects.filter(kind__in=HANDLER_KINDS, is_active=True).order_by(
        "kind", "sort", "name"
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _attachments_help():
    # Formatted when shown, in the language of the request: fields are built once, at import.
    return gettext("可上传 PDF、Word、Excel、OFD 或图片，每次最多 %(n)s 个。") % {"n": ATTACHMENTS_PER_STEP}


class AttachmentsField(forms.FileField):
    """Several files in one input, each checked for type (by content) and size; cleans to a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            lazy(_attachments_help, str)(),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(uploads) > ATTACHMENTS_PER_STEP:
            raise ValidationError(_("每次最多上传 %(n)s 个附件。") % {"n": ATTACHMENTS_PER_STEP})
        checked, errors = [], []
        for upload in uploads:
            try:
                upload = super().clean(upload, initial)
                attachment_check(upload)
                checked.append(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def _text(label, rows=3, required=True, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class DateInput(forms.DateInput):
    input_type = "date"


def _filter_choices(name):
    return [("", _("全部")), *problem_filter_choices()[name]]


class ProblemFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=FastTextInput(attrs={"placeholder": _("问题概述、项目名称或拼音首字母")}),
    )
    category = forms.ChoiceField(widget=FastSelect, label=_("问题类别"), required=False)
    level = forms.TypedChoiceField(
        widget=FastSelect, label=_("当前层级"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(
        widget=FastSelect,
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("unresolved", _("未办结")), *Problem.Status.choices],
    )
    # Ids from the cached choices (selectors.problem_filter_choices): binding, validating and
    # rendering the form query nothing.
    unit = forms.TypedChoiceField(
        widget=FastSelect, label=_("承办单位"), coerce=int, empty_value=None, required=False
    )
    district = forms.TypedChoiceField(
        widget=FastSelect, label=_("城区"), coerce=int, empty_value=None, required=False
    )
    project = forms.IntegerField(required=False, widget=FastHiddenInput)
    # From the home page's to-do: problems a unit raised (to confirm), problems on a leader's projects.
    raised_by = forms.IntegerField(required=False, widget=FastHiddenInput)
    leader = forms.IntegerField(required=False, widget=FastHiddenInput)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False, widget=FastCheckboxInput)
    assign_overdue = forms.BooleanField(label=_("只看待交办超时"), required=False, widget=FastCheckboxInput)
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("排序"),
        required=False,
        choices=[
            ("new", _("最新提出")),
            ("old", _("最早提出")),
            ("deadline", _("办理时限临近")),
            ("level", _("层级从高到低")),
        ],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部")), *Problem.Category.choices]
        for name in ("level", "unit", "district"):
            # Callables: read only when a value is validated or the form is rendered.
            self.fields[name].choices = partial(_filter_choices, name)
        if user is not None and user.is_district:
            del self.fields["district"]
        assert set(dict(self.fields["sort"].choices)) == set(SORTS)

    def cleaned_filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class ProblemRaiseForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), choices=[("", "---------"), *Problem.Category.choices])
    title = forms.CharField(label=_("问题概述"), max_length=200)
    description = _text(_("问题描述"), rows=5)
    lead_unit = UnitChoiceField(label=_("牵头单位"), queryset=Organisation.objects.none())
    co_units = UnitsChoiceField(
        label=_("协办单位"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl 可多选。"),
    )
    deadline = forms.DateField(
        label=_("期望办结日期"),
        required=False,
        widget=DateInput,
        help_text=_("不填则按第一层级的办理时限（工作日）计算。"),
    )
    files = AttachmentsField(label=_("附件"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_office:
            # Not the office: the problem waits for the office to assign it, when its clock starts.
            self.fields["deadline"].help_text = _(
                "供重点办交办时参考；办理时限自重点办交办之日起按工作日计算。"
            )
        self.fields["lead_unit"].queryset = handler_units()
        self.fields["co_units"].queryset = handler_units()
        self.fields["lead_unit"].error_messages["required"] = _("请选择牵头单位。")


class VersionedForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(VersionedForm):
    lead_unit = UnitChoiceField(label=_("牵头单位"), queryset=Organisation.objects.none())
    co_units = UnitsChoiceField(
        label=_("协办单位"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = forms.DateField(
        label=_("本层级办理时限"),
        required=False,
        widget=DateInput,
        help_text=_("不填则保持现有时限。"),
    )
    note = _text(_("交办说明"), rows=2, required=False)

    def __init__(self, *args, waiting=False, **kwargs):
        super().__init__(*args, **kwargs)
        if waiting:  # 待交办: assigning starts the level's clock today
            self.fields["deadline"].help_text = _("不填则自今日起按本层级的办理时限（工作日）计算。")
        self.fields["lead_unit"].queryset = handler_units()
        self.fields["co_units"].queryset = handler_units()


class CoUnitForm(VersionedForm):
    unit = UnitChoiceField(label=_("协办单位"), queryset=Organisation.objects.none())
    note = _text(_("说明"), rows=2, required=False)

    def __init__(self, *args, problem=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = handler_units()
        if problem is not None and problem.pk:
            units = units.exclude(pk=problem.lead_unit_id).exclude(pk__in=problem.co_units.values("pk"))
        self.fields["unit"].queryset = units


class ProgressForm(VersionedForm):
    note = _text(_("办理进展"), rows=3)
    files = AttachmentsField(label=_("附件"))


class ResolveForm(VersionedForm):
    note = _text(_("办结情况"), rows=3)
    files = AttachmentsField(label=_("办结附件"))


class NoteForm(VersionedForm):
    note = _text(_("说明"), rows=2, required=False)


class ReasonForm(VersionedForm):
    reason = _text(_("理由"), rows=2)


class InstructionForm(BootstrapFormMixin, forms.Form):
    text = _text(_("批示内容"), rows=4)
    reply_unit = UnitChoiceField(label=_("回复单位"), queryset=Organisation.objects.none())
    reply_deadline = forms.DateField(label=_("回复时限"), widget=DateInput)

    def __init__(self, *args, problem, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [problem.lead_unit_id, *problem.co_units.values_list("pk", flat=True)]
        self.fields["reply_unit"].queryset = Organisation.objects.filter(pk__in=ids)
        self.fields["reply_unit"].initial = problem.lead_unit_id


class ReplyForm(BootstrapFormMixin, forms.Form):
    text = _text(_("回复内容"), rows=3)


class EscalationSettingForm(BootstrapFormMixin, forms.Form):
    assign_workdays = forms.IntegerField(
        label=_("交办时限（工作日）"),
        min_value=1,
        max_value=60,
        help_text=_("问题提出后未在此时限内交办的，在问题台账和驾驶舱提示“待交办超时”，不自动提级。"),
    )


class EscalationLevelForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50)
    deadline_workdays = forms.IntegerField(
        label=_("办理时限（工作日）"), required=False, min_value=1, max_value=250
    )

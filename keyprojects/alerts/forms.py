from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.alerts.models import Level, WarningRule
from keyprojects.alerts.rules import PARAMS, TEXT_PARAMS, params_of
from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.money import WanField
from keyprojects.lib.widgets import FastDateInput, FastHiddenInput, FastSelect
from keyprojects.orgs.models import Organisation
from keyprojects.plans.models import Category
from keyprojects.projects.models import Sector


class WarningFilterForm(BootstrapFormMixin, forms.Form):
    # FastSelect throughout: Django's Select renders every option through a template.
    rule = forms.ChoiceField(label=_("规则"), required=False, widget=FastSelect)
    level = forms.ChoiceField(label=_("等级"), required=False, widget=FastSelect)
    district = forms.ModelChoiceField(
        label=_("城区"), queryset=Organisation.objects.none(), required=False, widget=FastSelect
    )
    sector = forms.ModelChoiceField(
        label=_("行业"), queryset=Sector.objects.all(), required=False, widget=FastSelect
    )
    category = forms.ChoiceField(label=_("项目类别"), required=False, widget=FastSelect)
    # From a project's page: that project's lights.
    project = forms.IntegerField(required=False, widget=FastHiddenInput)
    since = forms.DateField(
        label=_("变为该等级不早于"),
        required=False,
        widget=FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部规则")), *WarningRule.Code.choices]
        self.fields["level"].choices = [
            ("", _("黄灯和红灯")),
            (Level.RED, Level.RED.label),
            (Level.YELLOW, Level.YELLOW.label),
            (Level.GREEN, _("已恢复绿灯")),
        ]
        self.fields["district"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.DISTRICT, is_active=True
        )
        self.fields["district"].empty_label = _("全部城区")
        self.fields["sector"].empty_label = _("全部行业")
        self.fields["category"].choices = [("", _("全部类别")), *Category.choices]
        if user is not None and user.is_district:
            del self.fields["district"]  # a district sees its own lights only

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "rule": data.get("rule") or None,
            "district": data["district"].pk if data.get("district") else None,
            "sector": data["sector"].pk if data.get("sector") else None,
            "category": data.get("category") or None,
            "project": data.get("project"),
            "since": data.get("since"),
        }


class WarningRuleForm(BootstrapFormMixin, forms.Form):
    """A rule's switches and thresholds; one field per parameter of the rule (rules.PARAMS)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    is_active = forms.BooleanField(label=_("启用该规则"), required=False)
    remind = forms.BooleanField(label=_("发送提醒"), required=False)
    remind_workdays_before = forms.IntegerField(
        label=_("提前提醒工作日数"),
        min_value=0,
        max_value=60,
        help_text=_("任务到期前 N 个工作日提醒责任单位/责任人"),
    )

    def __init__(self, *args, rule: WarningRule, **kwargs):
        params = params_of(rule)
        initial = {
            "version": rule.version,
            "is_active": rule.is_active,
            "remind": rule.remind,
            "remind_workdays_before": rule.remind_workdays_before,
            **params,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.param_names = []
        for key, label, _default in PARAMS.get(rule.code, []):
            self.fields[key] = forms.DecimalField(label=label, min_value=0, max_digits=8, decimal_places=1)
            self.param_names.append(key)
        for key, label, _default in TEXT_PARAMS.get(rule.code, []):
            self.fields[key] = forms.CharField(label=label, max_length=30, required=False)
            self.param_names.append(key)
        for name in self.param_names:  # added after the mixin styled the others
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control".strip()

    def params(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.param_names}


def _not_future(year, month):
    today = timezone.localdate()
    return (year, month) <= (today.year, today.month)


class OperatingTargetForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    output_value = WanField(label=_("年产值目标（万元）"), required=False)
    tax = WanField(label=_("年税收目标（万元）"), required=False)
    jobs = forms.IntegerField(label=_("带动就业目标（人）"), min_value=0, required=False)
    months_to_produce = forms.IntegerField(label=_("竣工后投产期限（月）"), min_value=1, max_value=120)


class OperatingActualForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    output_value = WanField(label=_("当月产值（万元）"))
    tax = WanField(label=_("当月税收（万元）"))
    jobs = forms.IntegerField(label=_("用工人数"), min_value=0)
    # The values the form was opened on, for an existing month: a change by someone else since is a conflict.
    original = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        year, month = data.get("year"), data.get("month")
        if year and month and not _not_future(year, month):
            self.add_error("month", _("不能填报未来月份的数据。"))
        return data

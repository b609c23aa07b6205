from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.assessment import curves
from keyprojects.assessment.indicators import ADJUSTMENTS, INDICATORS
from keyprojects.assessment.models import Curve, PeriodKind, RankingEntry, SchemeVersion, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import FastSelect
from keyprojects.orgs.models import Organisation
from keyprojects.plans.forms import ProjectPickField

POINTS = {"max_digits": 6, "decimal_places": 2, "min_value": 0}


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("考核期"))
        kwargs.setdefault("help_text", gettext_lazy("月度写作 2027-03，季度写作 2027Q1，年度写作 2027"))
        super().__init__(max_length=10, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return Period.parse(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ComputeForm(BootstrapFormMixin, forms.Form):
    period = PeriodField()


class RankingFilterForm(BootstrapFormMixin, forms.Form):
    period_kind = forms.ChoiceField(
        label=gettext_lazy("考核周期"), choices=PeriodKind.choices, required=False, widget=FastSelect
    )


class SchemeVersionForm(BootstrapFormMixin, forms.Form):
    """A new version of a scheme: its totals and list rules, then one row per indicator that applies to
    the scheme's kind of unit (a weight left empty leaves the indicator out) and per bonus/deduction."""

    total = forms.DecimalField(label=gettext_lazy("方案总分"), **POINTS)
    bonus_cap = forms.DecimalField(label=gettext_lazy("加分上限"), **POINTS)
    target_indicator = forms.ChoiceField(label=gettext_lazy("达标指标"), required=False)
    target_value = forms.DecimalField(
        label=gettext_lazy("达标值"),
        max_digits=8,
        decimal_places=2,
        help_text=gettext_lazy("达标指标的数值（%）不低于此值为达标；未选达标指标时为总分"),
    )
    red_count = forms.IntegerField(label=gettext_lazy("红榜名额"), min_value=0, max_value=50)
    black_count = forms.IntegerField(label=gettext_lazy("黑榜名额"), min_value=0, max_value=50)
    late_start_months = forms.IntegerField(
        label=gettext_lazy("新开工逾期月数（列入黑榜）"), min_value=1, max_value=12
    )
    black_problem_level = forms.IntegerField(
        label=gettext_lazy("超时问题层级（列入黑榜）"), min_value=1, max_value=9
    )
    note = forms.CharField(label=gettext_lazy("修改说明"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit_kind: str, current: SchemeVersion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_kind = unit_kind
        self.codes = [c for c, i in INDICATORS.items() if unit_kind in i.unit_kinds]
        self.adjustment_codes = [c for c, a in ADJUSTMENTS.items() if unit_kind in a.unit_kinds]
        self.fields["target_indicator"].choices = [("", _("（按总分）"))] + [
            (c, INDICATORS[c].label) for c in self.codes
        ]
        for code in self.codes:
            self.fields[f"w_{code}"] = forms.DecimalField(
                label=INDICATORS[code].label, required=False, **POINTS
            )
            self.fields[f"c_{code}"] = forms.ChoiceField(label=_("计分方式"), choices=Curve.choices)
            self.fields[f"p_{code}"] = forms.CharField(label=_("计分参数"), required=False, max_length=200)
        for code in self.adjustment_codes:
            self.fields[f"a_{code}"] = forms.DecimalField(
                label=ADJUSTMENTS[code].label, required=False, **POINTS
            )
            self.fields[f"cap_{code}"] = forms.DecimalField(label=_("上限"), required=False, **POINTS)
            if ADJUSTMENTS[code].params_help:
                self.fields[f"ap_{code}"] = forms.DecimalField(
                    label=ADJUSTMENTS[code].params_help, required=False, max_digits=12, decimal_places=2
                )
        if current is not None and not self.is_bound:
            self.initial.update(self._initial_from(current))
        for code in self.codes:
            self.initial.setdefault(
                f"c_{code}", curves.PER_ITEM if INDICATORS[code].kind == "count" else curves.LINEAR
            )

    HEAD = (
        "total",
        "bonus_cap",
        "target_indicator",
        "target_value",
        "red_count",
        "black_count",
        "late_start_months",
        "black_problem_level",
    )

    def head_fields(self):
        return [self[name] for name in self.HEAD]

    @classmethod
    def _initial_from(cls, version: SchemeVersion) -> dict:
        initial = {name: getattr(version, name) for name in cls.HEAD}
        for i in version.indicators.all():
            initial[f"w_{i.code}"] = i.weight
            initial[f"c_{i.code}"] = i.curve
            initial[f"p_{i.code}"] = curves.params_to_text(i.curve, i.params)
        for a in version.adjustments.all():
            initial[f"a_{a.code}"] = a.points
            initial[f"cap_{a.code}"] = a.cap
            value = next(iter(a.params.values()), None) if a.params else None
            if value is not None:
                initial[f"ap_{a.code}"] = value
        return initial

    def indicator_rows(self):
        return [(self[f"w_{c}"], self[f"c_{c}"], self[f"p_{c}"]) for c in self.codes]

    def adjustment_rows(self):
        return [
            (self[f"a_{c}"], self[f"cap_{c}"], self[f"ap_{c}"] if f"ap_{c}" in self.fields else None)
            for c in self.adjustment_codes
        ]

    def clean(self):
        data = super().clean()
        indicators = []
        for code in self.codes:
            weight = data.get(f"w_{code}")
            if not weight:
                continue
            curve = data.get(f"c_{code}")
            try:
                params = curves.params_from_text(curve, data.get(f"p_{code}") or "")
            except (ValueError, TypeError):
                self.add_error(f"p_{code}", _("计分参数格式不正确，见下方说明。"))
                continue
            indicators.append({"code": code, "weight": weight, "curve": curve, "params": params})
        adjustments = []
        for code in self.adjustment_codes:
            points = data.get(f"a_{code}")
            if not points:
                continue
            cap = data.get(f"cap_{code}") or points
            params = {}
            value = data.get(f"ap_{code}")
            if value is not None:
                key = "min_total_wan" if code == "bonus_big_start" else "level"
                params[key] = str(value) if key == "min_total_wan" else int(value)
            adjustments.append({"code": code, "points": points, "cap": cap, "params": params})
        data["indicators"] = indicators
        data["adjustments"] = adjustments
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in (*self.HEAD, "note", "indicators", "adjustments")}


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ReviewForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class ExemptForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("豁免理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    attachment = forms.FileField(label=gettext_lazy("依据材料"), required=False)


class EntryAddForm(BootstrapFormMixin, forms.Form):
    side = forms.ChoiceField(label=gettext_lazy("榜单"), choices=RankingEntry.Side.choices)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("单位"),
        queryset=Organisation.objects.filter(
            kind__in=(UnitKind.DISTRICT, UnitKind.DEPARTMENT), is_active=True
        ),
        required=False,
    )
    project = ProjectPickField(label=gettext_lazy("或项目"), required=False)
    reason = forms.CharField(
        label=gettext_lazy("列入理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.projects = projects

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("project")):
            raise forms.ValidationError(_("请选择一个单位，或填写一个项目（二者选一）。"))
        return data

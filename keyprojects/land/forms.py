from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import FastSelect
from keyprojects.orgs.models import Organisation


def _quantity(label):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, initial=0)


def _units():
    return Organisation.objects.filter(
        is_active=True,
        kind__in=[Organisation.Kind.DISTRICT, Organisation.Kind.DEPARTMENT, Organisation.Kind.OWNER],
    )


class LandTaskForm(BootstrapFormMixin, forms.Form):
    responsible_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    land_to_acquire = _quantity(_("需征收土地（亩）"))
    households_to_relocate = forms.IntegerField(label=_("需搬迁户数（户）"), min_value=0, initial=0)
    area_to_demolish = _quantity(_("需拆除房屋面积（㎡）"))
    land_to_hand_over = _quantity(_("需交付用地（亩）"))
    start_date = forms.DateField(
        label=_("计划开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    target_date = forms.DateField(
        label=_("计划完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = _units()


class LandProgressForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    land_acquired = _quantity(_("累计已征收（亩）"))
    households_signed = forms.IntegerField(label=_("累计已签约（户）"), min_value=0, initial=0)
    area_demolished = _quantity(_("累计已拆除（㎡）"))
    land_handed_over = _quantity(_("累计已交付（亩）"))
    note = forms.CharField(
        label=_("说明"),
        max_length=300,
        required=False,
        help_text=_("累计数调减时必须说明原因。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month


class LandFilterForm(BootstrapFormMixin, forms.Form):
    district = forms.ModelChoiceField(
        label=_("城区"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("全部城区"),
        widget=FastSelect(attrs={"class": "form-select-sm w-auto"}),
    )
    lagging = forms.ChoiceField(
        label=_("进度"),
        required=False,
        choices=[("", _("全部进度")), ("1", _("仅滞后")), ("0", _("未滞后"))],
        widget=FastSelect(attrs={"class": "form-select-sm w-auto"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.DISTRICT, is_active=True
        )

    def cleaned_filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        lagging = {"1": True, "0": False}.get(data.get("lagging") or "")
        return {"district": data["district"].pk if data.get("district") else None, "lagging": lagging}


class LandProblemForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("问题概述"), max_length=200)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 8}))

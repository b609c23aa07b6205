from functools import partial

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import FastCheckboxInput, FastSelect, FastTextInput
from keyprojects.orgs.access import organisations_for_choice
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.access import projects_visible_to
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage
from keyprojects.projects.selectors import SORTS, project_filter_choices


def _filter_choices(name):
    return [("", _("全部")), *project_filter_choices()[name]]


class ProjectFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=FastTextInput(attrs={"placeholder": _("名称、代码、业主或拼音首字母，如 nnsgd")}),
    )
    # Ids from the cached choices (selectors.project_filter_choices): binding, validating and
    # rendering the form query nothing.
    district = forms.TypedChoiceField(
        widget=FastSelect, label=_("城区"), coerce=int, empty_value=None, required=False
    )
    sector = forms.TypedChoiceField(
        widget=FastSelect, label=_("行业"), coerce=int, empty_value=None, required=False
    )
    stage = forms.ChoiceField(
        widget=FastSelect, label=_("阶段"), choices=[("", _("全部")), *Stage.choices], required=False
    )
    # A name to type, with the owners offered as a datalist: 300 <option>s rendered as a Select
    # widget cost more than the rest of the page together.
    owner = forms.CharField(
        label=_("业主"),
        required=False,
        max_length=100,
        widget=FastTextInput(attrs={"list": "owner-options", "placeholder": _("业主名称")}),
    )
    leader = forms.TypedChoiceField(
        widget=FastSelect, label=_("联系市领导"), coerce=int, empty_value=None, required=False
    )
    over_yi = forms.BooleanField(label=_("总投资亿元以上"), required=False, widget=FastCheckboxInput)
    top_level = forms.BooleanField(label=_("只看主项目"), required=False, widget=FastCheckboxInput)
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("排序"),
        required=False,
        choices=[
            ("investment", _("总投资从高到低")),
            ("-investment", _("总投资从低到高")),
            ("name", _("名称")),
            ("code", _("项目代码")),
            ("start", _("起始年")),
            ("updated", _("最近更新")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("district", "sector", "leader"):
            # Callables: read only when a value is validated or the form is rendered.
            self.fields[name].choices = partial(_filter_choices, name)
        if user.role == User.Role.OWNER:
            del self.fields["owner"]
        if user.is_district:
            del self.fields["district"]
        assert set(dict(self.fields["sort"].choices)) == set(SORTS)

    def cleaned_filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class ProjectForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    parent = forms.ModelChoiceField(
        label=_("上级项目代码"),
        queryset=Project.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如轨道交通线路的项目代码")}),
        error_messages={"invalid_choice": _("找不到代码为“%(value)s”的上级项目，或您无权查看该项目。")},
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "owner",
            "district",
            "sector",
            "departments",
            "leader",
            "parent",
            "total_investment",
            "start_year",
            "end_year",
            "location",
            "latitude",
            "longitude",
            "content",
            "contact",
            "phone",
            "statistics_registered",
            "statistics_date",
        ]
        widgets = {
            "statistics_date": forms.DateInput(attrs={"type": "date"}),
            "content": forms.Textarea(attrs={"rows": 4}),
            "departments": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations_for_choice(user, Organisation.Kind.OWNER)
        self.fields["district"].queryset = organisations_for_choice(user, Organisation.Kind.DISTRICT)
        self.fields["departments"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT, is_active=True
        )
        self.fields["leader"].queryset = User.objects.filter(role=User.Role.LEADER, is_active=True)
        parents = projects_visible_to(user).filter(parent__isnull=True, code__isnull=False)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["code"].required = False
        for name in ("start_year", "end_year"):
            self.fields[name].min_value = 1990
            self.fields[name].max_value = 2100
            self.fields[name].widget.attrs.update(min=1990, max=2100)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if self.instance.parent_id:
            # The field is typed as a code; the model's initial would be the parent's id.
            self.initial["parent"] = self.instance.parent.code

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip() or None

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error(
                "end_year",
                _("建设截止年（%(end)s）不能早于起始年（%(start)s）。") % {"end": end, "start": start},
            )
        return data

    def registry_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("departments", None)
        return data


class StageChangeForm(BootstrapFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("转为阶段"), choices=Stage.choices)
    on = forms.DateField(label=_("变更日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start_date = forms.DateField(
        label=_("实际开工日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("转为“在建”时必填"),
    )
    completion_date = forms.DateField(
        label=_("实际竣工日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("转为“竣工”时必填"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        if allowed:
            # Offer only the allowed moves, but let any stage through to the service: it is the one
            # rule, and its refusal names the current stage ("项目当前处于…") instead of a raw value.
            self.fields["to_stage"].widget.choices = [(s, Stage(s).label) for s in Stage if s in allowed]


class PrelimItemForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PrelimItem
        fields = ["planned_date", "actual_date", "document_no", "note"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}),
            "actual_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_actual_date(self):
        actual = self.cleaned_data.get("actual_date")
        if actual and actual > timezone.localdate():
            raise forms.ValidationError(_("实际完成日期不能晚于今天。"))
        return actual


class FactorNeedForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FactorNeed
        fields = [
            "kind",
            "fund_source",
            "need_yuan",
            "secured_yuan",
            "need_quantity",
            "secured_quantity",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for name in ("need_quantity", "secured_quantity"):
            self.fields[name].widget.attrs["min"] = 0
            self.fields[name].error_messages["max_decimal_places"] = _("数量最多保留 2 位小数。")

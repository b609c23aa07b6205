from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.coordination.meeting_forms import leaders, units
from keyprojects.coordination.models import Problem
from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project


class ProjectByIdField(forms.IntegerField):
    """A project picked by its id (a select of thousands of projects is of no use)."""

    def clean(self, value):
        pk = super().clean(value)
        if pk is None:
            return None
        project = Project.objects.filter(pk=pk).first()
        if project is None:
            raise forms.ValidationError(_("项目编号 %(pk)s 不存在。") % {"pk": pk})
        return project


class LeaderLinkForm(BootstrapFormMixin, forms.Form):
    leader = forms.ModelChoiceField(label=_("市领导"), queryset=Organisation.objects.none())
    project = ProjectByIdField(label=_("项目编号"), required=False, help_text=_("联系项目时填写项目编号"))
    enterprise = forms.ModelChoiceField(
        label=_("重点企业"), queryset=Organisation.objects.none(), required=False
    )
    since = forms.DateField(
        label=_("联系起始日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()
        self.fields["enterprise"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.OWNER, is_active=True
        )


class VisitForm(BootstrapFormMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=200)
    leader = forms.ModelChoiceField(label=_("带队领导"), queryset=Organisation.objects.none(), required=False)
    project = ProjectByIdField(label=_("项目编号"), required=False)
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Organisation.objects.none(), required=False)
    participants = forms.CharField(
        label=_("参加人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(label=_("服务情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()
        self.fields["enterprise"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.OWNER, is_active=True
        )


class VisitProblemForm(BootstrapFormMixin, forms.Form):
    """One problem met on the spot; an untouched row is skipped."""

    category = forms.ChoiceField(label=_("问题类别"), choices=Problem.Category.choices)
    title = forms.CharField(label=_("问题概述"), max_length=200)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=Organisation.objects.none())
    project = ProjectByIdField(label=_("项目编号（默认同上）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units()

    def has_changed(self):
        # The category select always has a value; a row counts only when something else is typed.
        return any(self[name].data for name in ("title", "description", "lead_unit", "project"))


VisitProblemFormSet = forms.formset_factory(VisitProblemForm, extra=3, max_num=10)

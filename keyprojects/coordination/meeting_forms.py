from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.coordination.models import AgendaItem
from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import Organisation, User


def leaders():
    return User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("full_name", "username")


def units():
    return Organisation.objects.filter(
        is_active=True,
        kind__in=[Organisation.Kind.DISTRICT, Organisation.Kind.DEPARTMENT, Organisation.Kind.OWNER],
    )


class MeetingForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    date = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    chair = forms.ModelChoiceField(label=_("主持领导"), queryset=User.objects.none(), required=False)
    attendees = forms.CharField(
        label=_("参会单位及人员"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, with_summary=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = leaders()
        if with_summary:
            self.fields["summary"] = forms.CharField(
                label=_("纪要开头（可选）"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                help_text=_("写在议定事项之前的会议总体情况，每段一行。"),
            )


class AgendaAddForm(BootstrapFormMixin, forms.Form):
    problem = forms.IntegerField(label=_("问题编号"), min_value=1)


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label=_("落实方式"),
        choices=[c for c in AgendaItem.Decision.choices if c[0]],
        widget=forms.RadioSelect,
        initial=AgendaItem.Decision.TASK,
    )
    task_title = forms.CharField(label=_("任务名称"), max_length=200, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Organisation.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reply_unit = forms.ModelChoiceField(
        label=_("回复单位"), queryset=Organisation.objects.none(), required=False
    )
    reply_deadline = forms.DateField(
        label=_("回复时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units()
        self.fields["reply_unit"].queryset = units()
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

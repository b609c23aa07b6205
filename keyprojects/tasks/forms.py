import datetime as dt

from django import forms
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.widgets import FastNumberInput, FastSelect, FastTextInput
from keyprojects.lib.workdays import add_workdays
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import Category
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks.models import Task, TaskTemplate, TaskTemplateItem
from keyprojects.tasks.services import deadline_before_start, evidence_max_bytes

DATE = forms.DateInput(attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def evidence_help():
    return _("可多选。支持 PDF、JPG/PNG、Word、Excel、OFD、ZIP，单个文件不超过 %(size)s。") % {
        "size": filesizeformat(evidence_max_bytes())
    }


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type by content, size cap)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    @property
    def help_text(self):
        return evidence_help()

    @help_text.setter
    def help_text(self, value):
        pass

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


STATUS_FILTERS = [
    ("", _("全部状态")),
    ("open", _("未完成")),
    ("overdue", _("已逾期")),
    *Task.Status.choices,
]


class TaskFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("关键词"), required=False, widget=FastTextInput(attrs={"placeholder": _("任务或项目名称")})
    )
    # FastSelect: Django's Select renders each option through a template, most of this page's time.
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_FILTERS, required=False, widget=FastSelect)
    due_within = forms.IntegerField(
        label=_("N 个工作日内到期"),
        required=False,
        min_value=0,
        max_value=250,
        widget=FastNumberInput(attrs={"placeholder": "N"}),
    )
    category = forms.ChoiceField(
        label=_("项目类别"),
        choices=[("", _("全部类别")), *Category.choices],
        required=False,
        widget=FastSelect,
    )
    district = forms.ModelChoiceField(
        label=_("城区"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("全部城区"),
        widget=FastSelect,
    )
    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        widget=FastSelect,
    )

    def __init__(self, *args, show_unit=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.DISTRICT, is_active=True
        )
        if show_unit:
            self.fields["unit"].queryset = Organisation.objects.filter(is_active=True).exclude(
                kind=Organisation.Kind.OWNER
            )
        else:
            del self.fields["unit"]

    def cleaned_filters(self, today: dt.date | None = None) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        today = today or timezone.localdate()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        due_within = data.pop("due_within", None)
        if due_within is not None:
            data["due_by"] = add_workdays(today, due_within)
        return data


class TaskForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Task
        fields = [
            "title",
            "responsible_unit",
            "responsible_person",
            "responsible_user",
            "start_date",
            "deadline",
            "deadline_workdays",
            "requirement",
        ]
        widgets = {
            "start_date": DATE,
            "deadline": DATE,
            "requirement": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "deadline": _(
                "填写完成时限日期，或填写开始日期和工作日时限由系统推算（节假日、调休按工作日日历）。"
            ),
            "deadline_workdays": _("自开始日期起 N 个工作日"),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        units = Organisation.objects.filter(is_active=True).filter(
            Q(kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.OFFICE])
            | Q(pk__in=[project.owner_id, project.district_id])
        )
        self.fields["responsible_unit"].queryset = units
        self.fields["responsible_user"].queryset = (
            User.objects.filter(is_active=True, organisation__in=units)
            .select_related("organisation")
            .order_by("organisation__kind", "organisation__name", "username")
        )
        self.fields["responsible_user"].label_from_instance = lambda u: f"{u.organisation.label} · {u}"
        self.fields["deadline"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        start, deadline = data.get("start_date"), data.get("deadline")
        # Here rather than by the model's constraint, whose message is not the user's language.
        if start and deadline and not data.get("deadline_workdays") and deadline < start:
            self.add_error("deadline", deadline_before_start(deadline, start))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.Meta.fields if name != "requirement"} | {
            "requirement": data.get("requirement") or "",
            "responsible_person": data.get("responsible_person") or "",
            # A workday count wins over a stale date: the date is derived from it.
            "deadline": None if data.get("deadline_workdays") else data.get("deadline"),
        }


class TaskDoneForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    completed_date = forms.DateField(label=_("完成日期"), widget=DATE)
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
    )
    note = forms.CharField(label=_("完成情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document_no = forms.CharField(
        label=_("批复文号"),
        required=False,
        max_length=100,
        help_text=_("同时记入项目的前期工作事项，完成日期亦同。"),
    )

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is None or not task.prelim_kind:
            del self.fields["document_no"]


class EvidenceForm(BootstrapFormMixin, forms.Form):
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Task.Status.choices)
    note = forms.CharField(required=False, max_length=500)
    version = forms.IntegerField(required=False)


class GenerateForm(BootstrapFormMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=_("任务模板"), queryset=TaskTemplate.objects.none(), empty_label=None
    )
    planned_start = forms.DateField(
        label=_("计划开工月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("各项任务的完成时限按模板设定的工作日数，自该月 1 日倒排。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = TaskTemplate.objects.filter(is_active=True)


class TaskTemplateForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TaskTemplate
        fields = ["name", "category", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class TemplateItemForm(BootstrapFormMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(label=_("顺序"), required=False, min_value=0, max_value=32000)
    title = forms.CharField(label=_("任务名称"), max_length=200)
    requirement = forms.CharField(
        label=_("工作要求"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    responsible = forms.ChoiceField(
        label=_("责任单位"),
        choices=TaskTemplateItem.Responsible.choices,
        initial=TaskTemplateItem.Responsible.OWNER,
    )
    prelim_kind = forms.ChoiceField(
        label=_("对应前期事项"), choices=[("", "—"), *PrelimItem.Kind.choices], required=False
    )
    offset_workdays = forms.IntegerField(label=_("工作日数"), min_value=-750, max_value=750)


TemplateItemFormSet = forms.formset_factory(TemplateItemForm, extra=2, can_delete=True)

import re

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.money import WanField, format_wan
from keyprojects.lib.text import normalise_name
from keyprojects.lib.widgets import FastCheckboxInput, FastSelect, FastTextInput
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import Category, PlanChange, Proposal
from keyprojects.plans.services import Decision
from keyprojects.projects.models import Sector


def _month_label(month):
    return gettext("%(month)s月") % {"month": month}


# Labels are formatted when shown, in the language of the request, not once at import.
MONTH_CHOICES = [("", "—"), *[(m, lazy(_month_label, str)(m)) for m in range(1, 13)]]
MONTHS = range(1, 13)
CODE_LIKE = re.compile(r"^\d{2,4}-\d{6}-")


def month_field(label, help_text=""):
    return forms.TypedChoiceField(
        label=label, choices=MONTH_CHOICES, coerce=int, empty_value=None, required=False, help_text=help_text
    )


def departments_field():
    return forms.ModelMultipleChoiceField(
        label=_("责任单位"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl 可多选；所选部门同时成为项目的责任单位。"),
    )


def leaders():
    return User.objects.filter(role=User.Role.LEADER, is_active=True)


class AnnualFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=FastTextInput(attrs={"placeholder": _("名称、代码、业主或拼音首字母")}),
    )
    # FastSelect throughout: Django's Select renders every option through a template.
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *Category.choices], required=False, widget=FastSelect
    )
    district = forms.ModelChoiceField(
        label=_("城区"), queryset=Organisation.objects.none(), required=False, widget=FastSelect
    )
    sector = forms.ModelChoiceField(
        label=_("行业"), queryset=Sector.objects.all(), required=False, widget=FastSelect
    )
    department = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Organisation.objects.none(), required=False, widget=FastSelect
    )
    leader = forms.ModelChoiceField(
        label=_("联系市领导"), queryset=User.objects.none(), required=False, widget=FastSelect
    )
    batch = forms.ModelChoiceField(label=_("批次"), queryset=None, required=False, widget=FastSelect)
    over_yi = forms.BooleanField(label=_("只看超亿元项目"), required=False, widget=FastCheckboxInput)

    def __init__(self, *args, user, batches, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(is_active=True)
        self.fields["district"].queryset = orgs.filter(kind=Organisation.Kind.DISTRICT)
        self.fields["department"].queryset = orgs.filter(kind=Organisation.Kind.DEPARTMENT)
        self.fields["leader"].queryset = leaders()
        self.fields["batch"].queryset = batches
        self.fields["batch"].label_from_instance = lambda b: b.name
        for name in ("district", "sector", "department", "leader", "batch"):
            self.fields[name].empty_label = _("全部")
        if user.is_district:
            del self.fields["district"]

    def cleaned_filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class ProjectPickField(forms.CharField):
    """A project typed by its code or name, with the candidates offered as a datalist: a <select> of a
    few thousand projects would cost more than the rest of the page."""

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(max_length=250, **kwargs)
        self.queryset = queryset
        self.widget.attrs.update({"list": "project-options", "autocomplete": "off"})

    @staticmethod
    def label_for(project) -> str:
        return f"{project.code} {project.name}" if project.code else project.name

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        # The suggestions read "code name"; a typed code alone, or a name alone, does as well.
        code, _sep, rest = text.partition(" ")
        found = list(self.queryset.filter(code=code)[:1])
        if not found:
            name = rest.strip() if rest and CODE_LIKE.match(code) else text
            found = list(self.queryset.filter(name=normalise_name(name))[:2]) or list(
                self.queryset.filter(name=name)[:2]
            )
        if not found:
            raise forms.ValidationError(
                _(
                    "找不到项目“%(value)s”，或您无权选择它（已在清单中的项目不能重复加入）。请从下拉建议中选择。"
                ),
                params={"value": text},
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("有多个名为“%(value)s”的项目，请输入项目代码。"), params={"value": text}
            )
        return found[0]


class EntryForm(BootstrapFormMixin, forms.Form):
    """An annual entry's plan. The monthly curve is twelve 万元 fields; all empty means an even split."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    project = ProjectPickField(label=_("项目"), help_text=_("输入项目代码、名称或拼音，从建议中选择"))
    batch = forms.ModelChoiceField(label=_("批次"), queryset=None, required=True)
    category = forms.ChoiceField(label=_("项目类别"), choices=[("", "—"), *Category.choices])
    planned_investment = WanField(
        label=_("年度计划投资（万元）"), required=False, help_text=_("“预备”项目可不填")
    )
    completed_before_year = WanField(label=_("截至上年底累计完成投资（万元）"), required=False)
    planned_start_month = month_field(_("计划开工月份"), _("“新开工”项目必填"))
    planned_completion_month = month_field(_("计划竣工月份"), _("“竣工投产”项目必填"))
    departments = departments_field()
    leader = forms.ModelChoiceField(label=_("联系市领导"), queryset=User.objects.none(), required=False)
    goal = forms.CharField(
        label=_("年度形象进度目标"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=300)
    # Errors about the curve as a whole attach here and show under the twelve months.
    monthly_plan = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, entry=None, projects=None, batches=None, **kwargs):
        super().__init__(*args, **kwargs)
        for m in MONTHS:
            # Added after BootstrapFormMixin dressed the declared fields, so dressed here.
            field = WanField(label=_("%(month)s月") % {"month": m}, required=False)
            field.widget.attrs["class"] = "form-control"
            self.fields[f"m{m}"] = field
        self.fields["leader"].queryset = leaders()
        self.fields["leader"].empty_label = "—"
        if entry is None:
            self.fields["project"].queryset = projects
        else:
            del self.fields["project"]
        if batches is None:
            del self.fields["batch"]
        else:
            self.fields["batch"].queryset = batches
            self.fields["batch"].label_from_instance = lambda b: b.name
            self.fields["batch"].empty_label = None if entry is None else "—"
        if entry is not None:
            self.initial.update(
                {
                    "version": entry.version,
                    "batch": entry.batch_id,
                    "category": entry.category,
                    "planned_investment": entry.planned_investment,
                    "completed_before_year": entry.completed_before_year,
                    "planned_start_month": entry.planned_start_month,
                    "planned_completion_month": entry.planned_completion_month,
                    "departments": [d.pk for d in entry.departments.all()],
                    "leader": entry.leader_id,
                    "goal": entry.goal,
                    "note": entry.note,
                }
            )
            for m, amount in enumerate(entry.monthly_plan or [], 1):
                self.initial[f"m{m}"] = amount
            if entry.start_month_assumed:
                self.fields["planned_start_month"].help_text = _(
                    "待补充：清单未列开工时间，导入时暂定为年底；核实后保存即消除此标记"
                )
            if entry.completion_month_assumed:
                self.fields["planned_completion_month"].help_text = _(
                    "待补充：清单未列竣工月份，导入时按建设起止年限暂定；核实后保存即消除此标记"
                )

    def plan_fields(self):
        names = [
            "category",
            "planned_investment",
            "completed_before_year",
            "planned_start_month",
            "planned_completion_month",
            "leader",
            "departments",
            "note",
            "goal",
        ]
        return [self[n] for n in ["project", "batch", *names] if n in self.fields]

    def month_fields(self):
        return [self[f"m{m}"] for m in MONTHS]

    def clean(self):
        data = super().clean()
        amounts = [data.get(f"m{m}") for m in MONTHS]
        if any(f"m{m}" in self.errors for m in MONTHS):
            return data
        if all(a is None for a in amounts):
            data["monthly_plan"] = None
        elif any(a is None for a in amounts):
            missing = "、".join(str(m) for m, a in zip(MONTHS, amounts, strict=True) if a is None)
            self.add_error(
                "monthly_plan",
                _(
                    "分月计划请把 12 个月都填上（未填：%(months)s 月；没有安排的月份填 0），"
                    "或全部留空按平均分配。"
                )
                % {"months": missing},
            )
        else:
            data["monthly_plan"] = amounts
        return data

    def entry_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not (k.startswith("m") and k[1:].isdigit())}
        for name in ("version", "project", "batch", "departments"):
            data.pop(name, None)
        return data


class BatchForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=50, required=False)


class ProposalForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    project = ProjectPickField(label=_("申报项目"), help_text=_("只能申报您所在单位的项目"))
    category = forms.ChoiceField(label=_("项目类别"), choices=[("", "—"), *Category.choices])
    planned_investment = WanField(
        label=_("年度计划投资（万元）"), required=False, help_text=_("“预备”项目可不填")
    )
    planned_start_month = month_field(_("计划开工月份"), _("“新开工”项目必填"))
    planned_completion_month = month_field(_("计划竣工月份"), _("“竣工投产”项目必填"))
    goal = forms.CharField(
        label=_("年度形象进度目标"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("申报理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, proposal=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is None:
            self.fields["project"].queryset = projects
        else:
            del self.fields["project"]
            self.initial.update(
                {name: getattr(proposal, name) for name in ProposalForm.base_fields if name != "project"}
            )
        # A draft may be saved without them; submitting needs them.
        for name in ("goal", "reason"):
            self.fields[name].help_text = _("申报时必填")

    def proposal_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("project", None)
        return data


class ProposalReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            (Decision.LIST, _("列入清单")),
            (Decision.RESERVE, _("纳入储备")),
            (Decision.RETURN, _("退回修改")),
        ],
        widget=forms.RadioSelect,
    )
    batch = forms.ModelChoiceField(
        label=_("列入批次"), queryset=None, required=False, help_text=_("列入清单时必选：草稿批次")
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填，写明需要修改的内容"),
    )

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
        self.fields["batch"].label_from_instance = lambda b: b.name
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class PlanChangeForm(BootstrapFormMixin, forms.Form):
    new_amount = WanField(label=_("调整后年度计划投资（万元）"))
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_amount"].help_text = _("现行计划：%(amount)s 万元") % {
            "amount": format_wan(entry.planned_investment)
        }


class PlanChangeDecideForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准")), ("reject", _("驳回"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("驳回时必填"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


STATUS_FILTERS = {
    "proposal": [("", _("全部")), *Proposal.Status.choices],
    "plan_change": [("", _("全部")), *PlanChange.Status.choices],
}

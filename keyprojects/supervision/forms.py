import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keyprojects.coordination.forms import (
    AttachmentsField,
    DateInput,
    MultipleFileInput,
    UnitChoiceField,
    UnitsChoiceField,
)
from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import Project
from keyprojects.supervision.models import WORKDAYS_MAX
from keyprojects.supervision.services import DEFAULT_CRITERIA, FILES_MAX, TEXT_MAX, UNIT_KINDS

DEFAULT_REQUIREMENT = _(
    "请高度重视，对照督办事项逐项研究整改措施，明确责任人和完成时间，按期整改到位，并将办理情况及佐证材料通过系统回复。"
)


def units():
    return Organisation.objects.filter(kind__in=UNIT_KINDS, is_active=True).order_by("kind", "sort", "name")


def _text(label, rows=3, required=True, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _workdays(label, initial=10):
    return forms.IntegerField(label=label, min_value=1, max_value=WORKDAYS_MAX, initial=initial)


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --------------------------------------------------------------------------------------------------
# Letters
# --------------------------------------------------------------------------------------------------


class LetterForm(BootstrapFormMixin, forms.Form):
    unit = UnitChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    subject = forms.CharField(label=_("督办事项"), max_length=200)
    facts = _text(_("情况"), rows=4, required=False)
    requirement = _text(_("办理要求"), rows=4, initial=DEFAULT_REQUIREMENT)
    deadline_workdays = _workdays(_("办理时限（工作日）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units()


class BulkLetterForm(BootstrapFormMixin, forms.Form):
    requirement = _text(_("办理要求"), rows=4, initial=DEFAULT_REQUIREMENT)
    deadline_workdays = _workdays(_("办理时限（工作日）"))
    # The lights the office saw in the preview: the batch is issued only for exactly these.
    shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def shown_ids(self) -> set[int]:
        return {int(x) for x in (self.cleaned_data.get("shown") or "").split(",") if x.isdigit()}


class ReplyForm(VersionForm):
    note = _text(_("办理情况"), rows=4)
    files = AttachmentsField(label=_("佐证材料"), required=True)


class SignOffForm(VersionForm):
    note = _text(_("审核意见"), rows=2, required=False)


class ReturnForm(VersionForm):
    reason = _text(_("退回理由"), rows=2)


# --------------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------------


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.organisation.label if obj.organisation_id else ''}"


class ProjectsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class InspectionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("督查名称"), max_length=200)
    date = forms.DateField(label=_("督查日期"), widget=DateInput)
    inspectors = PeopleField(
        label=_("督查人员"), queryset=User.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    projects = ProjectsField(
        label=_("督查项目"), queryset=Project.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    summary = _text(_("督查情况"), rows=3, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = (
            User.objects.filter(role__in=User.SEES_EVERYTHING_ROLES, is_active=True)
            .select_related("organisation")
            .order_by("role", "sort", "username")
        )
        self.fields["projects"].queryset = Project.objects.order_by("name")


class PhotosField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp", "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(uploads) > FILES_MAX:
            raise ValidationError(_("每次最多上传 %(n)s 张照片。") % {"n": FILES_MAX})
        return [super(PhotosField, self).clean(u, initial) for u in uploads]


class FindingForm(BootstrapFormMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none(), required=False)
    description = _text(_("发现问题"), rows=3)
    photos = PhotosField(label=_("现场照片"), help_text=_("JPEG、PNG 或 WebP 图片，可多选。"))
    units = UnitsChoiceField(
        label=_("整改责任单位"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("每个单位各生成一条整改事项。"),
    )
    requirement = _text(_("整改要求"), rows=3)
    deadline_workdays = _workdays(_("整改时限（工作日）"))

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = inspection.projects.order_by("name")
        self.fields["project"].label_from_instance = lambda p: p.name
        self.fields["units"].queryset = units()


class SubmitForm(VersionForm):
    note = _text(_("整改情况"), rows=4)
    files = AttachmentsField(label=_("佐证材料"), required=True)


class DecideForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("accept", _("整改到位，销号")), ("return", _("退回重改"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("审核意见"), rows=2, required=False, help_text=_("退回时必填。"))


# --------------------------------------------------------------------------------------------------
# Tours
# --------------------------------------------------------------------------------------------------

_CRITERION_LINE = re.compile(r"^(.+?)[\s:：,，]+(\d+)\s*分?$")


def criteria_text(criteria) -> str:
    return "\n".join(f"{name} {points}" for name, points in criteria)


class CriteriaField(forms.CharField):
    """The scoring form as the office writes it: one criterion a line, its name then its points."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        kwargs.setdefault("help_text", _("每行一项：评分项名称 分值，如“项目建设进度 30”。"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        criteria = []
        for line in (value or "").splitlines():
            line = line.strip()
            if not line:
                continue
            match = _CRITERION_LINE.match(line)
            if not match:
                raise ValidationError(_("无法识别“%(line)s”，请写成“评分项名称 分值”。") % {"line": line})
            criteria.append((match.group(1).strip(), int(match.group(2))))
        return criteria


class TourForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200)
    date = forms.DateField(label=_("观摩日期"), widget=DateInput)
    projects = ProjectsField(
        label=_("观摩项目"), queryset=Project.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    jurors = PeopleField(
        label=_("评委"), queryset=User.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    criteria = CriteriaField(label=_("评分表"), initial=criteria_text(DEFAULT_CRITERIA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = Project.objects.order_by("name")
        self.fields["jurors"].queryset = (
            User.objects.filter(is_active=True, organisation__isnull=False)
            .select_related("organisation")
            .order_by("role", "sort", "username")
        )


class TourCriteriaForm(BootstrapFormMixin, forms.Form):
    criteria = CriteriaField(label=_("评分表"))


class TourScoreForm(BootstrapFormMixin, forms.Form):
    """One field per criterion (c<id>), its maximum in the label; the service checks the range."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[f"c{c.pk}"] = forms.CharField(
                label=f"{c.name}（0–{c.max_points}）",
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": c.max_points}),
            )
        self.criteria = list(criteria)

    def points(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}

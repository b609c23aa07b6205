from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.plans.imports.apply import BATCH_NEW
from keyprojects.plans.models import Batch


def _size(n):
    return f"{n / 1024 / 1024:.0f} MB"


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("清单文件"),
        help_text=_("Excel 工作簿（.xlsx 或 .xls），可直接上传各单位印发的原表。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )
    year = forms.IntegerField(label=_("清单年度"), min_value=2000, max_value=2100)
    batch = forms.ChoiceField(
        label=_("新列入的项目放入"), help_text=_("已在清单中的项目留在原批次；已发布的批次不能再加入项目。")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        drafts = Batch.objects.filter(status=Batch.Status.DRAFT).select_related("annual_list")
        self.fields["batch"].choices = [(BATCH_NEW, _("新建批次（下一批）"))] + [
            (str(b.pk), _("%(year)s年 %(name)s（草稿）") % {"year": b.annual_list.year, "name": b.name})
            for b in drafts.order_by("-annual_list__year", "number")
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        cap = settings.KP_IMPORT_MAX_BYTES
        if upload.size > cap:
            raise forms.ValidationError(
                _("文件大小 %(size)s 超过上限 %(cap)s。请删去无关的工作表或拆分后再上传。")
                % {"size": _size(upload.size), "cap": _size(cap)}
            )
        return upload

    def clean(self):
        data = super().clean()
        batch, year = data.get("batch"), data.get("year")
        if batch and batch != BATCH_NEW and year:
            chosen = Batch.objects.filter(pk=batch).select_related("annual_list").first()
            if chosen is None or chosen.status != Batch.Status.DRAFT:
                self.add_error("batch", _("所选批次不存在或已发布。"))
            elif chosen.annual_list.year != year:
                self.add_error(
                    "batch",
                    _("所选批次属于 %(other)s 年清单，与清单年度 %(year)s 不一致。")
                    % {"other": chosen.annual_list.year, "year": year},
                )
            else:
                data["batch"] = chosen.pk
        return data

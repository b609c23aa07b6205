from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.imports.apply import BATCH_NEW
from keyprojects.plans.imports.names import CREATE
from keyprojects.plans.models import Batch
from keyprojects.projects.models import Sector


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


OTHERS_MAX = 300


class UnknownNamesForm(forms.Form):
    """One answer per name the file uses that the system does not know (the job's summary["unknown"]):
    an existing organisation (or sector) of its kind, or "create". A name with suggestions gets no
    answer preselected — least of all a tie; one without, "create"."""

    def __init__(self, unknown, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown = unknown
        existing = _existing_by_kind({u["kind"] for u in unknown})
        self.rows = []
        for n, u in enumerate(unknown):
            suggested = [
                (str(s["id"]), f"{s['name']}（{round(s['score'] * 100)}%）") for s in u["suggestions"]
            ]
            ids = {s["id"] for s in u["suggestions"]}
            # Any other of its kind, while that list stays one a person can read.
            others = [(str(pk), name) for pk, name in existing[u["kind"]] if pk not in ids][:OTHERS_MAX]
            choices = [("", _("请选择…"))]
            if suggested:
                choices.append((_("最接近的"), suggested))
            choices.append((CREATE, _("新建“%(name)s”") % {"name": u["name"]}))
            if others:
                choices.append((_("其他已有"), others))
            default = u.get("default") or ("" if u["suggestions"] else CREATE)
            field = forms.ChoiceField(
                label=u["name"], choices=choices, required=not u.get("default"), initial=default
            )
            field.widget.attrs.update({"class": "form-select form-select-sm", "data-name": u["name"]})
            self.fields[f"choice-{n}"] = field
            self.rows.append((u, self[f"choice-{n}"]))

    def choices(self) -> dict:
        """{ref: "create" or an id} of the names answered."""
        return {
            u["ref"]: self.cleaned_data[f"choice-{n}"]
            for n, u in enumerate(self.unknown)
            if self.cleaned_data.get(f"choice-{n}")
        }


def _existing_by_kind(kinds) -> dict:
    existing = {kind: [] for kind in kinds}
    orgs = Organisation.objects.filter(is_active=True, kind__in=kinds - {"sector", "leader"})
    orgs = orgs.order_by("sort", "name")
    for pk, kind, name in orgs.values_list("pk", "kind", "name"):
        existing[kind].append((pk, name))
    if "sector" in kinds:
        existing["sector"] = list(Sector.objects.order_by("sort", "name").values_list("pk", "name"))
    if "leader" in kinds:
        leaders = User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("sort", "full_name")
        existing["leader"] = list(leaders.values_list("pk", "full_name"))
    return existing

import re

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.lib.text import normalise_name
from keyprojects.projects.models import Sector
from keyprojects.projects.selectors import sector_key

_SEPARATORS = re.compile(r"[,，、;；\n\r]+")


class SynonymsField(forms.CharField):
    """A sector's synonyms as the office types them: one text, names separated by 、 or commas."""

    def prepare_value(self, value):
        return "、".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        names = (normalise_name(n) for n in _SEPARATORS.split(super().to_python(value) or ""))
        return list(dict.fromkeys(n for n in names if n))


class SectorForm(forms.ModelForm):
    synonyms = SynonymsField(
        label=gettext_lazy("同义名称"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("清单中对该领域的其他写法，用顿号或逗号分隔，如：产业项目、工业项目"),
    )

    class Meta:
        model = Sector
        fields = ["name", "synonyms", "oc4ids_sector", "sort"]

    def clean_synonyms(self):
        # An import must not have to choose: no synonym may name another sector.
        others = {}
        for other in Sector.objects.exclude(pk=self.instance.pk):
            for text in [other.name, *(other.synonyms or [])]:
                others.setdefault(sector_key(text), other.name)
        taken = [(s, others[sector_key(s)]) for s in self.cleaned_data["synonyms"] if sector_key(s) in others]
        if taken:
            raise forms.ValidationError(
                [_("“%(name)s”已指向行业领域“%(other)s”。") % {"name": s, "other": o} for s, o in taken]
            )
        return self.cleaned_data["synonyms"]


# Projects are edited through the project pages, where every change is scoped, locked and audited;
# the admin site keeps only reference data.
@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    form = SectorForm
    list_display = ["name", "synonyms_text", "oc4ids_sector", "sort"]

    @admin.display(description=gettext_lazy("同义名称"))
    def synonyms_text(self, sector):
        return "、".join(sector.synonyms or [])

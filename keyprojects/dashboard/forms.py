from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.dashboard.geojson import MAX_BYTES
from keyprojects.lib.forms import BootstrapFormMixin


def _file_help():
    # Formatted when shown, in the language of the request, not once at import.
    return gettext(
        "WGS-84 经纬度的 Polygon 或 MultiPolygon（可为 Feature 或 FeatureCollection），不超过 %(mb)s MB。"
    ) % {"mb": MAX_BYTES // 1024 // 1024}


class BoundaryUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("边界文件（GeoJSON）"),
        help_text=lazy(_file_help, str)(),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".geojson,.json,application/geo+json,application/json"}
        ),
    )


class ReportReminderForm(forms.Form):
    """The month the office reminds late reporters of (hidden fields of the home page's 催报 button)."""

    year = forms.IntegerField(min_value=2000, max_value=2100)
    month = forms.IntegerField(min_value=1, max_value=12)

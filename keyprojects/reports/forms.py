from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.reports.models import PublicDataSetting
from keyprojects.reports.services import SETTING_FIELDS


class PublicDataSettingForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    license_url = forms.URLField(
        label=PublicDataSetting._meta.get_field("license_url").verbose_name,
        required=False,
        assume_scheme="https",
    )
    policy_url = forms.URLField(
        label=PublicDataSetting._meta.get_field("policy_url").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = PublicDataSetting
        fields = SETTING_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def setting_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in SETTING_FIELDS}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)

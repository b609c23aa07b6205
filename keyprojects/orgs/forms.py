from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import OrganisationAlias


class AliasForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("别名"),
        max_length=OrganisationAlias._meta.get_field("name").max_length,
        help_text=_("清单中对该单位的其他写法，例如“市住建局”。导入时按别名自动匹配。"),
    )

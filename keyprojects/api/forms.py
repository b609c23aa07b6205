from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import Organisation


class TokenForm(BootstrapFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_("令牌以该单位的身份访问接口，数据范围与该单位的用户相同。"),
    )
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：青秀区项目管理系统对接"))

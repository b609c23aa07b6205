from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.notifications.models import Channel, Kind
from keyprojects.orgs.models import Organisation

ROBOT_CHANNELS = [c for c in Channel.choices if c[0] != Channel.EMAIL]


class PreferencesForm(forms.Form):
    """Two check boxes per kind of event: e-mail, and the organisation's group robot."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel in ("email", "webhook"):
                self.fields[f"{channel}_{row['kind']}"] = forms.BooleanField(
                    required=False,
                    initial=row[channel],
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )

    def table(self):
        return [
            {
                **row,
                "email_field": self[f"email_{row['kind']}"],
                "webhook_field": self[f"webhook_{row['kind']}"],
            }
            for row in self.rows
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {k: (self.cleaned_data[f"email_{k}"], self.cleaned_data[f"webhook_{k}"]) for k in Kind.values}


class WebhookForm(BootstrapFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("单位"), queryset=Organisation.objects.filter(is_active=True).order_by("kind", "sort", "name")
    )
    channel = forms.ChoiceField(label=_("类型"), choices=ROBOT_CHANNELS)
    name = forms.CharField(label=_("名称"), max_length=50)
    url = forms.URLField(
        label=_("Webhook 地址"),
        max_length=500,
        assume_scheme="https",
        help_text=_("在群设置 → 群机器人 → 添加自定义机器人后复制的地址。"),
    )
    secret = forms.CharField(
        label=_("加签密钥"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("钉钉（SEC 开头）或飞书的签名校验密钥；企业微信留空。"),
    )
    clear_secret = forms.BooleanField(label=_("清除已设置的加签密钥"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, endpoint=None, **kwargs):
        super().__init__(*args, **kwargs)
        if endpoint is None:
            del self.fields["clear_secret"]
        else:
            self.fields["secret"].help_text = (
                _("已设置密钥；留空则保持不变。")
                if endpoint.secret
                else _("钉钉（SEC 开头）或飞书的签名校验密钥；企业微信留空。")
            )
            if not endpoint.secret:
                del self.fields["clear_secret"]

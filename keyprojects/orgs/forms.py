from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs.models import OfficeSettings, Organisation, OrganisationAlias, User
from keyprojects.orgs.services import SETTINGS_FIELDS


class AliasForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("别名"),
        max_length=OrganisationAlias._meta.get_field("name").max_length,
        help_text=_("清单中对该单位的其他写法，例如“市住建局”。导入时按别名自动匹配。"),
    )


class LeaderForm(BootstrapFormMixin, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=User._meta.get_field("full_name").max_length)
    title = forms.CharField(
        label=_("职务"),
        max_length=User._meta.get_field("title").max_length,
        required=False,
        help_text=_("例如“副市长”“市委常委、常务副市长”，用于会议纪要和领导页面。"),
    )
    sort = forms.IntegerField(
        label=_("排序"), min_value=0, initial=0, help_text=_("按职级排列，数字小的在前。")
    )
    # What the form showed: an edit based on values someone has changed since is refused.
    shown_full_name = forms.CharField(widget=forms.HiddenInput, required=False)
    shown_title = forms.CharField(widget=forms.HiddenInput, required=False)
    shown_sort = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def of(cls, leader):
        values = {"full_name": leader.full_name, "title": leader.title, "sort": leader.sort}
        return cls(initial={**values, **{f"shown_{k}": v for k, v in values.items()}})

    def based_on(self) -> dict:
        return {k: self.cleaned_data.get(f"shown_{k}") for k in ("full_name", "title", "sort")}


class LeaderAccountForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(
        label=_("登录名"),
        max_length=User._meta.get_field("username").max_length,
        help_text=_("市领导登录时使用，开通后不能更改。"),
    )
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("请当面或电话告知市领导，并提醒其登录后修改。"),
    )


def _model_field(name, **overrides):
    return OfficeSettings._meta.get_field(name).formfield(**overrides)


class OfficeSettingsForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("单位名称"),
        max_length=Organisation._meta.get_field("name").max_length,
        help_text=_("重点办的全称，用于会议纪要的发文机关标志和开放数据的发布单位。"),
    )
    short_name = forms.CharField(
        label=_("简称"), max_length=Organisation._meta.get_field("short_name").max_length, required=False
    )
    minutes_prefix = _model_field("minutes_prefix")
    report_deadline_workdays = _model_field("report_deadline_workdays")
    reminder_hour = _model_field("reminder_hour")
    open_data_prefix = _model_field("open_data_prefix")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def of(cls, settings: OfficeSettings):
        office = settings.office if settings.office_id else None
        initial = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
        initial.update(
            name=office.name if office else "",
            short_name=office.short_name if office else "",
            version=settings.version,
        )
        return cls(initial=initial)

    def settings_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "short_name", *SETTINGS_FIELDS)}


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password, new one twice, the password rules) in the site's look."""


class PasswordResetForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    """An office admin's new password for someone else, who must change it at the next login."""

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.notice import lines_to_days


class CalendarYearForm(BootstrapFormMixin, forms.Form):
    """A year's holiday schedule as the office edits it: lines of dates, and the notice it came from."""

    notice = forms.CharField(
        label=_("国务院办公厅通知原文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "粘贴“国务院办公厅关于××××年部分节假日安排的通知”全文，点击“识别通知”自动填入下方日期，核对后确认。"
        ),
    )
    holidays = forms.CharField(
        label=_("放假日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行一项：日期或日期范围，后接节日名称，例如“2027-02-05 至 2027-02-11 春节”。"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行一个周六或周日，例如“2027-02-20 春节”。"),
    )

    def _days(self, name):
        days, errors = lines_to_days(self.cleaned_data.get(name, ""))
        if errors:
            raise forms.ValidationError(errors)
        return days

    def clean_holidays(self):
        return self._days("holidays")

    def clean_workdays(self):
        return self._days("workdays")

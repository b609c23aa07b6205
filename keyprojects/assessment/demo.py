"""The demo city's assessment (called by keyprojects/demo/loader.py last): the latest month that can be
assessed on TODAY is scored and its 红黑榜 drafted, waiting for the office's review."""

import datetime as dt

from django.core.exceptions import ValidationError

from keyprojects.assessment import services
from keyprojects.assessment.periods import MONTH, Period
from keyprojects.orgs.models import User


def load_assessment_demo(*, today: dt.date, stdout=None) -> dict:
    office = User.objects.filter(role=User.Role.OFFICE_ADMIN, is_active=True).order_by("pk").first()
    if office is None:
        return {"period": None}
    year, month = today.year, today.month
    for _ in range(3):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        period = Period(MONTH, year, month)
        if services.period_refusal(period, today=today) is None:
            break
    else:
        return {"period": None}
    try:
        result = services.assessment_run(period=period, today=today, by=office)
    except ValidationError:
        return {"period": None}  # no scheme for months: nothing to show
    services.ranking_list_draft(run=result.run, by=office)
    if stdout:
        stdout.write(f"考核：{period.label}得分已计算，红黑榜草稿待审核。")
    return {"period": period.code}

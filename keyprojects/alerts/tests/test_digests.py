"""Red-light reminders: one digest a day per unit (the office, each district) listing the lights that
turned red or stopped being red since its previous digest, never one message per light. Time is frozen
for the whole of every test."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from keyprojects.alerts import services
from keyprojects.alerts.models import WarningDigest, WarningRule
from keyprojects.alerts.services import reminders_send, warnings_recompute_all
from keyprojects.notifications.models import Kind, Notification
from keyprojects.projects.models import PrelimItem
from keyprojects.test import make_project

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=9):
    return time_machine.travel(dt.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with at(2026, 11, 20):
        yield


def late(project, planned=dt.date(2026, 6, 1), kind="eia"):
    """A preliminary item of PROJECT planned for PLANNED, not done (red 31 days after)."""
    return PrelimItem.objects.create(project=project, kind=kind, planned_date=planned)


def more_projects(cast, district, count):
    return [
        make_project(
            name=f"{district.name}项目{i}", owner=cast.owner_a, district=district, sector=cast.sector
        )
        for i in range(1, count + 1)
    ]


def inbox(user):
    return list(Notification.objects.filter(recipient=user, kind=Kind.WARNING).order_by("id"))


def run():
    warnings_recompute_all()
    return reminders_send()


def test_it_sends_one_digest_per_unit_on_first_start_not_one_message_per_light(cast, monkeypatch):
    monkeypatch.setattr(services, "DIGEST_LINES", 3)
    for project in [cast.project_a, *more_projects(cast, cast.district_a, 3), cast.project_b]:
        late(project)  # 2026-06-01 → 2026-11-20: 172 days late, red
    sent = run()
    assert (sent["warning_digests"], sent["warning_lights"]) == (3, 5)  # office, district A, district B
    for user, count in ((cast.admin, 5), (cast.staff, 5), (cast.district, 4), (cast.district_b_user, 1)):
        [message] = inbox(user)
        assert f"新亮红灯 {count} 个" in message.title
    assert inbox(cast.leader) == inbox(cast.owner) == inbox(cast.department_user) == []

    [digest] = inbox(cast.district_b_user)
    assert digest.title == "红灯预警日报（2026-11-20）：新亮红灯 1 个"
    assert digest.body == (
        "新亮红灯 1 个：\n"
        "1. 西乡塘区老旧小区改造项目（前期工作事项）：前期事项“环评”计划2026-06-01完成，已过 172 天仍未办结\n"
        "全部预警请见预警中心。"
    )
    assert digest.url == f"{reverse('warning_list')}?district={cast.district_b.pk}"
    assert digest.key == f"warning-digest:{cast.district_b.pk}:2026-11-20"
    # The office's lists three and counts the rest; its link is the whole warning centre.
    [office] = inbox(cast.staff)
    assert office.body.splitlines()[0] == "新亮红灯 5 个："
    assert office.body.splitlines()[-2:] == ["另有 2 个未列出。", "全部预警请见预警中心。"]
    assert office.url == reverse("warning_list")

    # A second run the same day sends nothing.
    assert run()["warning_digests"] == 0
    assert Notification.objects.filter(kind=Kind.WARNING).count() == 4
    assert WarningDigest.objects.count() == 3


def test_it_lists_only_what_changed_since_the_units_last_digest(cast):
    late(cast.project_a)
    done = late(cast.project_b)
    run()
    with at(2026, 11, 21):
        done.actual_date = dt.date(2026, 11, 21)
        done.save()  # district B's red light is cleared
        late(cast.project_a, planned=dt.date(2026, 10, 1), kind="energy")  # a new red light in district A
        sent = run()
    assert sent["warning_digests"] == 3
    [_first, second] = inbox(cast.district)
    assert second.title == "红灯预警日报（2026-11-21）：新亮红灯 1 个"
    assert second.body == (
        "新亮红灯 1 个：\n"
        "1. 南宁市轨道交通5号线二期工程（前期工作事项）："
        "前期事项“节能审查”计划2026-10-01完成，已过 51 天仍未办结\n"
        "全部预警请见预警中心。"
    )
    [_first, second] = inbox(cast.district_b_user)
    assert second.title == "红灯预警日报（2026-11-21）：红灯解除 1 个"
    assert second.body == (
        "红灯解除 1 个：\n"
        "1. 西乡塘区老旧小区改造项目（前期工作事项）：前期事项“环评”计划2026-06-01完成，已过 172 天仍未办结"
        "（现为绿灯）\n"
        "全部预警请见预警中心。"
    )
    [_first, second] = inbox(cast.admin)
    assert second.title == "红灯预警日报（2026-11-21）：新亮红灯 1 个，红灯解除 1 个"


def test_it_sends_at_most_one_digest_a_day_per_unit(cast):
    late(cast.project_a)
    run()
    with at(2026, 11, 20, hour=15):
        late(cast.project_a, planned=dt.date(2026, 9, 1), kind="energy")
        assert run()["warning_digests"] == 0  # today's digest has gone: tomorrow's tells it
    assert len(inbox(cast.district)) == 1
    with at(2026, 11, 21):
        assert run()["warning_digests"] == 2
    [_first, second] = inbox(cast.district)
    assert "节能审查" in second.body and "环评" not in second.body


def test_it_tells_a_light_that_turned_red_from_yellow_and_is_silent_on_yellow(cast):
    late(cast.project_a, planned=dt.date(2026, 11, 1))  # 19 days: yellow
    assert run()["warning_digests"] == 0
    with at(2026, 12, 2):  # 31 days: red
        assert run()["warning_digests"] == 2
    [digest] = inbox(cast.district)
    assert digest.body.splitlines()[1] == (
        "1. 南宁市轨道交通5号线二期工程（前期工作事项）：前期事项“环评”计划2026-11-01完成，已过 31 天仍未办结"
        "（由黄灯转为红灯）"
    )


def test_it_names_the_rule_once_in_a_combined_warnings_digest(cast):
    from keyprojects.plans.tests.cast import plans_cast

    plans_cast(cast)  # entry A: 新开工 in March, 12 亿元, not started, nothing reported
    WarningRule.objects.exclude(code="combined").update(remind=False)
    run()
    [digest] = inbox(cast.district)
    assert digest.body == (
        "新亮红灯 1 个：\n"
        "1. 南宁市轨道交通5号线二期工程（开工滞后且投资滞后）："
        "新开工项目计划3月开工，至今未开工，滞后 8 个月；"
        "1-10月完成投资落后序时进度 80.0 个百分点\n"
        "全部预警请见预警中心。"
    )
    assert digest.body.count("开工滞后且投资滞后") == 1


def test_it_starts_a_units_first_digest_from_yesterday(cast):
    late(cast.project_a)
    with at(2026, 11, 17):
        warnings_recompute_all()  # red three days ago, before any digest: not news now
    with at(2026, 11, 19, hour=23):
        late(cast.project_b)
        warnings_recompute_all()  # red yesterday evening: in today's first digest
    assert reminders_send()["warning_digests"] == 2  # the office and district B
    assert inbox(cast.district) == []
    [digest] = inbox(cast.staff)
    assert "西乡塘区老旧小区改造项目" in digest.body and "南宁市" not in digest.body


def test_it_leaves_out_the_rules_whose_reminders_are_off(cast):
    WarningRule.objects.filter(code="prelim").update(remind=False)
    late(cast.project_a)
    assert run()["warning_digests"] == 0
    assert not Notification.objects.filter(kind=Kind.WARNING).exists()

"""A returned report reaches the owner who must fix it: one message in the inbox of each of the owner's
people, on their e-mail and their organisation's group robot, linking to the report; no one else hears
of it."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from keyprojects.notifications.models import Channel, Kind, Notification, OutboxMessage, WebhookEndpoint
from keyprojects.plans.tests.report_world import TODAY, make_report, reports_world
from keyprojects.test import Role, make_user


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(cast):
    return reports_world(cast)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_tells_the_owner_that_a_report_was_returned_with_a_link_to_it(world):
    colleague = make_user("owner_a_2", world.owner_a, Role.OWNER, email="report@owner-a.test")
    owner_robot = WebhookEndpoint.objects.create(
        organisation=world.owner_a, channel=Channel.WECOM, name="业主群", url="https://robot.test/a"
    )
    WebhookEndpoint.objects.create(
        organisation=world.district_a, channel=Channel.WECOM, name="城区群", url="https://robot.test/d"
    )
    report = make_report(world.entry_a, 10, "1500", by=world.owner)

    returned = _client(world.district).post(
        reverse("report_return", args=[report.pk]),
        {"reason": "金额与形象进度不符", "version": report.version},
    )

    assert returned.status_code == 302
    notes = Notification.objects.order_by("recipient__username")
    assert [n.recipient for n in notes] == [world.owner, colleague]
    url = reverse("report_detail", args=[report.pk])
    for note in notes:
        assert note.kind == Kind.REPORT
        assert note.title == "月度报送被退回：南宁市轨道交通5号线二期工程 2026年10月"
        assert note.body == "退回原因：金额与形象进度不符"
        assert note.url == url
    assert set(OutboxMessage.objects.values_list("channel", "address", "webhook", "url")) == {
        (Channel.EMAIL, "report@owner-a.test", None, url),
        (Channel.WECOM, "", owner_robot.pk, url),
    }

    owner = _client(world.owner)
    opened = owner.post(reverse("notification_read", args=[notes[0].pk]), {"open": "1"})
    assert opened["Location"] == url
    page = owner.get(url)
    assert page.status_code == 200
    assert "金额与形象进度不符" in page.content.decode()


def test_it_tells_the_owner_again_when_a_resubmitted_report_is_returned_again(world):
    report = make_report(world.entry_a, 10, "1500", by=world.owner)
    district = _client(world.district)
    district.post(reverse("report_return", args=[report.pk]), {"reason": "缺少现场照片", "version": 1})
    report.refresh_from_db()
    report.status = report.Status.SUBMITTED
    report.save(update_fields=["status"])

    district.post(
        reverse("report_return", args=[report.pk]), {"reason": "照片不清晰", "version": report.version}
    )

    assert list(Notification.objects.order_by("pk").values_list("recipient__username", "body")) == [
        ("owner", "退回原因：缺少现场照片"),
        ("owner", "退回原因：照片不清晰"),
    ]

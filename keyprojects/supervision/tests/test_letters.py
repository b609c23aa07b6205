"""Supervision letters (督办函): numbering, working-day deadlines, replies with evidence, sign-off and
return, bulk issue from lights, escalation of overdue letters."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from keyprojects.audit.models import AuditEntry
from keyprojects.notifications.models import Notification
from keyprojects.supervision import services
from keyprojects.supervision.models import Letter, LetterAction, LetterCounter
from keyprojects.supervision.tests.support import day, issue, light, reply
from keyprojects.test import make_cast

Status = Letter.Status


def test_it_numbers_letters_in_sequence_within_each_year(cast):
    first = issue(cast)
    second = issue(cast, unit=cast.department)
    next_year = issue(cast, today=day("2027-01-04"))
    assert [first.number, second.number] == ["邕重点督〔2026〕1号", "邕重点督〔2026〕2号"]
    assert next_year.number == "邕重点督〔2027〕1号"


def test_it_counts_the_deadline_in_working_days(cast):
    # Issued Monday 16 November 2026: five working days end the next Monday, the weekend skipped.
    assert issue(cast, today=day("2026-11-16"), workdays=5).deadline == day("2026-11-23")
    # Across National Day: 29, 30 September, 8, 9 and Saturday 10 October (a make-up working day).
    assert issue(cast, today=day("2026-09-28"), workdays=5).deadline == day("2026-10-10")


def test_it_tells_the_unit_with_a_link_and_keeps_the_change_in_the_history(cast):
    letter = issue(cast)
    note = Notification.objects.get(recipient=cast.district)
    assert note.title == "督办函 邕重点督〔2026〕1号：轨道交通5号线二期工程征地滞后整改"
    assert note.url == f"/supervision/letters/{letter.pk}/"
    assert not Notification.objects.filter(recipient=cast.district_b_user).exists()
    assert AuditEntry.objects.filter(
        model="supervision.Letter", object_id=str(letter.pk), action="create"
    ).exists()


def test_it_refuses_a_letter_from_anyone_but_the_office(cast):
    with pytest.raises(PermissionDenied):
        issue(cast, by=cast.leader)
    with pytest.raises(PermissionDenied):
        issue(cast, by=cast.district)


def test_it_refuses_a_letter_to_the_office_itself_or_without_a_requirement(cast):
    with pytest.raises(ValidationError) as error:
        issue(cast, unit=cast.office)
    assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        issue(cast, requirement="  ")
    assert error.value.message_dict["requirement"] == ["请写明办理要求。"]
    with pytest.raises(ValidationError):
        issue(cast, workdays=0)
    assert not Letter.objects.exists()


def test_it_takes_the_project_from_the_warning_and_refuses_one_of_another_project(cast):
    warning = light(cast.project_a, "prelim:1")
    letter = issue(cast, project=None, warnings=[warning])
    assert letter.project == cast.project_a and list(letter.warnings.all()) == [warning]
    with pytest.raises(ValidationError):
        issue(cast, project=cast.project_b, warnings=[warning])


def test_it_refuses_a_reply_without_evidence(cast):
    letter = issue(cast)
    with pytest.raises(ValidationError) as error:
        services.letter_reply(
            letter=letter, by=cast.district, note="已办理。", files=[], today=day("2026-11-18")
        )
    assert error.value.message_dict["files"] == ["回复督办函须附佐证材料，请上传至少一个文件。"]
    letter.refresh_from_db()
    assert letter.status == Status.ISSUED and letter.replied_on is None


def test_it_lets_only_the_unit_addressed_reply(cast):
    letter = issue(cast)
    for user in (cast.district_b_user, cast.department_user, cast.staff):
        with pytest.raises(PermissionDenied):
            reply(cast, letter, by=user)


def test_it_records_the_reply_and_tells_the_office(cast):
    letter = reply(cast, issue(cast), today=day("2026-11-18"))
    assert (letter.status, letter.replied_on) == (Status.REPLIED, day("2026-11-18"))
    action = letter.actions.get(kind=LetterAction.Kind.REPLY)
    assert [e.original_name for e in action.evidence.all()] == ["整改报告.pdf"]
    assert Notification.objects.filter(recipient=cast.staff, title__startswith="督办函已回复待审核").exists()


def test_it_signs_off_a_replied_letter_and_only_that(cast):
    letter = issue(cast)
    with pytest.raises(ValidationError):
        services.letter_sign_off(letter=letter, by=cast.staff)
    reply(cast, letter)
    with pytest.raises(PermissionDenied):
        services.letter_sign_off(letter=letter, by=cast.district)
    letter = services.letter_sign_off(letter=letter, by=cast.staff, today=day("2026-11-19"))
    assert (letter.status, letter.signed_off_on, letter.level_deadline) == (
        Status.SIGNED_OFF,
        day("2026-11-19"),
        None,
    )


def test_it_returns_a_reply_with_a_reason_and_takes_a_new_one(cast):
    letter = reply(cast, issue(cast))
    with pytest.raises(ValidationError):
        services.letter_return(letter=letter, by=cast.staff, reason="")
    letter = services.letter_return(letter=letter, by=cast.staff, reason="佐证材料不全。")
    assert letter.status == Status.RETURNED
    assert Notification.objects.filter(recipient=cast.district, title__startswith="督办函回复被退回").exists()
    letter = reply(cast, letter, today=day("2026-11-20"))
    assert (letter.status, letter.replied_on) == (Status.REPLIED, day("2026-11-20"))


def test_it_drafts_one_letter_per_unit_and_project_from_lights(cast):
    from keyprojects.tasks.models import Task

    task = Task.objects.create(
        project=cast.project_a,
        title="办理施工许可",
        responsible_unit=cast.department,
        deadline=day("2026-11-01"),
        created_by=cast.staff,
    )
    lights = [
        light(cast.project_a, "prelim:1"),
        light(cast.project_a, "entry:1", code="investment", level="yellow", message="投资完成滞后"),
        light(cast.project_a, f"task:{task.pk}", code="task", message="任务逾期"),
        light(cast.project_b, "prelim:2"),
    ]
    drafts, covered = services.letter_drafts_for_warnings(
        lights, requirement="按期整改。", deadline_workdays=10
    )
    groups = {(d.unit.name, d.project.name): [w.pk for w in d.warnings] for d in drafts}
    assert groups == {
        ("青秀区", "南宁市轨道交通5号线二期工程"): [lights[0].pk, lights[1].pk],
        ("西乡塘区", "西乡塘区老旧小区改造项目"): [lights[3].pk],
        ("市发展和改革委员会", "南宁市轨道交通5号线二期工程"): [lights[2].pk],
    }
    assert covered == []


def test_it_issues_a_batch_numbered_together_or_not_at_all(cast):
    lights = [light(cast.project_a, "prelim:1"), light(cast.project_b, "prelim:2")]
    drafts, _covered = services.letter_drafts_for_warnings(
        lights, requirement="按期整改。", deadline_workdays=10
    )
    drafts[1].requirement = ""
    with pytest.raises(ValidationError):
        services.letters_issue_bulk(by=cast.staff, drafts=drafts, today=day("2026-11-16"))
    assert not Letter.objects.exists() and not LetterCounter.objects.filter(last__gt=0).exists()

    drafts[1].requirement = "按期整改。"
    letters = services.letters_issue_bulk(by=cast.staff, drafts=drafts, today=day("2026-11-16"))
    assert [x.sequence for x in letters] == [1, 2]
    # The same lights again: each already has a letter in hand, so there is nothing to draft …
    drafts_again, covered = services.letter_drafts_for_warnings(lights, requirement="x", deadline_workdays=5)
    assert drafts_again == [] and {w.pk for w in covered} == {w.pk for w in lights}
    # … and a batch previewed before them is refused whole.
    with pytest.raises(ValidationError):
        services.letters_issue_bulk(by=cast.staff, drafts=drafts, today=day("2026-11-16"))
    assert Letter.objects.count() == 2


def _state(letter):
    letter.refresh_from_db()
    return letter.level, letter.level_deadline


def test_it_escalates_an_overdue_letter_one_level_per_run_and_tells_each_level(cast):
    letter = issue(cast, today=day("2026-11-16"), workdays=5)  # deadline Monday 23 November
    call_command("escalate_letters", today=day("2026-11-23"))
    assert _state(letter) == (1, day("2026-11-23"))  # the last day itself is not overdue
    call_command("escalate_letters", today=day("2026-11-24"))
    assert _state(letter) == (2, day("2026-12-01"))
    call_command("escalate_letters", today=day("2026-11-24"))  # again the same day: nothing more
    assert _state(letter) == (2, day("2026-12-01"))
    assert Notification.objects.filter(recipient=cast.staff, key=f"letter:{letter.pk}:level:2").exists()
    assert Notification.objects.filter(recipient=cast.district, key=f"letter:{letter.pk}:level:2").exists()
    assert not Notification.objects.filter(
        recipient=cast.leader, key__startswith=f"letter:{letter.pk}:level"
    ).exists()

    call_command("escalate_letters", today=day("2026-12-02"))
    assert _state(letter) == (3, None)  # the city leader: the top, no further clock
    assert Notification.objects.filter(recipient=cast.leader, key=f"letter:{letter.pk}:level:3").exists()
    call_command("escalate_letters", today=day("2027-01-04"))
    assert _state(letter) == (3, None)
    assert letter.actions.filter(kind=LetterAction.Kind.ESCALATE).count() == 2


def test_it_escalates_on_the_first_working_day_after_the_deadline(cast):
    letter = issue(cast, today=day("2026-11-13"), workdays=5)  # Friday; deadline Friday 20 November
    call_command("escalate_letters", today=day("2026-11-21"))  # Saturday
    call_command("escalate_letters", today=day("2026-11-22"))  # Sunday
    assert _state(letter)[0] == 1
    call_command("escalate_letters", today=day("2026-11-23"))
    assert _state(letter)[0] == 2


def test_it_never_escalates_a_letter_the_unit_has_answered(cast):
    letter = reply(cast, issue(cast, today=day("2026-11-16")), today=day("2026-11-20"))
    call_command("escalate_letters", today=day("2026-12-15"))
    assert _state(letter) == (1, day("2026-11-23"))


@pytest.mark.django_db(transaction=True)
def test_it_numbers_letters_issued_at_once_without_a_gap_or_a_repeat():
    cast = make_cast()
    errors = []

    def worker():
        try:
            for _n in range(4):
                issue(cast, today=day("2026-11-16"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(Letter.objects.values_list("sequence", flat=True)) == list(range(1, 25))
    assert LetterCounter.objects.get(year=2026).last == 24

"""The demo city's dispatch meetings, leader links and frontline service visits.

Call after load_coordination_demo (it needs the problems). Each leader links a handful of the large
projects and one or two key enterprises; about a hundred service visits over the last months, most to
the 超亿元 projects (some are left without, so the coverage list has gaps to show); a monthly dispatch
meeting over the ten months before today with decisions carried out as tasks or instructions (those due
in the last days partly still open), and the next meeting coming up, its agenda gathered from the open
problems at level 3 and above. Deterministic, bulk.
"""

import datetime as dt
import random

from django.utils import timezone

from keyprojects.coordination.demo import _set_times
from keyprojects.coordination.meeting_services import agenda_gather
from keyprojects.coordination.models import (
    AgendaItem,
    DispatchMeeting,
    Instruction,
    LeaderLink,
    Problem,
    ProblemAction,
    ServiceVisit,
)
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import Project
from keyprojects.tasks.models import Task

MEETING_DAY = 20  # the office holds its dispatch meeting around the 20th of each month
PLACES = ("项目现场", "项目指挥部", "施工现场会议室", "企业生产车间", "项目部会议室")
DECISIONS = (
    "请{unit}牵头，会同相关部门于{date}前协调解决，并将结果报市重点办。",
    "会议同意{unit}提出的解决方案，请抓紧组织实施，{date}前完成。",
    "请{unit}倒排工期，挂图作战，确保{date}前取得实质性进展。",
)


def _ensure_tz(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _month_day(year, month, day, calendar) -> dt.date:
    """DAY of the month, moved forward to a working day."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    date = dt.date(year, month, day)
    while not calendar.is_workday(date):
        date += dt.timedelta(days=1)
    return date


def load_meetings_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    rng = random.Random(seed + 7)
    calendar = WorkCalendar.for_years(range(today.year - 1, today.year + 2))
    staff = User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk").first()
    leaders = list(User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("pk"))
    if staff is None or not leaders:
        return {"leader_links": 0, "visits": 0, "meetings": 0}
    # Only the columns used: projects carry large JSON columns that are slow to decode.
    big_projects = list(
        Project.objects.filter(
            annual_entries__annual_list__year=today.year,
            annual_entries__planned_investment__gte=YUAN_PER_YI,
        )
        .only("id", "name", "leader_id", "owner_id")
        .order_by("-annual_entries__planned_investment", "pk")
    )

    # Leader links: a handful of large projects each, and one or two key enterprises.
    links, linked = [], set()
    for project in big_projects[: len(leaders) * 6]:
        if rng.random() < 0.75 and project.pk not in linked:
            leader = rng.choice(leaders)
            since = (today - dt.timedelta(days=rng.randint(60, 420))).replace(day=1)
            links.append(LeaderLink(leader=leader, project=project, since=since))
            linked.add(project.pk)
    owners = list(
        Organisation.objects.filter(kind=Organisation.Kind.OWNER, is_active=True).order_by("pk")[:40]
    )
    for leader in leaders:
        for owner in rng.sample(owners, min(len(owners), rng.randint(1, 2))):
            links.append(
                LeaderLink(
                    leader=leader,
                    enterprise=owner,
                    since=(today - dt.timedelta(days=rng.randint(90, 420))).replace(day=15),
                    note="重点企业挂点",
                )
            )
    # One link per (leader, enterprise): a sampled owner may repeat across leaders only.
    LeaderLink.objects.bulk_create(links, ignore_conflicts=True)

    # Service visits: most 超亿元 projects get one or more; the rest of the visits spread widely.
    visits = []
    for project in big_projects:
        if rng.random() < 0.7:
            for _i in range(rng.choice([1, 1, 2, 3])):
                day = today - dt.timedelta(days=rng.randint(3, 300))
                visits.append(
                    ServiceVisit(
                        leader=project.leader or rng.choice(leaders),
                        date=day,
                        place=f"{project.name[:40]}{rng.choice(PLACES)}",
                        participants="市领导、市重点办、项目所在城区及相关部门负责同志",
                        project=project,
                        enterprise_id=project.owner_id,
                        summary="实地查看项目建设进展，听取业主汇报，现场协调解决项目推进中的困难和问题。",
                        created_by=staff,
                    )
                )
    ServiceVisit.objects.bulk_create(visits, batch_size=1000)
    # Problems raised on visits point to a visit on their project (the coordination demo raised them).
    by_project = {}
    for visit in visits:
        by_project.setdefault(visit.project_id, visit)
    visit_problems = []
    for problem in Problem.objects.filter(project_id__in=list(by_project)).order_by("pk")[:60]:
        if rng.random() < 0.4:
            problem.source, problem.source_visit = Problem.Source.VISIT, by_project[problem.project_id]
            visit_problems.append(problem)
    Problem.objects.bulk_update(visit_problems, ["source", "source_visit"])

    # Monthly dispatch meetings: the ten before today held, the next one coming up. The n-th of a year
    # is its month's.
    problems = list(
        Problem.objects.select_related("project", "lead_unit")
        .only("id", "title", "created_at", "project__id", "lead_unit__id", "lead_unit__name")
        .order_by("created_at", "pk")
    )
    upcoming = _month_day(today.year, today.month, MEETING_DAY, calendar)
    if upcoming < today:
        upcoming = _month_day(today.year, today.month + 1, MEETING_DAY, calendar)
    meetings, items, tasks, instructions, actions, stamps = [], [], [], [], [], []
    for back in range(10, 0, -1):
        index = upcoming.year * 12 + upcoming.month - 1 - back
        year, month = divmod(index, 12)
        day = _month_day(year, month + 1, rng.randint(MEETING_DAY - 3, MEETING_DAY + 5), calendar)
        if day >= today:  # this month's, held already: a few days ago
            day = calendar.add(today, -rng.randint(1, 3))
        meeting = DispatchMeeting.objects.create(
            title=f"{year}年第{month + 1}次重点项目建设调度会",
            date=day,
            place="市政府常务会议室",
            chair=rng.choice(leaders),
            attendees="市重点办、市发展改革委、市自然资源局、市住房城乡建设局、各城区（开发区）",
            status=DispatchMeeting.Status.HELD,
            created_by=staff,
        )
        meetings.append(meeting)
        raised_before = [p for p in problems if p.created_at.date() < day]
        for order, problem in enumerate(
            rng.sample(raised_before, min(len(raised_before), rng.randint(3, 6))), 1
        ):
            deadline = day + dt.timedelta(days=rng.choice([10, 15, 20, 30]))
            text = rng.choice(DECISIONS).format(
                unit=problem.lead_unit.name, date=f"{deadline.month}月{deadline.day}日"
            )
            item = AgendaItem(meeting=meeting, problem=problem, order=order, decision=text)
            kind = rng.choice(["task", "task", "task", "instruction", "note"])
            item.decision_kind = kind
            if kind == "task":
                # Settled when due a while ago; of those due in the last days, about half.
                if deadline < today - dt.timedelta(days=10):
                    done = rng.random() < 0.97
                else:
                    done = deadline < today and rng.random() < 0.5 or rng.random() < 0.1
                item.task = Task(
                    project=problem.project,
                    title=f"落实调度会议定：{problem.title}"[:200],
                    requirement=text,
                    responsible_unit=problem.lead_unit,
                    start_date=day,
                    deadline=deadline,
                    status=Task.Status.DONE if done else Task.Status.DOING,
                    completed_date=min(deadline - dt.timedelta(days=rng.randint(0, 5)), today)
                    if done
                    else None,
                    source=Task.Source.MEETING,
                    created_by=staff,
                )
                tasks.append(item.task)
            elif kind == "instruction":
                replied = deadline < today
                item.instruction = Instruction(
                    problem=problem,
                    leader=meeting.chair,
                    text=text,
                    reply_unit=problem.lead_unit,
                    reply_deadline=deadline,
                    reply="已按会议要求落实，相关问题已协调解决。" if replied else "",
                    replied_at=_ensure_tz(deadline) if replied else None,
                )
                instructions.append(item.instruction)
            items.append(item)
            actions.append(
                ProblemAction(
                    problem=problem,
                    kind=ProblemAction.Kind.MEETING,
                    by=staff,
                    by_org_id=staff.organisation_id,
                    note=f"{meeting.title}（{day.isoformat()}）议定：{text}",
                )
            )
            stamps.append(_ensure_tz(day) + dt.timedelta(hours=6))
    Task.objects.bulk_create(tasks)
    Instruction.objects.bulk_create(instructions)
    for item in items:
        item.task_id = item.task.pk if item.task else None
        item.instruction_id = item.instruction.pk if item.instruction else None
    AgendaItem.objects.bulk_create(items, ignore_conflicts=False)
    saved = ProblemAction.objects.bulk_create(actions)
    _set_times(ProblemAction, "at", [(at, a.pk) for a, at in zip(saved, stamps, strict=True)])
    planned = DispatchMeeting.objects.create(
        title=f"{upcoming.year}年第{upcoming.month}次重点项目建设调度会",
        date=upcoming,
        place="市政府常务会议室",
        chair=leaders[0],
        attendees="市重点办、市直有关部门、各城区（开发区）",
        created_by=staff,
    )
    agenda_gather(meeting=planned)
    counts = {
        "leader_links": LeaderLink.objects.count(),
        "visits": len(visits),
        "meetings": len(meetings) + 1,
        "agenda_items": AgendaItem.objects.count(),
    }
    if stdout is not None:
        stdout.write(
            f"调度会 {counts['meetings']} 次（议题 {counts['agenda_items']} 项），"
            f"领导联系 {counts['leader_links']} 条，一线服务 {counts['visits']} 次\n"
        )
    return counts

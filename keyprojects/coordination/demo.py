"""The demo city's problems (called by keyprojects/demo/loader.py after the annual lists and reports).

A few hundred problems across the categories, raised during the months before the demo's TODAY by
owners, districts, departments and the office, each with the action log it would have had: raised,
assigned (交办, which starts the level clock), progress notes, automatic escalations when a level's time
ran out (worked out on the working-day calendar), leaders' instructions with replies on the serious
ones, then resolved and closed. The unresolved ones are spread over the ladder's levels as in an office
whose escalation job runs every day: each level's clock started a few working days ago, a few are a day
or two past their limit, none waits for a chain of escalations; a handful raised in the last day or two
wait to be assigned (待交办). Deterministic and bulk: about 400 problems and 2,000 log entries in well
under a second.
"""

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from keyprojects.coordination.models import EscalationLevel, Instruction, Problem, ProblemAction
from keyprojects.coordination.selectors import DEFAULT_LADDER, MemoCalendar
from keyprojects.coordination.services import escalation_setting
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import Project

Category = Problem.Category
Kind = ProblemAction.Kind
Status = Problem.Status

# (title, description) per category; {project} is filled in.
TEXTS = {
    Category.APPROVAL: [
        (
            "用地预审与选址意见书未批复",
            "项目用地预审与选址意见书材料已于上月报送，至今未取得批复，影响可研批复。",
        ),
        ("环评批复办理滞后", "环境影响报告书技术评估意见尚未出具，需协调生态环境部门加快审查。"),
        ("施工许可证办理受阻", "消防设计审查意见未出具，施工许可证无法办理，影响按期开工。"),
        ("初步设计批复未下达", "初步设计及概算已报审两个月，概算审核意见分歧较大。"),
    ],
    Category.LAND: [
        ("征地补偿款未足额到位", "项目红线范围内尚有部分征地补偿款未拨付，群众不同意交地。"),
        ("房屋征收签约进度滞后", "红线内仍有住户未签订征收补偿协议，影响场地移交。"),
        ("管线迁改未完成", "红线内燃气、电力管线迁改方案未确定，影响桩基施工。"),
        ("林地手续未办结", "项目涉及林地占用，使用林地审核同意书尚未取得。"),
    ],
    Category.CONSTRUCTION: [
        ("施工临时用电未接通", "施工临时用电报装已提交，供电线路尚未接通，影响大型机械进场。"),
        ("周边群众阻工", "周边群众以噪声扰民为由阻挠夜间施工，需属地协调。"),
        ("渣土消纳场地不足", "土方外运消纳场地不足，影响基坑开挖进度。"),
    ],
    Category.FUNDING: [
        ("专项债券资金未拨付", "年度专项债券额度已下达，资金尚未拨付至项目单位。"),
        ("银行贷款审批缓慢", "项目贷款审批周期较长，资本金到位后贷款仍未放款。"),
        ("中央预算内资金申报受阻", "项目前期手续不全，无法申报中央预算内投资。"),
    ],
    Category.FACTORS: [
        ("能耗指标不足", "项目能评所需能耗指标缺口较大，需统筹调剂。"),
        ("砂石材料供应紧张", "砂石价格上涨且供应不足，影响混凝土浇筑。"),
        ("用工短缺", "春节后劳务人员返岗不足，主体施工人员缺口较大。"),
    ],
    Category.OTHER: [
        ("文物勘探未完成", "项目用地需先行开展考古勘探，勘探工作尚未完成。"),
        ("规划条件调整", "项目规划条件需调整，需规划部门研究意见。"),
    ],
}
CATEGORY_WEIGHTS = [
    (Category.APPROVAL, 30),
    (Category.LAND, 28),
    (Category.CONSTRUCTION, 14),
    (Category.FUNDING, 14),
    (Category.FACTORS, 9),
    (Category.OTHER, 5),
]
PROGRESS = [
    "已召开专题协调会，明确了办理时间表。",
    "已与项目单位对接，补充材料已报送。",
    "已会同相关部门现场踏勘，正在研究解决方案。",
    "已报请上级部门指导，等待反馈意见。",
]
RESOLVED = [
    "已取得批复文件，问题已解决。",
    "相关资金已拨付到位。",
    "已完成协调，项目单位已恢复施工。",
    "已签订协议并完成场地移交。",
]
INSTRUCTIONS = [
    "请{unit}牵头，会同相关部门一周内拿出解决方案。",
    "此事影响项目进度，请{unit}高度重视，限期解决并报结果。",
    "请{unit}主要负责同志亲自协调，确保本月内解决。",
]
REPLIES = [
    "已按批示要求召开专题会议研究，解决方案已报市重点办。",
    "已落实批示要求，相关手续已于近日办结。",
    "已成立工作专班，正在倒排工期推进。",
]


def _ladder():
    stored = {lv.level: lv.deadline_workdays for lv in EscalationLevel.objects.all()}
    return stored or {level: days for level, _name, days in DEFAULT_LADDER}


def _moment(day: dt.date, rng, hour_from=9, hour_to=17):
    naive = dt.datetime.combine(day, dt.time(rng.randint(hour_from, hour_to), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _set_times(model, name, pairs):
    field = model._meta.get_field(name)
    table, column = model._meta.db_table, field.column
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",
            [(field.get_db_prep_save(at, connection), pk) for at, pk in pairs],
        )


def _climb_back(*, level, since, ladder, calendar):
    """The levels an unresolved problem at LEVEL (since SINCE) went through, worked back down the
    ladder: each lower level ended the working day before the next began and lasted its full time
    limit, as the escalation job moves a problem. Returns (assigned day, [(from, to, deadline, on)])."""
    climbs = []
    for lower in range(level - 1, 0, -1):
        deadline = calendar.add(since, -1)
        climbs.append((lower, lower + 1, deadline, since))
        since = calendar.add(deadline, -(ladder.get(lower) or 5))
    return since, climbs[::-1]


def _climb_forward(*, assigned, end, ladder, top, calendar):
    """The escalations of a problem assigned on ASSIGNED and resolved on END: one level per time limit
    run out, each new level's clock starting the working day after. Returns (level, since, deadline,
    [(from, to, deadline, on)])."""
    level, since = 1, assigned
    deadline = calendar.add(since, ladder[1]) if ladder.get(1) else None
    climbs = []
    while level < top and deadline is not None and calendar.add(deadline, 1) <= end:
        new_since = calendar.add(deadline, 1)
        climbs.append((level, level + 1, deadline, new_since))
        level, since = level + 1, new_since
        deadline = calendar.add(since, ladder[level]) if ladder.get(level) else None
    return level, since, deadline, climbs


def load_coordination_demo(*, seed=2026, today: dt.date, stdout=None, count=400) -> dict:
    rng = random.Random(seed + 5)
    ref = today
    projects = list(
        Project.objects.select_related("owner", "district", "leader")
        .prefetch_related("departments")
        .order_by("pk")
    )
    staff = User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk").first()
    if not projects or staff is None:
        return {"problems": 0}
    leaders = list(User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("pk"))
    users_by_org = {}
    for user in User.objects.filter(is_active=True, organisation__isnull=False).order_by("pk"):
        users_by_org.setdefault(user.organisation_id, user)
    departments = list(Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True))
    ladder = _ladder()
    top = max(ladder)
    assign_days = escalation_setting().assign_workdays  # the office's own limit for 交办
    calendar = MemoCalendar.for_years(range(ref.year - 2, ref.year + 2))
    # The last working day up to today: the clocks below are counted from it, so that a weekend or a
    # holiday "today" still finds every clock where a working office would have left it.
    cutoff = ref
    while not calendar.is_workday(cutoff):
        cutoff -= dt.timedelta(days=1)
    # The demo logins' own projects first, so that every demo user finds problems to handle.
    demo_orgs = {u.organisation_id for u in users_by_org.values() if u.role in ("owner", "district")}
    favoured = [p for p in projects if p.owner_id in demo_orgs or p.district_id in demo_orgs]
    problems, plans = [], []
    for _i in range(count):
        project = rng.choice(favoured) if favoured and rng.random() < 0.3 else rng.choice(projects)
        category = rng.choices([c for c, _w in CATEGORY_WEIGHTS], [w for _c, w in CATEGORY_WEIGHTS])[0]
        title, description = rng.choice(TEXTS[category])
        project_departments = list(project.departments.all())
        if category == Category.LAND or not (project_departments or departments):
            lead = project.district
        else:
            lead = rng.choice(project_departments or departments)
        co = [
            d for d in rng.sample(departments, k=min(len(departments), rng.choice((0, 0, 1, 2)))) if d != lead
        ]
        # Who raised it: the owner when it has a login, else its district, a department or the office.
        raiser = users_by_org.get(project.owner_id) or users_by_org.get(project.district_id)
        if raiser is None or rng.random() < 0.25:
            raiser = users_by_org.get(lead.pk) if rng.random() < 0.5 else None
        raiser = raiser or staff
        source = {
            "owner": Problem.Source.OWNER,
            "district": Problem.Source.DISTRICT,
            "department": Problem.Source.DEPARTMENT,
        }.get(raiser.role, Problem.Source.OFFICE)
        fate = rng.choices(["open", "handling", "resolved", "closed"], [2, 32, 8, 58])[0]
        resolved_on = closed_on = assigned = assign_deadline = None
        climbs = []
        if fate == "open":
            # 待交办: raised today or the working day before; the office's assignment limit runs, the
            # level clock does not.
            raised = cutoff if rng.random() < 0.5 else calendar.add(cutoff, -1)
            level, since, deadline = 1, None, None
            assign_deadline = calendar.add(raised, assign_days)
        elif fate == "handling":
            # On the ladder, spread over the levels, the current level's clock running: mostly within
            # its limit, a few a day or two past it (the next escalation run moves those).
            level = rng.choices(range(1, top + 1), [45, 28, 17, 10][:top] + [10] * max(0, top - 4))[0]
            limit = ladder.get(level)
            if limit is None:
                since = calendar.add(cutoff, -rng.randint(1, 30))
            elif rng.random() < 0.04:
                since = calendar.add(cutoff, -(limit + rng.choice((1, 1, 2))))
            else:
                since = calendar.add(cutoff, -rng.randint(0, max(0, limit - 1)))
            deadline = calendar.add(since, limit) if limit else None
            assigned, climbs = _climb_back(level=level, since=since, ladder=ladder, calendar=calendar)
            raised = calendar.add(assigned, -rng.choice((0, 1, 1, 2)))
        else:
            # Settled during the last months (or awaiting the raiser's confirmation since lately).
            if fate == "resolved":
                resolved_on = calendar.add(cutoff, -rng.randint(0, 6))
                took = rng.choice((2, 3, 4, 6, 8, 12))
            else:
                resolved_on = calendar.add(cutoff, -rng.randint(3, 220))
                took = rng.choice((2, 3, 4, 6, 8, 12, 18, 25))
            assigned = calendar.add(resolved_on, -took)
            raised = calendar.add(assigned, -rng.choice((0, 1, 1, 2)))
            level, since, deadline, climbs = _climb_forward(
                assigned=assigned, end=resolved_on, ladder=ladder, top=top, calendar=calendar
            )
            if fate == "closed":
                closed_on = min(calendar.add(resolved_on, rng.choice((1, 1, 2, 3))), cutoff)
        problems.append(
            Problem(
                project=project,
                category=category,
                title=title,
                description=description,
                source=source,
                raised_by=raiser,
                raised_by_org_id=raiser.organisation_id,
                lead_unit=lead,
                status=Status.OPEN if fate == "open" else (Status.HANDLING if fate == "handling" else fate),
                level=level,
                level_since=since,
                level_deadline=deadline,
                assign_deadline=assign_deadline,
                resolved_at=_moment(resolved_on, rng) if resolved_on else None,
                closed_at=_moment(closed_on, rng, 14, 18) if closed_on else None,
            )
        )
        plans.append((raised, co, climbs, fate, resolved_on, closed_on, raiser, lead, assigned))
    created = Problem.objects.bulk_create(problems)
    through = Problem.co_units.through
    through.objects.bulk_create(
        [
            through(problem_id=p.pk, organisation_id=u.pk)
            for p, plan in zip(created, plans, strict=True)
            for u in plan[1]
        ]
    )
    actions, stamps, instructions = [], [], []
    for problem, (raised, co, climbs, fate, resolved_on, closed_on, raiser, lead, assigned) in zip(
        created, plans, strict=True
    ):
        handler = users_by_org.get(lead.pk)
        problem.created_at = _moment(raised, rng, 9, 11)
        log = [(Kind.RAISE, raiser, problem.description, None, 1, problem.created_at)]
        if assigned is not None:
            units = "、".join(u.name for u in co) or "无"
            log.append(
                (
                    Kind.ASSIGN,
                    staff,
                    f"牵头单位：{lead.name}；协办单位：{units}",
                    None,
                    None,
                    _moment(assigned, rng),
                )
            )
        for from_level, to_level, old_deadline, on in climbs:
            name = dict((lv, n) for lv, n, _d in DEFAULT_LADDER).get(to_level, str(to_level))
            note = f"超过办理时限（{old_deadline.isoformat()}）未办结，自动提级至“{name}”。"
            log.append((Kind.AUTO_ESCALATE, None, note, from_level, to_level, _moment(on, rng, 0, 0)))
            if to_level == 3 and (problem.project.leader or leaders):
                leader = problem.project.leader or rng.choice(leaders)
                written = calendar.add(on, 1) if calendar.add(on, 1) <= ref else on
                reply_by = calendar.add(written, 5)
                text = rng.choice(INSTRUCTIONS).format(unit=lead.name)
                # Answered when settled, mostly once the reply is due, sometimes early.
                replied = handler is not None and (
                    resolved_on is not None or rng.random() < (0.9 if reply_by < cutoff else 0.3)
                )
                reply_on = min(calendar.add(written, rng.randint(1, 6)), ref) if replied else None
                instructions.append(
                    (
                        Instruction(
                            problem=problem,
                            leader=leader,
                            text=text,
                            reply_unit=lead,
                            reply_deadline=reply_by,
                            reply=rng.choice(REPLIES) if replied else "",
                            replied_by=handler if replied else None,
                            replied_at=_moment(reply_on, rng) if replied else None,
                        ),
                        _moment(written, rng),
                    )
                )
                log.append((Kind.INSTRUCTION, leader, text, None, None, _moment(written, rng)))
                if replied:
                    log.append(
                        (Kind.REPLY, handler, instructions[-1][0].reply, None, None, _moment(reply_on, rng))
                    )
        if fate != "open" and handler is not None:
            last = resolved_on or ref
            if (last - raised).days > 4:
                on = raised + dt.timedelta(days=rng.randint(2, (last - raised).days - 1))
                log.append((Kind.PROGRESS, handler, rng.choice(PROGRESS), None, None, _moment(on, rng)))
        if resolved_on:
            log.append(
                (Kind.RESOLVE, handler or staff, rng.choice(RESOLVED), None, None, problem.resolved_at)
            )
        if closed_on:
            log.append((Kind.CLOSE, raiser, "", None, None, problem.closed_at))
        for kind, by, note, from_level, to_level, at in sorted(log, key=lambda e: e[5]):
            actions.append(
                ProblemAction(
                    problem=problem,
                    kind=kind,
                    by=by,
                    by_org_id=by.organisation_id if by else None,
                    note=note,
                    from_level=from_level,
                    to_level=to_level,
                )
            )
            stamps.append(at)
    saved = ProblemAction.objects.bulk_create(actions, batch_size=1000)
    written = Instruction.objects.bulk_create([ins for ins, _at in instructions])
    # auto_now_add fields take "now" on insert: the dates of the story are set right after, in one
    # executemany per table (bulk_update's CASE expressions cost seconds here).
    _set_times(Problem, "created_at", [(p.created_at, p.pk) for p in created])
    _set_times(ProblemAction, "at", [(at, a.pk) for a, at in zip(saved, stamps, strict=True)])
    _set_times(
        Instruction, "created_at", [(at, i.pk) for i, (_i, at) in zip(written, instructions, strict=True)]
    )
    if stdout is not None:
        stdout.write(f"问题 {len(created)} 个，办理记录 {len(saved)} 条，领导批示 {len(written)} 条\n")
    return {"problems": len(created), "actions": len(saved), "instructions": len(written)}

"""The demo city's problems (called by keyprojects/projects/demo.py after the annual lists and reports).

A few hundred problems across the categories, raised during the reference year by owners, districts,
departments and the office, each with the action log it would have had: raised, assigned, progress
notes, automatic escalations when a level's time ran out (worked out on the real working-day calendar),
leaders' instructions with replies on the serious ones, then resolved and closed, or still open at the
reference date. Deterministic and bulk: about 400 problems and 2,000 log entries in well under a second.
"""

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from keyprojects.coordination.models import EscalationLevel, Instruction, Problem, ProblemAction
from keyprojects.coordination.selectors import MemoCalendar
from keyprojects.coordination.services import DEFAULT_LADDER
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


def load_coordination_demo(*, seed=2026, stdout=None, count=400) -> dict:
    from keyprojects.projects.demo import REFERENCE_DATE

    rng = random.Random(seed + 5)
    ref = REFERENCE_DATE
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
    calendar = MemoCalendar.for_years(range(ref.year - 1, ref.year + 2))
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
        fate = rng.choices(["open", "handling", "resolved", "closed"], [8, 30, 12, 50])[0]
        if fate in ("open", "handling"):
            raised = ref - dt.timedelta(days=rng.randint(0, 45 if fate == "handling" else 6))
        else:
            raised = dt.date(ref.year, 1, 5) + dt.timedelta(
                days=rng.randint(0, (ref - dt.date(ref.year, 1, 5)).days - 5)
            )
        while not calendar.is_workday(raised):
            raised -= dt.timedelta(days=1)
        # Resolution some working days later (never past the reference date).
        resolved_on = None
        if fate in ("resolved", "closed"):
            resolved_on = min(calendar.add(raised, rng.choice((2, 3, 4, 6, 8, 12, 18, 25))), ref)
        # Walk the ladder until the problem was resolved or the reference date.
        end = resolved_on or ref
        level, since = 1, raised
        deadline = calendar.add(since, ladder[1])
        climbs = []
        while level < top and deadline is not None and deadline < end and calendar.add(deadline, 1) <= end:
            new_since = calendar.add(deadline, 1)
            climbs.append((level, level + 1, deadline, new_since))
            level, since = level + 1, new_since
            deadline = calendar.add(since, ladder[level]) if ladder.get(level) else None
        closed_on = None
        if fate == "closed":
            closed_on = min(calendar.add(resolved_on, rng.choice((1, 1, 2, 3))), ref)
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
                resolved_at=_moment(resolved_on, rng) if resolved_on else None,
                closed_at=_moment(closed_on, rng, 14, 18) if closed_on else None,
            )
        )
        plans.append((raised, co, climbs, fate, resolved_on, closed_on, raiser, lead))
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
    for problem, (raised, co, climbs, fate, resolved_on, closed_on, raiser, lead) in zip(
        created, plans, strict=True
    ):
        handler = users_by_org.get(lead.pk)
        problem.created_at = _moment(raised, rng, 9, 11)
        log = [(Kind.RAISE, raiser, problem.description, None, 1, problem.created_at)]
        if fate != "open":
            assigned = calendar.add(raised, 1) if calendar.add(raised, 1) <= ref else raised
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
                replied = handler is not None and (resolved_on is not None or rng.random() < 0.5)
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

"""The demo city's annual lists (last year's and this year's) and the monthly reports owners made.

Runs in `load_demo` (keyprojects/demo/loader.py) after the projects exist, in the same transaction.
Every value comes from one `random.Random` seeded from the demo's seed and from the projects' own dates,
and time stops at the demo's TODAY. Each year's list was published the December before (a second batch
in July); last year is reported in full; this year through last month, whose reports are coming in until
its statistics deadline (most are in by then, a few never come); this month's are not due yet. Months
whose deadline has passed are locked, as the lock_months job would have done the morning after.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from keyprojects.lib.bulk import insert_new
from keyprojects.lib.dates import month_end
from keyprojects.lib.money import YUAN_PER_WAN, YUAN_PER_YI
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import (
    AnnualEntry,
    AnnualList,
    Batch,
    Category,
    MonthLock,
    MonthlyReport,
    PlanChange,
    ReportAdjustment,
)
from keyprojects.projects.demo import LEADERS, OFFICE_NAME, SECTOR_DEPARTMENTS
from keyprojects.projects.models import Project, Stage

TZ = ZoneInfo("Asia/Shanghai")
CITY = OFFICE_NAME.removesuffix("重点项目建设办公室")
DEADLINE_WORKDAYS = 5


def batch_days(year: int) -> tuple:
    """(number, name, publication date) of YEAR's batches: the list in the December before, the
    year's additions in July."""
    return ((1, "第一批", dt.date(year - 1, 12, 26)), (2, "第二批", dt.date(year, 7, 16)))


# How a year's construction investment falls over the months: little around the Spring Festival,
# most in the second half.
SEASON = (0.55, 0.45, 0.85, 0.95, 1.0, 1.05, 1.0, 1.0, 1.05, 1.1, 1.2, 1.5)
# Planned start month minus the actual one, for projects that did start: mostly on time.
START_SLIPS = (-3, -2, -1, -1, 0, 0, 0, 0, 0, 1, 1, 2)

PHASES = (
    (0.15, "场地平整、临时设施及桩基础施工"),
    (0.35, "基础及地下结构施工"),
    (0.6, "主体结构施工"),
    (0.8, "主体结构封顶，开展二次结构及机电安装"),
    (0.95, "装饰装修、设备安装及室外配套工程施工"),
    (2.0, "收尾及竣工验收准备"),
)
PRELIM_PROGRESS = (
    "可行性研究报告编制中",
    "可研报告已报审，正在开展用地预审",
    "正在办理用地规划许可及环评手续",
    "初步设计已报审",
    "施工图设计及审查中",
    "施工招标公告已发布",
    "正在开展征地拆迁及场地清表",
)
PROBLEMS = (
    "征地拆迁进度滞后，尚有{n}户未签订补偿协议。",
    "项目资本金未全部到位，需协调专项债资金拨付。",
    "施工用地红线范围内管线迁改尚未完成。",
    "连续降雨影响土方及基础施工进度。",
    "用地报批手续尚在办理，影响后续施工许可。",
    "主要建材价格上涨，施工单位资金压力较大。",
    "与相邻地块规划衔接问题待自然资源部门明确。",
    "施工图审查意见尚未全部回复。",
)
RETURN_REASONS = (
    "本月完成投资与形象进度不匹配，请核实后重新报送。",
    "未上传现场照片，请补充后重新报送。",
    "存在问题填写过于笼统，请具体说明问题及需协调事项。",
    "完成投资含土地款，请按统计口径剔除后重新报送。",
)
ADJUST_REASONS = (
    "经统计部门核定，调整当月完成投资。",
    "业主补报漏报的设备购置发票金额。",
    "剔除重复计入的前期工程费用。",
)
CHANGE_REASONS = (
    "受征地拆迁进度影响，年度投资计划相应调减。",
    "项目加快推进，申请调增年度投资计划。",
    "设计方案优化调整，年度计划投资相应调整。",
)


def _at(day: dt.date, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _round_plan(yuan: float) -> int:
    """A planned figure as offices write it: whole 万元, round to 100 万 or 10 万 when large."""
    wan = yuan / YUAN_PER_WAN
    step = 100 if wan >= 10_000 else 10 if wan >= 1_000 else 1
    return max(100, round(wan / step) * step) * YUAN_PER_WAN


class _Entry:
    """One entry to insert, with what the reports need to know about its project."""

    def __init__(self, project, year, category):
        self.project, self.year, self.category = project, year, category
        self.start_month = None  # the month the project actually started in this year
        self.done_month = None  # the month it was completed in this year
        self.entry = None
        self.pace = 1.0
        self.departments = []


class _PlansBuilder:
    def __init__(self, seed, stdout, today):
        self.rng = random.Random(f"plans-demo-{seed}")
        self.stdout = stdout
        self.today = today
        self.years = (today.year - 1, today.year)

    def say(self, text):
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    def pick(self, weighted):
        items = [item for item, _ in weighted]
        return self.rng.choices(items, [w for _, w in weighted])[0]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return end
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    # -- people and reference data -----------------------------------------------------------------

    def load_people(self):
        users = {
            u.username: u
            for u in User.objects.filter(role__in=("leader", "office_staff", "owner", "district"))
        }
        self.staff = users["staff"]
        self.owner_user = users["owner"]
        self.district_user = users["district"]
        self.leaders = [(users[name], sectors) for name, _n, _t, sectors in LEADERS if name in users]
        departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
        self.department_by_name = {d.name: d for d in departments}
        through = Project.departments.through
        self.project_departments = {}
        for project_id, org_id in through.objects.order_by("id").values_list("project_id", "organisation_id"):
            self.project_departments.setdefault(project_id, []).append(org_id)
        self.new_project_links = []

    # -- the lists -----------------------------------------------------------------------------------

    def classify(self, project, year):
        """The entry PROJECT gets on YEAR's list, or None when it is not on it."""
        rng = self.rng
        start, done = project.start_date, project.completion_date
        if project.stage == Stage.CANCELLED or (done and done.year < year):
            return None
        if done and done.year > year:
            done = None  # still being built that year
        if start and start.year < year:
            if done:
                item = _Entry(project, year, Category.COMPLETING)
                item.done_month = done.month
                item.planned_completion = min(12, max(1, done.month + rng.choice((-2, -1, 0, 0, 0, 1))))
                return item
            if project.stage == Stage.CONSTRUCTION and project.end_year == year and rng.random() < 0.45:
                item = _Entry(project, year, Category.COMPLETING)
                item.planned_completion = rng.choice((6, 9, 10, 11, 12, 12, 12))
                return item
            return _Entry(project, year, Category.CONTINUING)
        if start and start.year == year:
            item = _Entry(project, year, Category.NEW_START)
            item.start_month = start.month
            item.planned_start = min(12, max(1, start.month + rng.choice(START_SLIPS)))
            if done:
                item.done_month = done.month
                item.planned_completion = done.month
            return item
        if start and start.year == year + 1:
            roll = rng.random()
            if roll < 0.3 and start.month <= 6:  # slipped: listed to start late last year
                item = _Entry(project, year, Category.NEW_START)
                item.planned_start = rng.choice((9, 10, 11, 12))
                return item
            return _Entry(project, year, Category.PREPARATORY) if roll < 0.75 else None
        if start is None and project.stage in (Stage.PRELIMINARY, Stage.SUSPENDED, Stage.RESERVE):
            if project.start_year == year and project.stage != Stage.RESERVE:
                item = _Entry(project, year, Category.NEW_START)
                # Mostly planned for the year's end; some were due already and have not started.
                item.planned_start = self.pick(((6, 1), (8, 1), (9, 2), (10, 2), (11, 5), (12, 7)))
                return item
            if project.start_year == year + 1 and rng.random() < 0.5:
                return _Entry(project, year, Category.PREPARATORY)
        return None

    def plan(self, item):
        """Planned investment, investment before the year, goal and curve of ITEM."""
        rng, project, year = self.rng, item.project, item.year
        total = project.total_investment
        years = max(1, project.end_year - project.start_year + 1)
        before = 0
        if project.start_date and project.start_date.year < year:
            elapsed = (dt.date(year, 1, 1) - project.start_date).days / (years * 365)
            before = int(total * min(0.92, elapsed * rng.uniform(0.75, 1.05)))
            before -= before % YUAN_PER_WAN
        if item.category == Category.COMPLETING:  # most of a project that completes this year is done
            before = max(before, int(total * rng.uniform(0.6, 0.85)))
            before -= before % YUAN_PER_WAN
        item.before = before
        if item.category == Category.PREPARATORY:
            item.planned = None
            item.goal = f"完成可研批复、用地预审等前期工作，力争{year + 1}年开工建设。"
            return
        remaining = total - before
        if item.category == Category.COMPLETING:
            share = remaining * rng.uniform(0.75, 1.0)
            item.goal = f"{item.planned_completion}月底前竣工验收并投入使用。"
        elif item.category == Category.NEW_START:
            months = 13 - item.planned_start
            share = total / years * months / 12 * rng.uniform(0.8, 1.3)
            phase = rng.choice(("场地平整及桩基础施工", "基础及地下结构施工", "主体结构施工至正负零"))
            item.goal = f"{item.planned_start}月开工建设，年底前完成{phase}。"
        else:
            share = total / years * rng.uniform(0.7, 1.25)
            item.goal = rng.choice(
                (
                    f"完成主体结构施工，累计完成总工程量的{rng.randint(50, 90)}%。",
                    "主体结构封顶，全面开展装饰装修及机电安装。",
                    f"完成年度投资计划，累计形象进度达到{rng.randint(40, 95)}%。",
                )
            )
        if project.stage == Stage.SUSPENDED:
            share *= 0.4
        item.planned = _round_plan(min(share, max(remaining, YUAN_PER_WAN * 100)))
        # Investment pace: ahead for some, behind for more; suspended projects hardly move.
        item.pace = min(1.5, max(0.25, rng.gauss(1.05, 0.2)))
        if project.stage == Stage.SUSPENDED:
            item.pace = 0.15
        if item.category == Category.NEW_START and item.start_month is None:
            item.pace = 0.0
        item.curve = None
        chance = 0.45 if item.category == Category.NEW_START else 0.2
        if rng.random() < chance:
            item.curve = self.curve(item)

    def active_months(self, item):
        """Months of ITEM's year in which its project can invest: from its start, up to its completion."""
        first = item.start_month or 1
        last = item.done_month or 12
        return range(first, max(first, last) + 1)

    def curve(self, item):
        """The monthly planned curve: the season's shape from the planned start, summing to the plan."""
        first = item.planned_start if item.category == Category.NEW_START else 1
        last = item.planned_completion if item.category == Category.COMPLETING else 12
        weights = [
            SEASON[m - 1] * self.rng.uniform(0.8, 1.2) if first <= m <= max(first, last) else 0
            for m in range(1, 13)
        ]
        scale = item.planned / sum(weights)
        curve = [int(w * scale) // YUAN_PER_WAN * YUAN_PER_WAN for w in weights]
        curve[max(first, last) - 1] += item.planned - sum(curve)
        return curve

    def build_lists(self, projects):
        rng = self.rng
        self.lists, self.batches, self.items = {}, {}, []
        for year in self.years:
            annual_list = AnnualList.objects.create(
                year=year, title=f"{year}年{CITY}重点项目计划", report_deadline_workdays=DEADLINE_WORKDAYS
            )
            self.lists[year] = annual_list
            # Only batches published by today: before July, this year's list is its first batch.
            self.batches[year] = Batch.objects.bulk_create(
                [
                    Batch(
                        annual_list=annual_list,
                        number=number,
                        name=name,
                        status=Batch.Status.PUBLISHED,
                        published_at=_at(day, 16),
                        published_by=self.staff,
                    )
                    for number, name, day in batch_days(year)
                    if day < self.today
                ]
            )
            for project in projects:
                item = self.classify(project, year)
                if item is None:
                    continue
                self.plan(item)
                # The second batch takes the additions: more of the late starters and the 预备.
                late = item.category == Category.PREPARATORY or (
                    item.category == Category.NEW_START and item.planned_start >= 7
                )
                second = rng.random() < (0.45 if late else 0.12) and len(self.batches[year]) > 1
                item.batch = self.batches[year][1 if second else 0]
                self.items.append(item)

        for item in self.items:
            project = item.project
            department_ids = self.project_departments.get(project.pk, [])[:2]
            if not department_ids:
                lead = self.department_by_name[SECTOR_DEPARTMENTS[project.sector.name][0]]
                department_ids = [lead.pk]
                self.project_departments[project.pk] = department_ids
                self.new_project_links.append(
                    Project.departments.through(project_id=project.pk, organisation_id=lead.pk)
                )
            item.departments = department_ids
            leader_id = project.leader_id
            if leader_id is None and (item.planned or 0) >= YUAN_PER_YI:
                candidates = [u for u, sectors in self.leaders if project.sector.name in sectors]
                leader_id = rng.choice(candidates).pk if candidates else None
            item.entry = AnnualEntry(
                annual_list=self.lists[item.year],
                batch=item.batch,
                project=project,
                category=item.category,
                planned_investment=item.planned,
                baseline_investment=item.planned,
                completed_before_year=item.before,
                goal=item.goal,
                planned_start_month=getattr(item, "planned_start", None)
                if item.category == Category.NEW_START
                else None,
                planned_completion_month=getattr(item, "planned_completion", None),
                leader_id=leader_id,
                monthly_plan=getattr(item, "curve", None),
            )
        AnnualEntry.objects.bulk_create([i.entry for i in self.items], batch_size=1000)
        links = [
            AnnualEntry.departments.through(annualentry_id=i.entry.pk, organisation_id=org_id)
            for i in self.items
            for org_id in i.departments
        ]
        AnnualEntry.departments.through.objects.bulk_create(links, batch_size=2000)
        Project.departments.through.objects.bulk_create(self.new_project_links, batch_size=2000)

    def plan_changes(self):
        """A few mid-year changes (this year's list from May, else last year's): most approved (the
        published figure stays as the baseline), the newest ones still pending."""
        rng, changes = self.rng, []
        changed = []
        today = self.today
        year = today.year if today >= dt.date(today.year, 5, 20) else today.year - 1
        last = min(today - dt.timedelta(days=3), dt.date(year, 11, 30))
        for item in self.items:
            if item.year != year or not item.planned or rng.random() > 0.04:
                continue
            entry = item.entry
            new = _round_plan(entry.planned_investment * rng.choice((0.6, 0.7, 0.8, 1.2, 1.3)))
            requested = self.day_between(dt.date(year, 5, 1), last)
            approved = rng.random() < 0.75 and requested + dt.timedelta(days=15) < today
            changes.append(
                PlanChange(
                    entry=entry,
                    old_amount=entry.planned_investment,
                    new_amount=new,
                    reason=rng.choice(CHANGE_REASONS),
                    status=PlanChange.Status.APPROVED if approved else PlanChange.Status.PENDING,
                    requested_by=self.district_user
                    if entry.project.district_id == self.district_user.organisation_id
                    else self.staff,
                    decided_by=self.staff if approved else None,
                    decided_at=_at(requested + dt.timedelta(days=rng.randint(3, 14)), 15)
                    if approved
                    else None,
                    decision_note="同意调整。" if approved else "",
                )
            )
            if approved:
                entry.planned_investment = new
                item.planned = new
                if entry.monthly_plan:
                    entry.monthly_plan = item.curve = self.curve(item)
                changed.append(entry)
        PlanChange.objects.bulk_create(changes)
        AnnualEntry.objects.bulk_update(changed, ["planned_investment", "monthly_plan"])
        return len(changes)

    # -- the reports ---------------------------------------------------------------------------------

    def deadlines(self):
        """Each ended month's statistics deadline, and the calendar (for the month still reporting)."""
        today = self.today
        self.calendar = WorkCalendar.for_years(range(self.years[0], today.year + 1))
        return {
            (year, month): self.calendar.add(month_end(year, month), DEADLINE_WORKDAYS)
            for year in self.years
            for month in range(1, 13)
            if month_end(year, month) < today
        }

    def status_weights(self, deadline, month_end):
        """How a month's reports stand today: (status or None for missing, weight), by the deadline."""
        today = self.today
        if deadline >= today:
            # Reporting still open: most owners report in the first days of the month, the rest up to
            # the deadline; a few are always late.
            window = max(1, self.calendar.between(month_end, deadline))
            share = min(1.0, max(0, self.calendar.between(month_end, today)) / window)
            handed_in = 55 + 35 * share
            return (
                (None, 100 - handed_in - 4),
                ("draft", 4),
                ("submitted", handed_in * 0.75),
                ("approved", handed_in * 0.22),
                ("returned", handed_in * 0.03),
            )
        if deadline >= today - dt.timedelta(days=21):  # the last locked month
            return ((None, 3), ("submitted", 4), ("approved", 92), ("returned", 1))
        return ((None, 0.6), ("submitted", 0.3), ("approved", 98.7), ("returned", 0.4))

    def progress(self, item, done_share):
        if item.category == Category.PREPARATORY or (
            item.category == Category.NEW_START and not item.start_month
        ):
            return self.rng.choice(PRELIM_PROGRESS)
        if item.done_month and done_share >= 0.999:
            return "项目已竣工验收，正在办理结算及移交手续。"
        phase = next(text for limit, text in PHASES if done_share < limit)
        return f"{phase}，累计完成总工程量约{min(99, round(done_share * 100))}%。"

    def build_reports(self):
        rng, today = self.rng, self.today
        deadlines = self.deadlines()
        weights = {key: self.status_weights(deadline, month_end(*key)) for key, deadline in deadlines.items()}
        reports, adjust = [], []
        for item in self.items:
            project = item.project
            months = self.active_months(item)
            weight_total = sum(SEASON[m - 1] for m in months)
            room = project.total_investment - item.before  # never report beyond the total investment
            cumulative = item.before
            last_month = 12 if item.year < today.year else today.month - 1
            reviewer = (
                self.district_user if project.district_id == self.district_user.organisation_id else None
            )
            submitter = self.owner_user if project.owner_id == self.owner_user.organisation_id else None
            for month in range(1, last_month + 1):
                amount = 0
                if item.pace and month in months:
                    expected = (item.planned or 0) * item.pace * SEASON[month - 1] / weight_total
                    amount = int(expected * rng.uniform(0.55, 1.45))
                    # Mostly whole 万元; some to the yuan, as figures from invoices are.
                    if rng.random() < 0.85:
                        amount -= amount % YUAN_PER_WAN
                    amount = max(0, min(amount, room))
                deadline = deadlines[(item.year, month)]
                status = self.pick(weights[(item.year, month)])
                if status is None:
                    continue  # missing: the owner never reported this month
                room -= amount
                cumulative += amount
                share = cumulative / project.total_investment if project.total_investment else 0
                report = MonthlyReport(
                    entry=item.entry,
                    month=month,
                    amount=amount,
                    progress=self.progress(item, share),
                    problems=rng.choice(PROBLEMS).format(n=rng.randint(3, 40)) if rng.random() < 0.22 else "",
                    status=status,
                )
                if status != "draft":
                    opened = month_end(item.year, month) + dt.timedelta(days=1)
                    if rng.random() < 0.05 and deadline < today:  # late
                        day = deadline + dt.timedelta(days=rng.randint(1, 8))
                    else:
                        day = self.day_between(opened, min(deadline, today))
                    day = min(day, today)
                    report.submitted_at = _at(day, rng.randint(8, 18), rng.randint(0, 59))
                    report.submitted_by = submitter
                if status in ("approved", "returned"):
                    reviewed = min(today, report.submitted_at.date() + dt.timedelta(days=rng.randint(0, 3)))
                    report.reviewed_at = _at(reviewed, 16, rng.randint(0, 59))
                    report.reviewed_by = reviewer
                    if status == "returned":
                        report.return_reason = rng.choice(RETURN_REASONS)
                if (
                    status == "approved"
                    and amount > 0
                    and item.year == today.year
                    and deadline < today - dt.timedelta(days=21)
                    and rng.random() < 0.003
                ):
                    adjust.append(report)
                reports.append(report)
        # Corrections to locked months: explicit, with a reason, the report carrying the new figure.
        adjustments = []
        for report in adjust:
            new = report.amount * rng.choice((8, 9, 11, 12)) // 10 // YUAN_PER_WAN * YUAN_PER_WAN
            adjustments.append((report, report.amount, new))
            report.amount = new
        insert_new(MonthlyReport, reports)
        ReportAdjustment.objects.bulk_create(
            [
                ReportAdjustment(
                    report=r, old_amount=old, new_amount=new, reason=rng.choice(ADJUST_REASONS), by=self.staff
                )
                for r, old, new in adjustments
            ]
        )
        locks = [
            MonthLock(annual_list=self.lists[year], month=month, locked_by=self.staff)
            for (year, month), deadline in sorted(deadlines.items())
            if year in self.lists and deadline < today
        ]
        MonthLock.objects.bulk_create(locks)
        for lock in locks:  # locked the morning after the deadline, not when the demo was loaded
            lock.locked_at = _at(deadlines[(lock.annual_list.year, lock.month)] + dt.timedelta(days=1), 9)
        MonthLock.objects.bulk_update(locks, ["locked_at"])
        return len(reports), len(adjustments), len(locks)


def load_plans_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    """Last year's and this year's annual lists (as of TODAY) with their batches, entries, plan changes,
    monthly reports, adjustments and month locks, for the projects already loaded. Call inside
    load_demo's transaction."""
    builder = _PlansBuilder(seed, stdout, today)
    builder.load_people()
    projects = list(
        Project.objects.filter(parent__isnull=True).select_related("sector").order_by("id")
    )  # rail lines are listed whole: their sections and stations report through the line
    builder.build_lists(projects)
    changes = builder.plan_changes()
    reports, adjustments, locks = builder.build_reports()
    entries = len(builder.items)
    builder.say(
        f"年度清单 {len(builder.years)} 个，清单项目 {entries} 个，计划调整 {changes} 项，"
        f"月度报送 {reports} 条，报送调整 {adjustments} 条，锁定月份 {locks} 个"
    )
    return {"entries": entries, "reports": reports, "plan_changes": changes, "locks": locks}

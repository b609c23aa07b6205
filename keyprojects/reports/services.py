"""Writes of the reports app (the open-data setting) and the OC4IDS project package.

The package is built with a fixed number of queries whatever the number of projects: one for the
projects, one per kind of related row (stage changes, preliminary items, annual entries, monthly
reports, fund needs, land), each filtered by the same public-projects subquery and grouped in Python.
"""

import calendar
import datetime as dt
import json
from collections import defaultdict
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.audit.services import audit_record, snapshot
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.lib.locking import EditConflict, save_versioned
from keyprojects.orgs.selectors import office_settings
from keyprojects.plans.models import AnnualEntry, Batch, MonthlyReport
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage, StageChange
from keyprojects.reports import oc4ids
from keyprojects.reports.models import PublicDataSetting
from keyprojects.reports.selectors import public_data_setting, public_projects, publisher_name

SETTING_FIELDS = [
    "scope",
    "include_reserve",
    "publisher_name",
    "license_url",
    "policy_url",
    *(f"publish_{group}" for group, _fields in oc4ids.FIELD_GROUPS),
]


def public_data_setting_update(*, by, expected_version: int, **fields) -> PublicDataSetting:
    """Change what is published. Office only; optimistic locking; audited."""
    if not by.is_office:
        raise PermissionDenied(_("只有重点办工作人员可以修改数据开放设置。"))
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        setting = PublicDataSetting.objects.select_for_update().filter(pk=1).first()
        if setting is None:
            setting = PublicDataSetting(pk=1)
            before = {}
        else:
            before = snapshot(setting)
        for name, value in fields.items():
            setattr(setting, name, value)
        setting.updated_by = by
        setting.full_clean()
        if setting._state.adding:
            if expected_version != setting.version:
                raise EditConflict()
            setting.save()
        else:
            save_versioned(setting, expected_version=expected_version)
        audit_record(by=by, instance=setting, action="update", before=before, after=snapshot(setting))
    return setting


# --------------------------------------------------------------------------------------------------
# OC4IDS
# --------------------------------------------------------------------------------------------------

TZ_OFFSET = "+08:00"


def _day(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00{TZ_OFFSET}"


def _day_end(day: dt.date) -> str:
    return f"{day.isoformat()}T23:59:59{TZ_OFFSET}"


def _moment(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


@cache
def _month_dates(year: int, month: int) -> tuple[str, str]:
    last = calendar.monthrange(year, month)[1]
    return _day(dt.date(year, month, 1)), _day_end(dt.date(year, month, last))


def _month_period(year: int, month: int) -> dict:
    start, end = _month_dates(year, month)
    return {"startDate": start, "endDate": end}


def _year_period(year: int) -> dict:
    return {"startDate": _day(dt.date(year, 1, 1)), "endDate": _day_end(dt.date(year, 12, 31))}


def _value(yuan: int) -> dict:
    # Whole yuan, exact: an int is a JSON number, and never goes through float.
    return {"amount": int(yuan), "currency": oc4ids.CURRENCY}


def _quantity(value) -> str:
    """12.50 → "12.5", 100.00 → "100" (normalize() alone would write 1E+2)."""
    return format(value.normalize(), "f")


def oc4ids_json_chunks(package: dict):
    """PACKAGE as JSON text, a project at a time (each encoded by the C encoder), for a streamed download."""
    head = json.dumps({k: v for k, v in package.items() if k != "projects"}, ensure_ascii=False)
    yield head[:-1] + ', "projects": ['
    for i, project in enumerate(package["projects"]):
        yield ("," if i else "") + json.dumps(project, ensure_ascii=False)
    yield "]}"


def ocid(prefix: str, project_id: int) -> str:
    """A project's OC4IDS id: the office's registered prefix (系统设置) and the internal id."""
    return f"{prefix}-{project_id}"


def oc4ids_package(
    *, user=None, projects: QuerySet[Project] | None = None, uri: str | None = None, today=None
) -> dict:
    """The OC4IDS 0.9.5 project package of the public projects (PublicDataSetting decides which, and
    which fields). PROJECTS narrows it further (it never widens it). USER, when given, must be an active
    user of an organisation. URI is the package's address (absolute); TODAY dates milestone statuses."""
    if user is not None and not (user.is_authenticated and user.is_active and user.organisation_id):
        raise PermissionDenied(_("请先登录。"))
    setting, office = public_data_setting(), office_settings()
    public = public_projects(setting)
    if projects is not None:
        public = public.filter(pk__in=projects.values("pk"))
    builder = _PackageBuilder(setting, office.open_data_prefix, public, today or timezone.localdate())
    items = builder.projects()
    return {
        "uri": uri or _default_uri(office.open_data_prefix),
        "publishedDate": _moment(builder.last_change or timezone.now()),
        "publisher": {"name": publisher_name(setting, office)},
        **({"license": setting.license_url} if setting.license_url else {}),
        **({"publicationPolicy": setting.policy_url} if setting.policy_url else {}),
        "version": oc4ids.VERSION,
        "projects": items,
    }


def _default_uri(prefix: str) -> str:
    site = getattr(settings, "KP_SITE_URL", "").rstrip("/")
    if site:
        return f"{site}/open-data/oc4ids.json"
    return f"urn:{prefix}:project-package"


# Texts of the package, translated once per package rather than once per observation.
TEXTS = {
    "year_plan": gettext_lazy("%(year)s年度计划投资"),
    "annual_plan": gettext_lazy("年度计划投资"),
    "other": gettext_lazy("其他"),
    "fund_source": gettext_lazy("资金来源"),
    "plan_note": gettext_lazy("计划当月完成投资"),
    "plan_title": gettext_lazy("计划投资"),
    "plan_description": gettext_lazy("年度计划投资的分月计划（元）。"),
    "done_title": gettext_lazy("完成投资"),
    "done_description": gettext_lazy("项目业主月度报送的当月完成投资（元），已报送和已审核的月份。"),
    "progress_title": gettext_lazy("形象进度"),
    "progress_description": gettext_lazy("项目业主月度报送的形象进度。"),
    "start": gettext_lazy("开工"),
    "completion": gettext_lazy("竣工"),
    "land_need": gettext_lazy(
        "需征收土地 %(land)s 亩，需搬迁 %(households)s 户，需拆除房屋 %(area)s 平方米。"
    ),
    "land": gettext_lazy("征地拆迁"),
    "land_progress": gettext_lazy(
        "截至%(year)s年%(month)s月，累计已征收 %(land)s 亩，已签约 %(households)s 户，"
        "已拆除 %(area)s 平方米。"
    ),
}


class _PackageBuilder:
    def __init__(self, setting: PublicDataSetting, prefix: str, public: QuerySet[Project], today: dt.date):
        self.t = {key: str(text) for key, text in TEXTS.items()}
        self.prelim_order = {kind: i for i, kind in enumerate(PrelimItem.Kind.values)}
        self.prelim_labels = {kind: str(label) for kind, label in PrelimItem.Kind.choices}
        self.fund_labels = {source: str(label) for source, label in FactorNeed.FundSource.choices}
        self.s = setting
        self.prefix = prefix
        self.public = public
        self.ids = public.values("pk")
        self.today = today
        self.last_change = setting.updated_at

    def _seen(self, moment):
        if moment and (self.last_change is None or moment > self.last_change):
            self.last_change = moment

    # One query per kind of row ----------------------------------------------------------------

    def _rows_by_project(self, queryset, key="project_id"):
        grouped = defaultdict(list)
        for row in queryset:
            grouped[row[key]].append(row)
        return grouped

    def load(self):
        s = self.s
        self.rows = list(
            self.public.select_related("owner", "district", "sector", "parent")
            .order_by("id")
            .only(
                *(
                    "id code name content total_investment start_year end_year stage start_date "
                    "completion_date location latitude longitude contact phone updated_at parent_id"
                ).split(),
                *"owner__id owner__name owner__code owner__short_name district__id district__name".split(),
                "sector__id",
                "sector__oc4ids_sector",
                "parent__id",
                "parent__name",
            )
        )
        self.public_ids = {p.id for p in self.rows}
        # Always loaded: the status of a suspended project comes from its history.
        self.changes = self._rows_by_project(
            StageChange.objects.filter(project_id__in=self.ids)
            .order_by("project_id", "date", "id")
            .values("project_id", "from_stage", "to_stage", "date")
        )
        self.prelims = (
            self._rows_by_project(
                PrelimItem.objects.filter(project_id__in=self.ids).values(
                    "project_id", "kind", "planned_date", "actual_date"
                )
            )
            if s.publish_milestones
            else {}
        )
        published = AnnualEntry.objects.filter(project_id__in=self.ids, batch__status=Batch.Status.PUBLISHED)
        self.entries = (
            self._rows_by_project(
                published.order_by("project_id", "annual_list__year").values(
                    "id", "project_id", "annual_list__year", "planned_investment", "monthly_plan", "goal"
                )
            )
            if s.publish_plan
            else {}
        )
        if s.publish_completion or s.publish_progress:
            reports = (
                MonthlyReport.objects.filter(entry__in=published, status__in=MonthlyReport.COUNTED)
                .order_by("entry__project_id", "entry__annual_list__year", "month")
                .values(
                    "entry__project_id",
                    "entry__annual_list__year",
                    "month",
                    "amount",
                    "progress",
                    "updated_at",
                )
            )
            self.reports = self._rows_by_project(reports, key="entry__project_id")
        else:
            self.reports = {}
        self.funds = (
            self._rows_by_project(
                FactorNeed.objects.filter(project_id__in=self.ids, kind=FactorNeed.Kind.FUNDS)
                .order_by("project_id", "fund_source", "id")
                .values("project_id", "fund_source", "need_yuan", "note")
            )
            if s.publish_funding
            else {}
        )
        self.land = self._load_land() if s.publish_land else {}

    def _load_land(self):
        tasks = {
            t["project_id"]: t
            for t in LandTask.objects.filter(project_id__in=self.ids).values(
                "id",
                "project_id",
                "land_to_acquire",
                "households_to_relocate",
                "area_to_demolish",
                "land_to_hand_over",
                "target_date",
                "updated_at",
            )
        }
        latest = {}
        for row in (
            LandProgress.objects.filter(land_task__project_id__in=self.ids)
            .order_by("land_task_id", "year", "month")
            .values("land_task_id", "year", "month", "land_acquired", "households_signed", "area_demolished")
        ):
            latest[row["land_task_id"]] = row
        for task in tasks.values():
            task["latest"] = latest.get(task["id"])
        return tasks

    # Projects -------------------------------------------------------------------------------------

    def projects(self) -> list[dict]:
        self.load()
        return [self.project(p) for p in self.rows]

    def project(self, p: Project) -> dict:
        s = self.s
        self._seen(p.updated_at)
        out = {
            "id": ocid(self.prefix, p.id),
            "updated": _moment(p.updated_at),
            "language": oc4ids.LANGUAGE,
            "title": p.name,
        }
        if s.publish_identifiers:
            out["identifiers"] = [{"id": str(p.id), "scheme": "keyprojects"}]
            if p.code:
                # The national investment project code (全国投资项目代码).
                out["identifiers"].append({"id": p.code, "scheme": "GB/T 40058-2021"})
        if s.publish_description and p.content.strip():
            out["description"] = p.content.strip()
        changes = self.changes.get(p.id, [])
        out["status"] = self.status(p, changes)
        out["type"] = oc4ids.project_type(p.name)
        sector = oc4ids.sector_codes(p.sector.oc4ids_sector)
        if sector:
            out["sector"] = sector
        budget = self.budget(p)
        if budget:
            out["budget"] = budget
        out["period"] = {
            "startDate": _day(dt.date(p.start_year, 1, 1)),
            "endDate": _day_end(dt.date(p.end_year, 12, 31)),
        }
        if s.publish_lifecycle:
            out.update(self.stage_periods(p, changes))
            if p.completion_date and p.stage in (Stage.COMPLETED, Stage.OPERATING):
                out["completion"] = {"endDate": _day(p.completion_date)}
        if s.publish_locations:
            location = self.location(p)
            if location:
                out["locations"] = [location]
        if s.publish_parties:
            party = self.owner_party(p)
            out["parties"] = [party]
            out["publicAuthority"] = {"id": party["id"], "name": party["name"]}
        forecasts = self.forecasts(p)
        if forecasts:
            out["forecasts"] = forecasts
        metrics = self.metrics(p)
        if metrics:
            out["metrics"] = metrics
        milestones = self.milestones(p) if s.publish_milestones else []
        if milestones:
            out["milestones"] = milestones
        if s.publish_land and p.id in self.land:
            out["documents"] = [self.land_document(self.land[p.id])]
        if s.publish_related and p.parent_id and p.parent_id in self.public_ids:
            out["relatedProjects"] = [
                {
                    "id": "1",
                    "scheme": "oc4ids",
                    "identifier": ocid(self.prefix, p.parent_id),
                    "title": p.parent.name,
                }
            ]
        return out

    def status(self, p: Project, changes) -> str:
        if p.stage != Stage.SUSPENDED:
            return oc4ids.STAGE_STATUS[p.stage]
        # Suspended: the stage it was suspended in, from the last move into 暂停.
        before = next((c["from_stage"] for c in reversed(changes) if c["to_stage"] == Stage.SUSPENDED), "")
        if before in oc4ids.STAGE_STATUS:
            return oc4ids.STAGE_STATUS[before]
        return "implementation" if p.start_date else "preparation"

    def stage_periods(self, p: Project, changes) -> dict:
        """Each stage's period from the recorded moves: it starts on the first move into the stage and
        ends on the move into the next (a suspension pauses a stage, it does not end it)."""
        periods: dict[str, dict] = {}
        # The stage before the first recorded move (its start is unknown, its end is that move).
        active = changes[0]["from_stage"] if changes else None
        for change in changes:
            stage, day = change["to_stage"], change["date"]
            if stage == Stage.SUSPENDED or stage == active:
                continue
            if active in oc4ids.STAGE_PERIOD:
                periods.setdefault(oc4ids.STAGE_PERIOD[active], {})["endDate"] = _day(day)
            if stage in oc4ids.STAGE_PERIOD:
                period = periods.setdefault(oc4ids.STAGE_PERIOD[stage], {})
                period.setdefault("startDate", _day(day))
                period.pop("endDate", None)  # back in an earlier stage: it runs again
            active = stage if stage != Stage.CANCELLED else None
        # The recorded start date is the authority on when construction began.
        if p.start_date:
            periods.setdefault("implementationPeriod", {})["startDate"] = _day(p.start_date)
        if p.completion_date and p.stage in (Stage.COMPLETED, Stage.OPERATING):
            periods.setdefault("implementationPeriod", {})["endDate"] = _day(p.completion_date)
            periods.setdefault("completionPeriod", {}).setdefault("startDate", _day(p.completion_date))
        for period in periods.values():
            if period.get("endDate") and period.get("startDate") and period["endDate"] < period["startDate"]:
                period.pop("endDate")
        return {name: period for name, period in periods.items() if period}

    def budget(self, p: Project) -> dict:
        s = self.s
        budget = {}
        if s.publish_budget:
            budget["amount"] = _value(p.total_investment)
        breakdowns = []
        if s.publish_plan:
            years = [
                {
                    "id": str(e["annual_list__year"]),
                    "description": self.t["year_plan"] % {"year": e["annual_list__year"]},
                    "amount": _value(e["planned_investment"]),
                    "period": _year_period(e["annual_list__year"]),
                }
                for e in self.entries.get(p.id, [])
                if e["planned_investment"] is not None
            ]
            if years:
                breakdowns.append(
                    {"id": "annualPlan", "description": self.t["annual_plan"], "budgetBreakdown": years}
                )
        if s.publish_funding:
            sources = [
                {
                    "id": f"{f['fund_source'] or 'other'}-{i}",
                    "description": self.fund_labels[f["fund_source"]]
                    if f["fund_source"]
                    else self.t["other"],
                    "amount": _value(f["need_yuan"]),
                }
                for i, f in enumerate(self.funds.get(p.id, []), start=1)
                if f["need_yuan"] is not None
            ]
            if sources:
                breakdowns.append(
                    {"id": "fundSource", "description": self.t["fund_source"], "budgetBreakdown": sources}
                )
        if breakdowns:
            budget["budgetBreakdowns"] = breakdowns
        return budget

    def forecasts(self, p: Project) -> list[dict]:
        """The annual plan, month by month (the entry's monthly curve, else an even split)."""
        if not self.s.publish_plan:
            return []
        observations = []
        for e in self.entries.get(p.id, []):
            total, year = e["planned_investment"], e["annual_list__year"]
            if not total:
                continue
            plan = e["monthly_plan"]
            before = 0
            for month in range(1, 13):
                through = sum(int(v) for v in plan[:month]) if plan else total * month // 12
                observations.append(
                    {
                        "id": f"{year}-{month:02d}",
                        "period": _month_period(year, month),
                        "value": _value(through - before),
                        "notes": self.t["plan_note"],
                    }
                )
                before = through
        if not observations:
            return []
        return [
            {
                "id": "financialProgress",
                "title": self.t["plan_title"],
                "description": self.t["plan_description"],
                "observations": observations,
            }
        ]

    def metrics(self, p: Project) -> list[dict]:
        """Monthly completed investment (reports submitted or approved) and the physical progress text."""
        reports = self.reports.get(p.id, [])
        metrics = []
        for r in reports:
            self._seen(r["updated_at"])
        if self.s.publish_completion and reports:
            metrics.append(
                {
                    "id": "financialProgress",
                    "title": self.t["done_title"],
                    "description": self.t["done_description"],
                    "observations": [
                        {
                            "id": f"{r['entry__annual_list__year']}-{r['month']:02d}",
                            "period": _month_period(r["entry__annual_list__year"], r["month"]),
                            "value": _value(r["amount"]),
                        }
                        for r in reports
                    ],
                }
            )
        if self.s.publish_progress:
            observations = [
                {
                    "id": f"{r['entry__annual_list__year']}-{r['month']:02d}",
                    "period": _month_period(r["entry__annual_list__year"], r["month"]),
                    "measure": r["progress"].strip(),
                }
                for r in reports
                if r["progress"].strip()
            ]
            if observations:
                metrics.append(
                    {
                        "id": "physicalProgress",
                        "title": self.t["progress_title"],
                        "description": self.t["progress_description"],
                        "observations": observations,
                    }
                )
        return metrics

    def milestones(self, p: Project) -> list[dict]:
        out = []
        for item in sorted(self.prelims.get(p.id, []), key=lambda i: self.prelim_order[i["kind"]]):
            kind = item["kind"]
            milestone = {
                "id": f"prelim-{kind}",
                "title": self.prelim_labels[kind],
                "type": oc4ids.PRELIM_MILESTONE_TYPE.get(kind, "approval"),
            }
            code = oc4ids.PRELIM_MILESTONE_CODE.get(kind, "projectApproval")
            if code:
                milestone["code"] = code
            if item["planned_date"]:
                milestone["dueDate"] = _day(item["planned_date"])
            if item["actual_date"]:
                milestone["dateMet"] = _day(item["actual_date"])
                milestone["status"] = "met"
            elif item["planned_date"] and item["planned_date"] < self.today:
                milestone["status"] = "notMet"
            else:
                milestone["status"] = "scheduled"
            out.append(milestone)
        if p.start_date:
            out.append(
                {
                    "id": "commencement",
                    "title": self.t["start"],
                    "type": "delivery",
                    "code": "commencement",
                    "dateMet": _day(p.start_date),
                    "status": "met",
                }
            )
        if p.completion_date:
            out.append(
                {
                    "id": "completion",
                    "title": self.t["completion"],
                    "type": "delivery",
                    "code": "completion",
                    "dateMet": _day(p.completion_date),
                    "status": "met",
                }
            )
        return out

    def location(self, p: Project) -> dict | None:
        location = {"id": "1"}
        if p.location.strip():
            location["description"] = p.location.strip()
        location["address"] = {"locality": p.district.name, "countryName": "中国"}
        if self.s.publish_coordinates and p.latitude is not None and p.longitude is not None:
            # GeoJSON: longitude first. Degrees are not money: a float is what GeoJSON carries.
            location["geometry"] = {"type": "Point", "coordinates": [float(p.longitude), float(p.latitude)]}
        return location

    def owner_party(self, p: Project) -> dict:
        owner = p.owner
        party = {"id": f"kp-org-{owner.id}", "name": owner.name, "roles": ["publicAuthority"]}
        if owner.code:
            party["identifier"] = {"id": owner.code, "legalName": owner.name}
        if self.s.publish_contact and (p.contact or p.phone):
            contact = {}
            if p.contact:
                contact["name"] = p.contact
            if p.phone:
                contact["telephone"] = p.phone
            party["contactPoint"] = contact
        return party

    def land_document(self, task: dict) -> dict:
        """征地拆迁 as a resettlement-plan document: the need and the latest cumulative progress."""
        self._seen(task["updated_at"])
        parts = [
            self.t["land_need"]
            % {
                "land": _quantity(task["land_to_acquire"]),
                "households": task["households_to_relocate"],
                "area": _quantity(task["area_to_demolish"]),
            }
        ]
        latest = task["latest"]
        if latest:
            parts.append(
                self.t["land_progress"]
                % {
                    "year": latest["year"],
                    "month": latest["month"],
                    "land": _quantity(latest["land_acquired"]),
                    "households": latest["households_signed"],
                    "area": _quantity(latest["area_demolished"]),
                }
            )
        document = {
            "id": "land",
            "documentType": "resettlementPlan",
            "title": self.t["land"],
            "description": "".join(parts),
        }
        return document

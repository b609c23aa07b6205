"""OC4IDS 0.9.5 as data: the schema and codelists kept in reports/oc4ids/, our mappings onto them, and a
validator that resolves the package schema's $ref to the local project schema (no network)."""

import csv
import json
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from keyprojects.projects.models import Stage

SCHEMA_DIR = Path(__file__).resolve().parent / "oc4ids"
VERSION = "0.9"  # the package's `version` field is major.minor
PROJECT_SCHEMA_URI = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json"
CURRENCY = "CNY"
LANGUAGE = "zh"

# Our lifecycle onto the closed projectStatus codelist. 暂停 has no code of its own: a suspended project
# keeps the status of the stage it was suspended in (it is neither cancelled nor decommissioned).
STAGE_STATUS = {
    Stage.RESERVE: "identification",
    Stage.PRELIMINARY: "preparation",
    Stage.CONSTRUCTION: "implementation",
    Stage.COMPLETED: "completion",
    Stage.OPERATING: "maintenance",
    Stage.CANCELLED: "cancelled",
}
# The stage periods of the project schema that our stages fill.
STAGE_PERIOD = {
    Stage.RESERVE: "identificationPeriod",
    Stage.PRELIMINARY: "preparationPeriod",
    Stage.CONSTRUCTION: "implementationPeriod",
    Stage.COMPLETED: "completionPeriod",
    Stage.OPERATING: "maintenancePeriod",
}

# What each field group of PublicDataSetting puts into the package, for the settings page.
FIELD_GROUPS = (
    ("identifiers", "identifiers"),
    ("description", "description"),
    ("budget", "budget.amount"),
    ("funding", _("budget.budgetBreakdowns（资金来源）")),
    ("plan", _("forecasts（financialProgress）、budget.budgetBreakdowns（年度计划）")),
    ("completion", _("metrics（financialProgress）")),
    ("progress", _("metrics（physicalProgress）")),
    ("lifecycle", _("identificationPeriod … maintenancePeriod、completion")),
    ("milestones", "milestones"),
    ("locations", _("locations（description、address）")),
    ("coordinates", _("locations.geometry（GeoJSON Point）")),
    ("parties", _("parties、publicAuthority")),
    ("contact", "parties.contactPoint"),
    ("land", _("documents（resettlementPlan）")),
    ("related", "relatedProjects"),
)

# 前期工作事项 onto milestones: approvals from the authorities are `approval` / projectApproval;
# tendering is a procurement event.
PRELIM_MILESTONE_TYPE = {"tender": "procurement"}
PRELIM_MILESTONE_CODE = {"tender": None}

TYPE_BY_WORD = (
    ("改扩建", "expansion"),
    ("扩建", "expansion"),
    ("改造", "rehabilitation"),
    ("修缮", "rehabilitation"),
)

STATUS_LABELS = {
    "identification": _("识别"),
    "preparation": _("准备"),
    "implementation": _("实施"),
    "completion": _("竣工"),
    "maintenance": _("运营维护"),
    "cancelled": _("取消"),
}


def project_type(name: str) -> str:
    """projectType from the project's name: 改造 and 扩建 projects work on an existing asset, the rest
    build a new one (the registry has no field for it; the name is how offices say it)."""
    for word, code in TYPE_BY_WORD:
        if word in name:
            return code
    return "construction"


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of codelist NAME ("projectSector") as kept in reports/oc4ids/codelists/."""
    with open(SCHEMA_DIR / "codelists" / f"{name}.csv", encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


def sector_codes(code: str) -> list[str]:
    """projectSector codes for a sector's configured code: the code with its parent ("transport.rail"
    comes with "transport", as the schema asks), or nothing when the code is not on the codelist."""
    code = (code or "").strip()
    if code not in codelist("projectSector"):
        return []
    if "." in code:
        return [code.split(".")[0], code]
    return [code]


@cache
def schemas() -> tuple[dict, dict]:
    with open(SCHEMA_DIR / "project-package-schema.json", encoding="utf-8") as f:
        package = json.load(f)
    with open(SCHEMA_DIR / "project-schema.json", encoding="utf-8") as f:
        project = json.load(f)
    return package, project


def validator():
    """A jsonschema validator of project packages; the project schema comes from the local copy."""
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package, project = schemas()
    registry = Registry().with_resource(
        PROJECT_SCHEMA_URI, Resource.from_contents(project, default_specification=DRAFT4)
    )
    cls = validator_for(package)
    return cls(package, registry=registry, format_checker=_format_checker(FormatChecker))


def _format_checker(FormatChecker):
    """date-time and uri checked here: jsonschema leaves them unchecked without optional packages."""
    import datetime as dt
    from urllib.parse import urlsplit

    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value):
        if not isinstance(value, str):
            return True
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return "T" in value and parsed.tzinfo is not None

    @checker.checks("uri", raises=ValueError)
    def is_uri(value):
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path))

    return checker


def codelist_errors(package: dict) -> list[str]:
    """Codes in PACKAGE that are not on our local codelists (the open codelists included: we use only
    codes from them)."""
    errors = []
    checks = (
        ("status", "projectStatus"),
        ("type", "projectType"),
    )
    for i, project in enumerate(package.get("projects", [])):
        for field, name in checks:
            if field in project and project[field] not in codelist(name):
                errors.append(f"projects[{i}].{field}: {project[field]}")
        for code in project.get("sector", []):
            if code not in codelist("projectSector"):
                errors.append(f"projects[{i}].sector: {code}")
        for party in project.get("parties", []):
            for role in party.get("roles", []):
                if role not in codelist("partyRole"):
                    errors.append(f"projects[{i}].parties.roles: {role}")
        for key in ("metrics", "forecasts"):
            for metric in project.get(key, []):
                if metric["id"] not in codelist("metricID"):
                    errors.append(f"projects[{i}].{key}.id: {metric['id']}")
                for obs in metric.get("observations", []):
                    currency = obs.get("value", {}).get("currency")
                    if currency and currency not in codelist("currency"):
                        errors.append(f"projects[{i}].{key}.observations.value.currency: {currency}")
        for milestone in project.get("milestones", []):
            for field, name in (
                ("type", "milestoneType"),
                ("code", "milestoneCode"),
                ("status", "milestoneStatus"),
            ):
                if field in milestone and milestone[field] not in codelist(name):
                    errors.append(f"projects[{i}].milestones.{field}: {milestone[field]}")
        for document in project.get("documents", []):
            if "documentType" in document and document["documentType"] not in codelist("documentType"):
                errors.append(f"projects[{i}].documents.documentType: {document['documentType']}")
        amount = project.get("budget", {}).get("amount", {})
        if amount and amount.get("currency") not in codelist("currency"):
            errors.append(f"projects[{i}].budget.amount.currency: {amount.get('currency')}")
    return errors


def package_errors(package: dict) -> list[str]:
    """Schema and codelist errors of PACKAGE, as readable lines (empty when it conforms)."""
    errors = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(package)'}: {error.message}"
        for error in validator().iter_errors(package)
    ]
    return errors + codelist_errors(package)

"""Typed parameters from the YAML files in ``params/``.

Every number a user may change lives there. Each file family has its own module of pydantic
models (unknown keys forbidden, sizes bounded) that build the plain, frozen objects the stages
use: ``quotas`` (:class:`QuotaRules`), ``retirement`` (:class:`RetirementSchedule`),
``scenarios`` (:class:`Scenario`, :class:`Course`), ``staffing`` (who fills a post: hire
profiles per staff group, leadership-post standards), ``report`` (report settings). ``yaml_io``
reads a file safely and turns any problem into a one-line bilingual :class:`ParamsError` naming
the file and the key path, so a Board member who edits a target sees exactly what to fix.
"""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

from cadre_analytics.params.paths import (
    DEFAULT_CONTRACTS_DIR,
    DEFAULT_PARAMS_DIR,
    PROJECT_ROOT,
    SAMPLE_DATA_DIR,
)

# Where each public name lives. Loaded on first use, so that a module of this package (or
# vocab, which reads its file through yaml_io) can be imported without pulling in the others.
_HOMES = {
    "QUOTA_ANNUAL_UPDATE_RULES": "quotas",
    "QUOTA_COMPARATORS": "quotas",
    "QUOTA_DERIVED_FIELDS": "conditions",
    "QUOTA_KINDS": "quotas",
    "QUOTA_NO_TARGET": "quotas",
    "QuotaCondition": "conditions",
    "QuotaIndicator": "quotas",
    "QuotaPopulation": "quotas",
    "QuotaRules": "quotas",
    "QuotaScale": "quotas",
    "QuotaTarget": "quotas",
    "load_quota_rules": "quotas",
    "Readings": "readings",
    "load_readings": "readings",
    "ReportSettings": "report",
    "Scope": "report",
    "load_report_settings": "report",
    "RetirementSchedule": "retirement",
    "load_retirement_schedule": "retirement",
    "Course": "scenarios",
    "EarlyExits": "scenarios",
    "POSTS": "staffing",
    "STAFF_GROUPS": "staffing",
    "Staffing": "staffing",
    "load_staffing": "staffing",
    "staff_group": "staffing",
    "MAX_MONTE_CARLO_DRAWS": "scenarios",
    "MIN_MONTE_CARLO_DRAWS": "scenarios",
    "PlannedCourse": "scenarios",
    "SCENARIO_BOOLEAN_ATTRIBUTES": "scenarios",
    "SCENARIO_EXIT_SOURCES": "scenarios",
    "SCENARIO_ORDINAL_ATTRIBUTES": "scenarios",
    "SCENARIO_RECRUITMENT_MODES": "scenarios",
    "Scenario": "scenarios",
    "load_course_catalogue": "scenarios",
    "load_scenarios": "scenarios",
    "headline_scenario": "scenarios",
    "check_keys": "yaml_io",
    "expect_type": "yaml_io",
    "load_yaml": "yaml_io",
}

__all__ = [
    "Readings",
    "load_readings",
    "DEFAULT_CONTRACTS_DIR",
    "DEFAULT_PARAMS_DIR",
    "MAX_MONTE_CARLO_DRAWS",
    "MIN_MONTE_CARLO_DRAWS",
    "PROJECT_ROOT",
    "SAMPLE_DATA_DIR",
    "QUOTA_ANNUAL_UPDATE_RULES",
    "QUOTA_COMPARATORS",
    "QUOTA_DERIVED_FIELDS",
    "QUOTA_KINDS",
    "QUOTA_NO_TARGET",
    "SCENARIO_BOOLEAN_ATTRIBUTES",
    "SCENARIO_EXIT_SOURCES",
    "SCENARIO_ORDINAL_ATTRIBUTES",
    "SCENARIO_RECRUITMENT_MODES",
    "Course",
    "EarlyExits",
    "POSTS",
    "STAFF_GROUPS",
    "Staffing",
    "load_staffing",
    "staff_group",
    "PlannedCourse",
    "QuotaCondition",
    "QuotaIndicator",
    "QuotaPopulation",
    "QuotaRules",
    "QuotaScale",
    "QuotaTarget",
    "ReportSettings",
    "RetirementSchedule",
    "Scenario",
    "Scope",
    "check_keys",
    "expect_type",
    "load_course_catalogue",
    "load_quota_rules",
    "load_report_settings",
    "load_retirement_schedule",
    "load_scenarios",
    "headline_scenario",
    "load_yaml",
    "params_hash",
]


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def params_hash(params_dir: Path = DEFAULT_PARAMS_DIR) -> str:
    """SHA-256 over every YAML file under params/ (names and bytes), for provenance."""
    digest = hashlib.sha256()
    for path in sorted(Path(params_dir).rglob("*.yaml")):
        digest.update(str(path.relative_to(params_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()

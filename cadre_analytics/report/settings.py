"""The report's settings (``params/report.yaml``); the model and its checks live in
:mod:`cadre_analytics.params.report`."""

from __future__ import annotations

from functools import cache

from cadre_analytics.params.report import REPORT_PARAMS, ReportSettings, load_report_settings

__all__ = ["REPORT_PARAMS", "ReportSettings", "load_report_settings", "settings"]


@cache
def settings() -> ReportSettings:
    """The default settings, read once per process."""
    return load_report_settings()

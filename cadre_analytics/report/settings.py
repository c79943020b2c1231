"""The report's settings (``params/report.yaml``); the model and its checks live in
:mod:`cadre_analytics.params.report`."""

from __future__ import annotations

from functools import cache

from cadre_analytics.params.report import REPORT_PARAMS, ReportSettings, load_report_settings
from cadre_analytics.report.strings import t

__all__ = ["REPORT_PARAMS", "ReportSettings", "load_report_settings", "scope_words", "settings"]


@cache
def settings() -> ReportSettings:
    """The default settings, read once per process."""
    return load_report_settings()


def scope_words(lang: str) -> dict[str, str]:
    """The report's scope for the catalogue: ``scope`` as it reads in a sentence ("khu vực huyện
    Di Linh cũ", by default «toàn huyện»), ``scope_title`` with a capital, for a title or a cell."""
    scope = settings().scope
    label = scope.label_vi if lang == "vi" else scope.label_en
    words = label or t("scope.default", lang)
    return {"scope": words, "scope_title": words[:1].upper() + words[1:]}

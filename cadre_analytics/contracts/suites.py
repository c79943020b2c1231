"""The Great Expectations suites of ``data_contracts/<table>.json``, and GX itself.

Each expectation names its rule in ``meta.rule`` (graded in ``rules.yaml``); a suite whose
expectation has no graded rule, or that GX would silently shorten, is refused before any data
is judged.  GX is imported, and its ephemeral context built, once per process (both take
seconds); nothing is written to disk.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path

from cadre_analytics.errors import ParamsError
from cadre_analytics.ingest.spec import Rule


def import_gx():
    """Import GX with its usage analytics off (it would otherwise phone home) and quiet logs."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.CRITICAL)
    return gx


@functools.cache
def gx_context():
    """One ephemeral context per process (nothing on disk; creating one takes seconds)."""
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def read_suite(path: Path, rules: dict[str, Rule]) -> tuple[str, list[dict]]:
    """The suite file's text and its expectations (each tagged with ``meta.index``); checks
    that every expectation names a graded rule (no GX needed for that)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        doc = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ParamsError(
            f"Không đọc được bộ quy tắc dữ liệu ({exc}).",
            f"Cannot read the expectation suite ({exc}).",
            where=str(path),
        ) from None
    expectations = doc.get("expectations", [])
    for index, exp in enumerate(expectations):
        meta = exp.setdefault("meta", {})
        rule = meta.get("rule")
        if rule not in rules:
            raise ParamsError(
                f"Quy tắc thứ {index + 1} có meta.rule = {rule!r} không có trong rules.yaml.",
                f"Expectation {index + 1} has meta.rule = {rule!r}, which rules.yaml lacks.",
                where=str(path),
            )
        meta["index"] = index
    return text, expectations


@functools.lru_cache(maxsize=16)
def _gx_suite(text: str, where: str):
    """The GX suite built from a suite file's text.  Built once per text and process: the
    object only describes the expectations, a validation never changes it.
    ``ExpectationSuite(**json)`` silently drops an expectation it cannot build (a typo in its
    type, a bad kwarg), which would quietly switch a rule off: hence the count check."""
    gx = import_gx()
    doc = json.loads(text)
    for index, exp in enumerate(doc.get("expectations", [])):
        exp.setdefault("meta", {})["index"] = index
    try:
        suite = gx.ExpectationSuite(**doc)
    except Exception as exc:  # GX raises pydantic and its own errors for a malformed suite
        raise ParamsError(
            f"Bộ quy tắc dữ liệu không hợp lệ ({str(exc).splitlines()[0]}).",
            f"Invalid expectation suite ({str(exc).splitlines()[0]}).",
            where=where,
        ) from None
    wanted = len(doc.get("expectations", []))
    if len(suite.expectations) != wanted:
        kept = {e.meta.get("index") for e in suite.expectations}
        lost = [i + 1 for i in range(wanted) if i not in kept]
        raise ParamsError(
            f"Great Expectations bỏ qua quy tắc số {lost} (sai tên hoặc tham số).",
            f"Great Expectations dropped expectation(s) {lost} (bad type or arguments).",
            where=where,
        )
    return suite


def load_suite(path: Path, rules: dict[str, Rule]):
    """One suite from JSON: (GX suite, expectations as dicts), every expectation kept by GX
    and graded in rules.yaml."""
    text, expectations = read_suite(path, rules)
    return _gx_suite(text, str(path)), expectations

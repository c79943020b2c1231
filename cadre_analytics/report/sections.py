"""The nine sections of the leadership report, each as an HTML fragment.

The notebook ``04_report`` calls one function per section and displays the result; the
nbconvert template keeps only these outputs. Each function tolerates a missing frame (a stage
not run yet) by showing the section heading with a clear "not available" note. Charts are
altair charts (``charts``) drawn to inline SVG where the section is built.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import polars as pl

from cadre_analytics.params import DEFAULT_PARAMS_DIR, params_hash
from cadre_analytics.provenance import git_commit
from cadre_analytics.report import charts, fmt, narrative, tables
from cadre_analytics.report.actions import action_items
from cadre_analytics.report.closures import closure_html
from cadre_analytics.report.equity import equity_body
from cadre_analytics.report.inputs import ReportInputs
from cadre_analytics.report.plan_section import method_paragraphs as plan_method
from cadre_analytics.report.plan_section import section_plan
from cadre_analytics.report.readings import section_readings as readings_section
from cadre_analytics.report.scenario_text import scenarios_block
from cadre_analytics.report.settings import scope_words, settings
from cadre_analytics.report.strings import t, t_or
from cadre_analytics.report.tables import ALL, Cell, html_table, note, quota_label
from cadre_analytics.report.units_section import section_units
from cadre_analytics.report.verdicts import headline_name
from cadre_analytics.report.what_it_takes import what_it_takes_body

SECTION_IDS = (
    "summary",
    "district",
    "communes",
    "what_it_takes",
    "plan",
    "equity",
    "change",
    "data_quality",
    "readings",
    "method",
    "provenance",
)


def _section(key: str, lang: str, body: str) -> str:
    return (
        f'<section id="{key}" class="report-section">'
        f"<h2>{escape(t(f'section.{key}', lang, **scope_words(lang)))}</h2>{body}</section>"
    )


def _missing(key: str, what: str, lang: str) -> str:
    return _section(key, lang, note(t("report.not_available", lang, what=what)))


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


# --- derived frames (formatting only; every number comes from the stage outputs) ---------


def previous_year(indicators: pl.DataFrame, year: int) -> int | None:
    earlier = indicators.filter(pl.col("year") < year)["year"].unique().to_list()
    return max(earlier) if earlier else None


def change_frame(indicators: pl.DataFrame, year: int) -> tuple[pl.DataFrame, int | None]:
    """Whole-district share and count now vs the previous snapshot, one row per quota."""
    prev = previous_year(indicators, year)
    if prev is None:
        return pl.DataFrame(), None

    def at(y: int, suffix: str) -> pl.DataFrame:
        return (
            indicators.filter((pl.col("unit") == ALL) & (pl.col("year") == y))
            .unique("indicator", keep="first", maintain_order=True)
            .select(
                "indicator",
                pl.col("share").alias(f"share_{suffix}"),
                pl.col("numerator").alias(f"numerator_{suffix}"),
            )
        )

    now = at(year, "now")
    if "carried_from" in indicators.columns:
        # A level that ended carries its last value into the report year: no change to show.
        carried = indicators.filter((pl.col("year") == year) & pl.col("carried_from").is_not_null())
        now = now.filter(~pl.col("indicator").is_in(carried["indicator"].unique().implode()))
    joined = now.join(at(prev, "prev"), on="indicator", how="left")
    return (
        joined.with_columns(
            (pl.col("share_now") - pl.col("share_prev")).alias("delta"),
            (pl.col("numerator_now") - pl.col("numerator_prev")).alias("people_delta"),
        ).sort("indicator"),
        prev,
    )


def projection_available(inputs: ReportInputs) -> bool:
    return inputs.projection is not None and inputs.projection.height > 0


# --- 0. Title ------------------------------------------------------------------------------


def title_block(inputs: ReportInputs, lang: str) -> str:
    # A report made from the bundled synthetic district must never pass for a real one.
    banner = ""
    scope = scope_words(lang)
    if inputs.manifest.get("sample_data"):
        banner = f'<p class="sample-banner">{escape(t("report.sample_banner", lang))}</p>'
    return (
        f'<header class="report-title">{banner}'
        f"<h1>{escape(t('report.title', lang, year=inputs.year, **scope))}"
        f'</h1><p class="subtitle">{escape(t("report.subtitle", lang, **scope))}</p></header>'
    )


# --- 1. Summary ----------------------------------------------------------------------------


def section_summary(inputs: ReportInputs, lang: str) -> str:
    if inputs.indicators is None or inputs.indicators.is_empty():
        return _missing("summary", "indicators.csv", lang)
    summary = tables.summary_frame(inputs.indicators, inputs.projection, inputs.year)
    matrix = tables.commune_matrix(inputs.indicators, inputs.year)
    change, prev = change_frame(inputs.indicators, inputs.year)
    sentences = narrative.summary_sentences(
        summary,
        inputs.year,
        lang,
        has_projection=projection_available(inputs),
        matrix=matrix,
        change=change,
        previous_year=prev,
        requirements=inputs.requirements,
        headline=_headline_label(inputs, lang),
    )
    actions = action_items(inputs.requirements, _unit_names(inputs), lang)
    body = (
        f'<h3>{escape(t("summary.heading_sentences", lang))}</h3><ul class="findings">'
        + "".join(f"<li>{escape(s)}</li>" for s in sentences)
        + "</ul>"
        + f"<h3>{escape(t('actions.heading', lang))}</h3>"
        + (
            '<ol class="actions">' + "".join(f"<li>{escape(a)}</li>" for a in actions) + "</ol>"
            if actions
            else note(t("actions.none", lang))
        )
        + tables.summary_table(summary, inputs.year, lang)
        + note(t("status.legend", lang))
    )
    return _section("summary", lang, body)


# --- 2. District -----------------------------------------------------------------------------


def section_district(inputs: ReportInputs, lang: str) -> str:
    ind = inputs.indicators
    if ind is None or ind.is_empty():
        return _missing("district", "indicators.csv", lang)
    body = _p(t("district.intro", lang))
    body += closure_html(ind, inputs.closures, inputs.year, lang)
    if not projection_available(inputs):
        body += note(t("report.not_available", lang, what="projection.csv"))
    quotas = ind.filter(pl.col("unit") == ALL)["indicator"].unique(maintain_order=True).to_list()
    figures = []
    for quota in quotas:
        chart = charts.district_chart(ind, inputs.projection, quota, lang, inputs.trend)
        alt_text = charts.district_alt_text(ind, inputs.projection, quota, inputs.year, lang)
        figures.append(charts.figure(chart, alt_text, lang))
    return _section("district", lang, body + '<div class="grid">' + "".join(figures) + "</div>")


# --- 3. Communes -----------------------------------------------------------------------------


def section_communes(inputs: ReportInputs, lang: str) -> str:
    ind = inputs.indicators
    if ind is None or ind.is_empty():
        return _missing("communes", "indicators.csv", lang)
    body, _ = section_units(inputs, lang)
    return _section("communes", lang, body)


# --- 4. What it takes ------------------------------------------------------------------------


def section_what_it_takes(inputs: ReportInputs, lang: str) -> str:
    req = inputs.requirements
    if req is None:
        return _missing("what_it_takes", "requirements.csv", lang)
    return _section("what_it_takes", lang, what_it_takes_body(req, _unit_names(inputs), lang))


# --- 5. Equity ---------------------------------------------------------------------------------


def section_equity(inputs: ReportInputs, lang: str) -> str:
    brk = inputs.breakdowns
    if brk is None:
        return _missing("equity", "breakdowns.csv", lang)
    part = brk.filter((pl.col("unit") == ALL) & (pl.col("year") == inputs.year))
    if part.is_empty():
        return _section("equity", lang, note(t("report.no_rows", lang)))
    # suppressed by the indicators stage, before it left the machine
    body = equity_body(part, inputs.year, lang, settings().min_cell)
    return _section("equity", lang, body)


# --- 6. Change since last year ---------------------------------------------------------------


def section_change(inputs: ReportInputs, lang: str) -> str:
    ind = inputs.indicators
    if ind is None or ind.is_empty():
        return _missing("change", "indicators.csv", lang)
    change, prev = change_frame(ind, inputs.year)
    if prev is None or change.is_empty():
        return _section("change", lang, note(t("change.no_previous", lang, year=inputs.year)))
    rows = [
        [
            quota_label(r["indicator"], lang),
            Cell(fmt.percent(r["share_prev"], lang), cls="num"),
            Cell(fmt.percent(r["share_now"], lang), cls="num"),
            Cell(fmt.points(r["delta"], lang), cls="num"),
            Cell(fmt.number(r["people_delta"], lang, sign=True), cls="num"),
        ]
        for r in change.iter_rows(named=True)
    ]
    headers = [
        t("change.col_quota", lang),
        t("change.col_previous", lang, previous=prev),
        t("change.col_current", lang, year=inputs.year),
        t("change.col_change", lang),
        t("change.col_people", lang),
    ]
    drawn = change.filter(pl.col("delta").is_not_null())
    body = _p(t("change.intro", lang, **scope_words(lang)))
    if drawn.height:
        up = drawn.sort("delta", descending=True).row(0, named=True)["indicator"]
        down = drawn.sort("delta").row(0, named=True)["indicator"]
        alt_text = t(
            "change.alt",
            lang,
            previous=prev,
            up=quota_label(up, lang),
            down=quota_label(down, lang),
        )
        body += charts.figure(charts.change_chart(drawn, lang), alt_text, lang)
    body += html_table(headers, rows, t("change.caption", lang, previous=prev))
    return _section("change", lang, body)


# --- 7. Data quality -------------------------------------------------------------------------


def section_data_quality(inputs: ReportInputs, lang: str) -> str:
    rec = inputs.reconciliation
    if rec is None:
        return _missing("data_quality", "reconciliation.csv", lang)
    body = _p(t("data_quality.intro", lang))
    rows = [
        [
            t_or(f"table.{r['table']}", lang, r["table"]),
            Cell(fmt.number(r["rows_read"], lang), cls="num"),
            Cell(fmt.number(r["rows_accepted"], lang), cls="num"),
            Cell(fmt.number(r["rows_quarantined"], lang), cls="num"),
        ]
        for r in rec.iter_rows(named=True)
    ]
    read = int(rec["rows_read"].sum() or 0)
    accepted = int(rec["rows_accepted"].sum() or 0)
    quarantined = int(rec["rows_quarantined"].sum() or 0)
    rows.append(
        [
            t("table.total", lang),
            Cell(fmt.number(read, lang), cls="num total"),
            Cell(fmt.number(accepted, lang), cls="num total"),
            Cell(fmt.number(quarantined, lang), cls="num total"),
        ]
    )
    headers = [
        t(f"data_quality.col_{c}", lang) for c in ("table", "read", "accepted", "quarantined")
    ]
    body += html_table(headers, rows, t("data_quality.caption_reconciliation", lang))
    warnings = int(inputs.warning_counts["rows"].sum()) if inputs.warning_counts is not None else 0
    body += _p(
        t(
            "data_quality.trust",
            lang,
            # two decimals: 31,670 of 31,675 must not read as 100%
            accepted_share=fmt.percent(accepted / read if read else None, lang, decimals=2),
            accepted=fmt.number(accepted, lang),
            read=fmt.number(read, lang),
            quarantined=fmt.number(quarantined, lang),
            warnings=fmt.number(warnings, lang),
        )
    )
    fired = (
        inputs.rule_results.filter(pl.col("rows_failed").fill_null(0) > 0)
        .group_by(["table", "rule", "grade"], maintain_order=True)
        .agg(pl.col("rows_failed").sum(), pl.col(f"title_{lang}").first().alias("title"))
        .sort(["table", "rows_failed"], descending=[False, True], maintain_order=True)
        if inputs.rule_results is not None
        else pl.DataFrame()
    )
    if fired.height:
        rule_rows = [
            [
                t_or(f"table.{r['table']}", lang, r["table"]),
                # the rule's title only: its code means nothing to a reader of the report
                r["title"] or t("data_quality.rule_untitled", lang),
                t_or(f"data_quality.grade_{r['grade']}", lang, str(r["grade"])),
                Cell(fmt.number(r["rows_failed"], lang), cls="num"),
            ]
            for r in fired.iter_rows(named=True)
        ]
        headers = [
            t(f"data_quality.col_{c}", lang) for c in ("table", "rule", "grade", "rows_failed")
        ]
        body += html_table(headers, rule_rows, t("data_quality.caption_rules", lang))
    else:
        body += note(t("data_quality.no_rules", lang))
    return _section("data_quality", lang, body)


# --- 8. Method -------------------------------------------------------------------------------


def _quota_rules() -> Any | None:
    from cadre_analytics.params import load_quota_rules

    return load_quota_rules()  # a broken file stops the run; it never hides a table


def section_method(inputs: ReportInputs, lang: str) -> str:
    body = _p(t("method.intro", lang))
    status = t("method.status_rule", lang, scenario=_headline_label(inputs, lang))
    body += _p(status + " " + t("method.draws_rule", lang, **scope_words(lang))) + _p(
        t("method.suppression_rule", lang, max_hidden=settings().min_cell - 1)
    )
    rules = _quota_rules()
    if rules is not None:
        years = list(rules.target_years)
        rows = []
        for ind in rules.indicators:
            pop = rules.populations.get(ind.population)
            pop_label = getattr(pop, f"label_{lang}", None) or ind.population
            cells: list[Cell | str] = [quota_label(ind.id, lang), pop_label]
            sources = []
            for y in years:
                tg = ind.targets.get(y)
                cells.append(
                    Cell(
                        fmt.target(tg.share, tg.comparator, lang, tg.share_upper)
                        if tg
                        else t("format.missing", lang),
                        cls="num",
                    )
                )
                if tg and tg.source_vi and tg.source_vi not in sources:
                    sources.append(tg.source_vi)
            cells.append(Cell(" / ".join(f"«{s}»" for s in sources), cls="source"))
            rows.append(cells)
        headers = [t("method.col_quota", lang), t("method.col_population", lang)]
        headers += [t("method.col_target", lang, target_year=y) for y in years]
        headers.append(t("method.col_source", lang))
        body += html_table(headers, rows, t("method.caption_quotas", lang))
        yes, no = t("method.answer_yes", lang), t("method.answer_no", lang)
        params_rows = [
            [
                t("method.rule_medical", lang),
                yes if rules.medical_specialist_counts_as_postgraduate else no,
            ],
            [t("method.rule_cumulative", lang), yes if rules.political_theory_cumulative else no],
            [t("method.rule_language", lang), rules.international_language_level],
            [
                t("method.rule_update", lang),
                t_or(f"plain.update_rule.{rules.annual_update_rule}", lang, "—"),
            ],
            [
                t("method.rule_topics", lang),
                ", ".join(t_or(f"plain.topic.{x}", lang, x) for x in rules.annual_update_topics),
            ],
        ]
        body += f"<h3>{escape(t('method.params_heading', lang))}</h3>"
        body += html_table(
            [t("method.col_key", lang), t("method.col_value", lang)],
            params_rows,
            t("method.caption_params", lang),
        )
    body += f"<h3>{escape(t('method.retirement_heading', lang))}</h3>"
    last = max([inputs.year, *(rules.target_years if rules is not None else ())])
    body += _p(t("method.retirement_note", lang)) + _retirement_table(inputs.year, last, lang)
    body += scenarios_block(lang, _unit_names(inputs))
    body += plan_method(inputs, lang)
    return _section("method", lang, body)


def _headline_label(inputs: ReportInputs, lang: str) -> str:
    """The headline scenario's name for people (a dash without a projection)."""
    name = headline_name(inputs.projection)
    return tables.scenario_label(name, lang) if name else t("format.missing", lang)


def _unit_names(inputs: ReportInputs) -> dict[str, str]:
    ind = inputs.indicators
    if ind is None or "unit_name" not in ind.columns:
        return {}
    pairs = ind.select("unit", "unit_name").drop_nulls().unique("unit")
    return dict(zip(pairs["unit"].to_list(), pairs["unit_name"].to_list(), strict=True))


def _age(months: int, lang: str) -> str:
    return t("method.age", lang, years=months // 12, months=months % 12)


def _retirement_table(first: int, last: int, lang: str) -> str:
    """The statutory ages of the years the report projects (the note gives the whole rule)."""
    from cadre_analytics.params import load_retirement_schedule

    schedule = load_retirement_schedule()
    years = [y for y in sorted(schedule.ages.get("male", {})) if first <= y <= last]
    rows = [
        [
            str(y),
            Cell(_age(schedule.ages["male"][y], lang), cls="num"),
            Cell(_age(schedule.ages["female"][y], lang), cls="num"),
        ]
        for y in years
    ]
    headers = [t(f"method.col_{c}", lang) for c in ("year", "male", "female")]
    caption = t("method.caption_retirement", lang, first=first, last=last)
    return html_table(headers, rows, caption)


# --- 9. Provenance ---------------------------------------------------------------------------


def provenance_facts(inputs: ReportInputs) -> dict[str, Any]:
    """What produced this report: from manifest.json when present, else computed now."""
    m = inputs.manifest or {}
    try:
        pkg = version("cadre_analytics")
    except PackageNotFoundError:
        from cadre_analytics import __version__ as pkg
    commit = m.get("git_commit")
    if commit is None:
        commit = git_commit()
    files = m.get("inputs") or []
    if not files and inputs.input_files is not None:
        files = inputs.input_files.to_dicts()
    return {
        "year": m.get("year", inputs.year),
        "inputs": [
            {"path": str(f.get("path", "")), "sha256": str(f.get("sha256", ""))} for f in files
        ],
        "params_hash": m.get("params_hash") or params_hash(DEFAULT_PARAMS_DIR),
        "version": m.get("package_version") or pkg,
        "git_commit": commit,
        "generated_at": m.get("generated_at") or datetime.now(UTC).isoformat(timespec="seconds"),
    }


def section_provenance(inputs: ReportInputs, lang: str) -> str:
    facts = provenance_facts(inputs)
    unknown = t("provenance.unknown", lang)
    rows: list[list[Cell | str]] = [[t("provenance.year", lang), str(facts["year"])]]
    for f in facts["inputs"]:
        rows.append(
            [
                t("provenance.input_file", lang),
                Cell(f"{f['path']} — {t('provenance.sha256', lang)} {f['sha256']}", cls="code"),
            ]
        )
    rows += [
        [t("provenance.params_hash", lang), Cell(facts["params_hash"] or unknown, cls="code")],
        [t("provenance.version", lang), facts["version"] or unknown],
        [t("provenance.git_commit", lang), Cell(facts["git_commit"] or unknown, cls="code")],
        [t("provenance.generated_at", lang), facts["generated_at"]],
    ]
    table = html_table(
        [t("provenance.col_item", lang), t("provenance.col_value", lang)],
        rows,
        t("provenance.caption", lang),
    )
    return (
        f'<footer id="provenance" class="report-section provenance">'
        f"<h2>{escape(t('section.provenance', lang))}</h2>{table}</footer>"
    )


def section_readings(inputs: ReportInputs, lang: str) -> str:
    if inputs.readings is None or inputs.indicators is None:
        return _missing("readings", "readings.csv", lang)
    return readings_section(inputs.readings, inputs.indicators, lang)


def all_sections(inputs: ReportInputs, lang: str) -> list[str]:
    """Every section in report order (handy for tests and for a one-cell notebook)."""
    return [
        title_block(inputs, lang),
        section_summary(inputs, lang),
        section_district(inputs, lang),
        section_communes(inputs, lang),
        section_what_it_takes(inputs, lang),
        section_plan(inputs, lang),
        section_equity(inputs, lang),
        section_change(inputs, lang),
        section_data_quality(inputs, lang),
        section_readings(inputs, lang),
        section_method(inputs, lang),
        section_provenance(inputs, lang),
    ]


SECTION_NAMES = ("title", *SECTION_IDS)  # the order all_sections returns them in


def sections_by_name(inputs: ReportInputs, lang: str) -> dict[str, str]:
    """:func:`all_sections` keyed by :data:`SECTION_NAMES`, for notebook 04's one cell per
    section."""
    return dict(zip(SECTION_NAMES, all_sections(inputs, lang), strict=True))

"""Section 5 of the report: the nomination plan under the seats the Board has, in aggregates.

How many targets (a quota in one unit or in the whole district) are met in the target year
with the plan, with no nominations, and with "eligible people with the latest retirement
first", under every scenario; where a few more seats would meet a target; and how the solver
did. The named list stays in ``restricted/danh_sach.xlsx``. Every number comes from the plan
stage's tables (``plan_outcome``, ``plan_bottlenecks``, ``plan_solver``).
"""

from __future__ import annotations

from html import escape

import polars as pl

from cadre_analytics.report import fmt, tables
from cadre_analytics.report.inputs import ReportInputs
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t, t_or
from cadre_analytics.report.tables import ALL, Cell, html_table, note, quota_label

BOTTLENECKS_SHOWN = 3  # the report names the few cheapest; the table beside it has all


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def scenario_name(name: str, lang: str) -> str:
    return t_or(f"scenario.{name}", lang, name)


def _unit_names(inputs: ReportInputs) -> dict[str, str]:
    ind = inputs.indicators
    if ind is None or "unit_name" not in ind.columns:
        return {}
    pairs = ind.select("unit", "unit_name").drop_nulls().unique("unit")
    return dict(pairs.iter_rows())


def _where(unit: str, names: dict[str, str], lang: str) -> str:
    return t("summary.scope_all", lang) if unit == ALL else names.get(unit, unit)


def solver_sentences(solver: pl.DataFrame, lang: str) -> list[str]:
    """What the solve says about the plan: proven best, or stopped at the time limit (with
    the gap), or why there is no plan (naming the seat-file entry)."""
    if solver.is_empty():
        return []
    first = solver.row(0, named=True)
    if first["status"] == "error":
        return [t("plan.no_plan", lang, why=first[f"message_{lang}"] or "")]
    seconds = fmt.number(solver["seconds"].sum(), lang, 1)
    limit = fmt.number(first["time_limit_seconds"], lang)
    if (solver["status"] == "optimal").all():
        return [t("plan.solver_optimal", lang, seconds=seconds)]
    stopped = solver.filter(pl.col("status") != "optimal").row(0, named=True)
    if first["status"] == "optimal":  # targets proven best; only the priority pass stopped
        return [t("plan.solver_priority_stopped", lang, seconds=seconds)]
    if stopped["status"] != "time_limit":
        return [t("plan.solver_other", lang, status=stopped["status"], seconds=seconds)]
    gap = stopped["mip_gap"]
    if gap is None or gap != gap:  # stopped before a plan of its own: no gap to give
        out = [t("plan.solver_time_limit_no_gap", lang, limit=limit, seconds=seconds)]
    else:
        gap_text = fmt.percent(gap, lang)
        out = [t("plan.solver_time_limit", lang, limit=limit, seconds=seconds, gap=gap_text)]
    if stopped["plan_from"] == "start":
        out.append(t("plan.solver_kept_rule", lang))
    return out


def _outcome_table(outcome: pl.DataFrame, lang: str) -> str:
    rows = [
        [
            scenario_name(r["scenario"], lang)
            + (f" ({t('plan.headline', lang)})" if r["headline"] else ""),
            Cell(fmt.number(r["targets"], lang), cls="num"),
            Cell(fmt.number(r["met_no_nominations"], lang), cls="num"),
            Cell(fmt.number(r["met_rule"], lang), cls="num"),
            Cell(fmt.number(r["met_plan"], lang), cls="num"),
        ]
        for r in outcome.iter_rows(named=True)
    ]
    headers = [t(f"plan.col_{c}", lang) for c in ("scenario", "targets", "none", "rule", "plan")]
    year = outcome["target_year"].max()
    return html_table(headers, rows, t("plan.caption", lang, target_year=year))


def bottleneck_lines(
    bottlenecks: pl.DataFrame, names: dict[str, str], lang: str, shown: int
) -> list[str]:
    """The cheapest ways to meet one more target: per target the course needing the fewest
    extra seats (the stage marks it ``cheapest``), fewest first."""
    best = bottlenecks.filter(pl.col("cheapest")).head(shown)
    return [
        t(
            "plan.bottleneck_one" if r["extra_seats"] == 1 else "plan.bottleneck",
            lang,
            seats=fmt.number(r["extra_seats"], lang),
            course=tables.course_label(r["quota"], r["course"], lang),
            start_year=r["start_year"],
            quota=quota_label(r["quota"], lang),
            where=_where(r["unit"], names, lang),
        )
        for r in best.iter_rows(named=True)
    ]


def section_plan(inputs: ReportInputs, lang: str) -> str:
    solver = inputs.plan_solver
    if solver is None:
        return _wrap(lang, note(t("report.not_available", lang, what=t("plan.stage_name", lang))))
    body = ""
    if solver["seats_example"].any():
        body += f'<p class="sample-banner">{escape(t("plan.example_seats", lang))}</p>'
    outcome = inputs.plan_outcome
    if outcome is None or outcome.is_empty():
        return _wrap(lang, body + "".join(_p(s) for s in solver_sentences(solver, lang)))
    head = outcome.filter(pl.col("headline")).row(0, named=True)
    body += _p(
        t("plan.intro", lang, scenario=scenario_name(head["scenario"], lang), **scope_words(lang))
        + " "
        + t(
            "plan.headline_counts",
            lang,
            scenario=scenario_name(head["scenario"], lang),
            target_year=head["target_year"],
            plan=fmt.number(head["met_plan"], lang),
            targets=fmt.number(head["targets"], lang),
            rule=fmt.number(head["met_rule"], lang),
            none=fmt.number(head["met_no_nominations"], lang),
        )
    )
    body += _outcome_table(outcome, lang)
    lines = bottleneck_lines(
        inputs.plan_bottlenecks if inputs.plan_bottlenecks is not None else pl.DataFrame(),
        _unit_names(inputs),
        lang,
        BOTTLENECKS_SHOWN,
    )
    body += f"<h3>{escape(t('plan.bottlenecks_heading', lang))}</h3>"
    if lines:
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        body += f"<ul>{items}</ul>" + note(t("plan.bottlenecks_note", lang))
    else:
        body += note(t("plan.no_bottlenecks", lang))
    # One closing note: how the solve went, and where the names are.
    closing = [t("plan.constraints", lang), *solver_sentences(solver, lang)]
    body += note(" ".join([*closing, t("plan.restricted_note", lang)]))
    return _wrap(lang, body)


def method_paragraphs(inputs: ReportInputs, lang: str) -> str:
    """The plan's method in the method section: the model in one paragraph, and the solve."""
    said = [t("plan.method", lang)]
    if inputs.plan_solver is not None:
        said += solver_sentences(inputs.plan_solver, lang)
    # A run-in heading, not an h3: the method section stays as long as it was on paper.
    heading = f"<strong>{escape(t('plan.method_heading', lang))}:</strong> "
    return f"<p>{heading}{escape(' '.join(said))}</p>"


def _wrap(lang: str, body: str) -> str:
    return (
        f'<section id="plan" class="report-section">'
        f"<h2>{escape(t('section.plan', lang))}</h2>{body}</section>"
    )

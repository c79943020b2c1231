"""The analyst's workbook ``OUT/bang_so_lieu.xlsx``: the tables behind the report, in words.

Sheets: summary, every unit's accountability table, projection by scenario, what it takes,
change since last year, breakdowns (small cells suppressed as in the report), row counts,
data checks, notes. Headers come from the string catalogue (``workbook.*``), units and quotas
are named, shares are Excel percentages. Every value is read from the frames the earlier
notebooks wrote; nothing is recomputed here, and no personal column is ever read.

``write_workbooks(out_dir, lang)`` writes this one and the Board's restricted list
(``restricted_workbook``) on a finished report folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cadre_analytics import outputs
from cadre_analytics.report import fmt, inputs, tables
from cadre_analytics.report.actions import courses_text
from cadre_analytics.report.sections import change_frame
from cadre_analytics.report.settings import scope_words, settings
from cadre_analytics.report.strings import check_lang, t, t_or
from cadre_analytics.report.tables import ALL, quota_label
from cadre_analytics.report.verdicts import is_headline
from cadre_analytics.report.xlsx import Column, Sheet, cap_rows, save_workbook

PUBLIC_NAME = "bang_so_lieu.xlsx"
# Aggregated frames the workbook reads, with the dtypes the report expects of them.
PUBLIC_FRAMES = {
    "indicators": inputs.INDICATOR_COLUMNS,
    "breakdowns": inputs.BREAKDOWN_COLUMNS,
    "projection": inputs.PROJECTION_COLUMNS,
    "requirements": inputs.REQUIREMENT_COLUMNS,
    "reconciliation": inputs.RECONCILIATION_COLUMNS,
    "rule_results": inputs.RULE_RESULT_COLUMNS,
}


@dataclass
class Frames:
    """The aggregated outputs of one report folder; None where a stage left no file."""

    year: int
    frames: dict[str, pl.DataFrame | None] = field(default_factory=dict)

    def get(self, name: str) -> pl.DataFrame | None:
        return self.frames.get(name)


def _report_year(out_dir: Path, indicators: pl.DataFrame | None) -> int:
    manifest = out_dir / "manifest.json"
    if manifest.exists():
        year = json.loads(manifest.read_text(encoding="utf-8")).get("year")
        if year is not None:
            return int(year)
    if indicators is not None and indicators.height:
        return int(indicators["year"].max())
    raise FileNotFoundError(f"{out_dir}: neither manifest.json nor indicators to give the year")


def read_frames(out_dir: Path | str) -> Frames:
    """Read the aggregated frames back with ``outputs.read_table``; refuse personal columns."""
    out_dir = Path(out_dir)
    found: dict[str, pl.DataFrame | None] = {}
    for name, columns in PUBLIC_FRAMES.items():
        if not any((out_dir / f"{name}{ext}").exists() for ext in (".csv", ".parquet")):
            found[name] = None
            continue
        frame = outputs.read_table(out_dir, name)
        inputs.assert_aggregated(frame, name)
        found[name] = inputs.conform(frame, columns)
    return Frames(year=_report_year(out_dir, found["indicators"]), frames=found)


# --- words ----------------------------------------------------------------------------------


def col(key: str, lang: str, **values: object) -> str:
    return t(f"workbook.col.{key}", lang, **values)


def level_word(level: str | None, lang: str) -> str | None:
    return t_or(f"workbook.level.{level}", lang, level) if level else None


def yes_no(value: bool | None, lang: str) -> str | None:
    if value is None:
        return None
    return t("workbook.word_yes" if value else "workbook.word_no", lang)


def unit_names(indicators: pl.DataFrame | None, lang: str) -> dict[str, str]:
    """Unit code -> name as indicators.csv gives it; the whole district in the catalogue."""
    names: dict[str, str] = {}
    if indicators is not None:
        pairs = indicators.select("unit", "unit_name").unique(subset="unit", keep="first")
        names = {u: n or u for u, n in pairs.iter_rows()}
    names[ALL] = t("workbook.level.all", lang, **scope_words(lang))
    return names


def _quota_order(indicators: pl.DataFrame) -> dict[str, int]:
    quotas = indicators["indicator"].unique(maintain_order=True).to_list()
    return {q: i for i, q in enumerate(quotas)}


def _outlook(projection: pl.DataFrame | None, target_year: int | None) -> dict:
    """(indicator, unit) -> (share, met) of the headline projection at the target year."""
    if projection is None or target_year is None or projection.is_empty():
        return {}
    at = projection.filter(
        is_headline() & (pl.col("year") == target_year) & (pl.col("target_year") == target_year)
    )
    return {
        (r[0], r[1]): (r[2], r[3]) for r in at.select("indicator", "unit", "share", "met").rows()
    }


# --- sheets ---------------------------------------------------------------------------------


def _target_columns(
    years: list[int], lang: str, projected_after: int | None = None
) -> list[Column]:
    """Target, status and people short per target year, then the last year's outlook;
    people short after ``projected_after`` are the headline projection's (the summary's)."""
    columns = []
    for ty in years:
        gap = "gap_projected" if projected_after is not None and ty > projected_after else "gap"
        columns += [
            Column(col("target", lang, target_year=ty)),
            Column(col("status", lang, target_year=ty)),
            Column(col(gap, lang, target_year=ty), "int"),
        ]
    if years:
        columns.append(Column(col("outlook", lang, target_year=years[-1]), "percent"))
    return columns


def summary_sheet(frames: Frames, lang: str) -> Sheet | None:
    """One row per quota for the whole district, as the report's summary table."""
    ind, proj = frames.get("indicators"), frames.get("projection")
    if ind is None or ind.is_empty():
        return None
    year = frames.year
    summary = tables.summary_frame(ind, proj, year)
    years = tables.target_years(ind)
    last = years[-1] if years else None
    outlook = _outlook(proj, last)
    columns = [
        Column(col("quota", lang)),
        Column(col("quota_id", lang)),
        Column(t("summary.col_scope", lang)),
        Column(col("value", lang, year=year), "percent"),
        Column(col("numerator", lang), "int"),
        Column(col("denominator", lang), "int"),
    ]
    columns += _target_columns(years, lang, projected_after=year if proj is not None else None)
    rows = []
    for r in summary.iter_rows(named=True):
        scope = tables.scope_text(r, lang)
        row = [
            quota_label(r["indicator"], lang),
            r["indicator"],
            scope,
            r["share"],
            r["numerator"],
            r["denominator"],
        ]
        for ty in years:
            row += [
                _target_text(r[f"target_{ty}"], r[f"comparator_{ty}"], r[f"upper_{ty}"], lang),
                t(f"status.{r[f'status_{ty}']}", lang),
                # a staffing cut: posts to cut (or not started), in words as in the report
                tables.gap_text(r, ty, year, lang)
                if r["cut"] or r[f"over_{ty}"]
                else r[f"gap_{ty}"],
            ]
        if last is not None:
            row.append(outlook.get((r["indicator"], ALL), (None, None))[0])
        rows.append(row)
    return Sheet(t("workbook.sheet.summary", lang), columns, rows)


def _target_text(value, comparator, upper, lang: str) -> str | None:
    return None if value is None else fmt.target(value, comparator, lang, upper)


def _by_target_year(now: pl.DataFrame) -> dict[tuple[str, str], dict[int, dict]]:
    out: dict[tuple[str, str], dict[int, dict]] = {}
    for r in now.iter_rows(named=True):
        if r["target_year"] is not None:
            out.setdefault((r["indicator"], r["unit"]), {})[r["target_year"]] = r
    return out


def units_sheet(frames: Frames, lang: str) -> Sheet | None:
    """Every unit x quota at YEAR: value, and for each target year the target, status, gap."""
    ind, proj = frames.get("indicators"), frames.get("projection")
    if ind is None or ind.is_empty():
        return None
    year = frames.year
    now = ind.filter((pl.col("year") == year) & (pl.col("unit") != ALL))
    years = tables.target_years(ind)
    nxt, last = tables.next_target_year(ind, year), (years[-1] if years else None)
    outlook = _outlook(proj, last)
    proj_met = {ty: _outlook(proj, ty) for ty in years if ty > year}
    order = _quota_order(ind)
    by_ty = _by_target_year(now)
    keys = sorted(
        by_ty,
        key=lambda k: (
            0 if _first(by_ty[k])["level"] == "district" else 1,
            _first(by_ty[k])["unit_name"] or k[1],
            order.get(k[0], 0),
        ),
    )
    columns = [
        Column(col("unit", lang)),
        Column(col("unit_code", lang)),
        Column(col("level", lang)),
        Column(col("quota", lang)),
        Column(col("value", lang, year=year), "percent"),
        Column(col("numerator", lang), "int"),
        Column(col("denominator", lang), "int"),
    ]
    columns += _target_columns(years, lang)
    rows = []
    for quota, unit in keys:
        recs = by_ty[(quota, unit)]
        # A headcount ratio's value depends on the target's base year: show the next target's.
        shown = recs.get(nxt) or _first(recs)
        row = [
            shown["unit_name"] or unit,
            unit,
            level_word(shown["level"], lang),
            quota_label(quota, lang),
            shown["share"],
            shown["numerator"],
            shown["denominator"],
        ]
        for ty in years:
            rec = recs.get(ty)
            has_target = rec is not None and rec["target"] is not None
            projected = proj_met.get(ty, {}).get((quota, unit), (None, None))[1]
            closed = shown.get("closed_on") is not None
            status = tables.status_of(
                rec["met"] if rec else None, projected, ty, year, has_target, closed
            )
            row += [
                _target_text(rec["target"], rec["comparator"], rec.get("target_upper"), lang)
                if has_target
                else None,
                t(f"status.{status}", lang),
                rec["gap_persons"] if has_target else None,
            ]
        if last is not None:
            row.append(outlook.get((quota, unit), (None, None))[0])
        rows.append(row)
    return Sheet(t("workbook.sheet.units", lang), columns, rows)


def _first(recs: dict[int, dict]) -> dict:
    return recs[min(recs)]


def projection_sheet(frames: Frames, lang: str) -> Sheet | None:
    """The whole district's projection, each scenario and year (bands P10-P90)."""
    proj, ind = frames.get("projection"), frames.get("indicators")
    if proj is None or proj.is_empty():
        return None
    order = _quota_order(ind) if ind is not None else {}
    part = proj.filter((pl.col("unit") == ALL) & (pl.col("year") <= pl.col("target_year")))
    part = part.with_columns(
        pl.col("indicator").replace_strict(order, default=len(order)).alias("_order"),
        (~is_headline()).alias("_not_headline"),
    ).sort("_order", "_not_headline", "scenario", "target_year", "year")
    columns = [
        Column(col("quota", lang)),
        Column(col("scenario", lang)),
        Column(col("target_year", lang), "year"),
        Column(col("year", lang), "year"),
        Column(col("share", lang), "percent"),
        Column(col("share_p10", lang), "percent"),
        Column(col("share_p90", lang), "percent"),
        Column(col("numerator", lang), "count"),
        Column(col("denominator", lang), "count"),
        Column(col("target_plain", lang), "percent"),
        Column(col("met", lang)),
    ]
    rows = [
        [
            quota_label(r["indicator"], lang),
            tables.scenario_label(r["scenario"], lang),
            r["target_year"],
            r["year"],
            r["share"],
            r["share_p10"],
            r["share_p90"],
            r["numerator"],
            r["denominator"],
            r["target"],
            yes_no(r["met"], lang),
        ]
        for r in part.iter_rows(named=True)
    ]
    return Sheet(t("workbook.sheet.projection", lang), columns, rows)


def requirements_sheet(frames: Frames, lang: str) -> Sheet | None:
    """People short per quota and unit on the headline scenario, the course(s) that close
    the gap, who could go and how many must be recruited (whole district first)."""
    req = frames.get("requirements")
    if req is None:
        return None
    names = unit_names(frames.get("indicators"), lang)
    part = req.with_columns((pl.col("unit") != ALL).alias("_unit_row")).sort(
        "_unit_row", "target_year", maintain_order=True
    )
    columns = [
        Column(col("quota", lang)),
        Column(col("unit", lang)),
        Column(col("unit_code", lang)),
        Column(col("course", lang)),
        Column(col("target_year", lang), "year"),
        Column(col("extra_total", lang), "count"),
        Column(col("extra_per_year", lang), "count"),
        Column(col("eligible_people", lang), "int"),
        Column(col("two_courses", lang), "int"),
        Column(col("recruit_people", lang), "int"),
    ]
    rows = [
        [
            quota_label(r["indicator"], lang),
            names.get(r["unit"], r["unit"]),
            r["unit"],
            courses_text(r, lang),
            r["target_year"],
            r["extra_completions_total"],
            r["extra_completions_per_year"],
            r["eligible_people"],
            r["eligible_two_courses"],
            r["recruit_people"],
        ]
        for r in inputs.conform(part, inputs.REQUIREMENT_COLUMNS).iter_rows(named=True)
    ]
    return Sheet(t("workbook.sheet.requirements", lang), columns, rows)


def change_sheet(frames: Frames, lang: str) -> Sheet | None:
    """Whole-district share now vs the previous snapshot (the report's change table)."""
    ind = frames.get("indicators")
    if ind is None or ind.is_empty():
        return None
    change, prev = change_frame(ind, frames.year)
    if prev is None or change.is_empty():
        return None
    order = _quota_order(ind)
    change = change.sort(pl.col("indicator").replace_strict(order, default=len(order)))
    columns = [
        Column(col("quota", lang)),
        Column(col("previous", lang, previous=prev), "percent"),
        Column(col("current", lang, year=frames.year), "percent"),
        Column(col("change_points", lang), "points"),
        Column(col("change_people", lang), "signed"),
    ]
    rows = [
        [
            quota_label(r["indicator"], lang),
            r["share_prev"],
            r["share_now"],
            r["delta"],
            r["people_delta"],
        ]
        for r in change.iter_rows(named=True)
    ]
    return Sheet(t("workbook.sheet.change", lang), columns, rows)


def equity_sheet(frames: Frames, lang: str) -> Sheet | None:
    """The whole district's breakdowns at YEAR, small cells hidden by the report's own rule."""
    brk = frames.get("breakdowns")
    if brk is None:
        return None
    part = brk.filter((pl.col("unit") == ALL) & (pl.col("year") == frames.year))
    if part.is_empty():
        return None
    suppressed = part  # suppressed by the indicators stage, before it left the machine
    hidden_share = t("equity.hidden_share", lang)
    columns = [
        Column(col("quota", lang)),
        Column(col("dimension", lang)),
        Column(col("group", lang)),
        Column(col("numerator", lang), "int"),
        Column(col("denominator", lang), "int"),
        Column(col("share", lang), "percent"),
    ]
    rows = []
    for r in suppressed.iter_rows(named=True):
        dimension = t_or(f"dimension.{r['dimension']}", lang, r["dimension"])
        hide_share = r["den_suppressed"] or r["num_suppressed"]
        rows.append(
            [
                quota_label(r["indicator"], lang),
                dimension[:1].upper() + dimension[1:],
                tables.group_label(r["group"], lang),
                tables.hidden_count(r["numerator"], True, r["num_below"], lang)
                if r["num_suppressed"]
                else r["numerator"],
                tables.hidden_count(r["denominator"], True, r["den_below"], lang)
                if r["den_suppressed"]
                else r["denominator"],
                hidden_share if hide_share else r["share"],
            ]
        )
    return Sheet(t("workbook.sheet.equity", lang), columns, rows)


def reconciliation_sheet(frames: Frames, lang: str) -> Sheet | None:
    """Rows read = accepted + quarantined, per input table, with the total row of the report."""
    rec = frames.get("reconciliation")
    if rec is None:
        return None
    columns = [
        Column(col("table", lang)),
        Column(col("rows_read", lang), "int"),
        Column(col("rows_accepted", lang), "int"),
        Column(col("rows_quarantined", lang), "int"),
    ]
    counts = ("rows_read", "rows_accepted", "rows_quarantined")
    rows = [
        [t_or(f"table.{r['table']}", lang, r["table"])] + [r[c] for c in counts]
        for r in rec.iter_rows(named=True)
    ]
    rows.append([t("table.total", lang)] + [int(rec[c].sum() or 0) for c in counts])
    return Sheet(t("workbook.sheet.reconciliation", lang), columns, rows)


def rules_sheet(frames: Frames, lang: str) -> Sheet | None:
    """Every data check with its people-facing title, grade and rows failing (most first)."""
    res = frames.get("rule_results")
    if res is None:
        return None
    grouped = (
        res.group_by(["table", "rule", "grade"], maintain_order=True)
        .agg(
            pl.col("rows_failed").fill_null(0).sum(),
            pl.col(f"title_{lang}").first().alias("title"),
        )
        .sort(["rows_failed", "table"], descending=[True, False], maintain_order=True)
    )
    columns = [
        Column(col("table", lang)),
        Column(col("rule", lang)),
        Column(col("rule_code", lang)),
        Column(col("grade", lang)),
        Column(col("rows_failed", lang), "int"),
    ]
    rows = [
        [
            t_or(f"table.{r['table']}", lang, r["table"]),
            r["title"] or r["rule"],
            r["rule"],
            t_or(f"data_quality.grade_{r['grade']}", lang, str(r["grade"])),
            r["rows_failed"],
        ]
        for r in grouped.iter_rows(named=True)
    ]
    return Sheet(t("workbook.sheet.rules", lang), columns, rows)


def truncated_note(sheet: Sheet, file: str, lang: str) -> str:
    shown = fmt.number(len(sheet.rows), lang)
    return t("workbook.notes.truncated", lang, sheet=sheet.name, shown=shown, file=file)


SHEETS = (
    ("summary", summary_sheet, "indicators.csv"),
    ("units", units_sheet, "indicators.csv"),
    ("projection", projection_sheet, "projection.csv"),
    ("requirements", requirements_sheet, "requirements.csv"),
    ("change", change_sheet, "indicators.csv"),
    ("equity", equity_sheet, "breakdowns.csv"),
    ("reconciliation", reconciliation_sheet, "reconciliation.csv"),
    ("rules", rules_sheet, "rule_results.csv"),
)


def public_sheets(frames: Frames, lang: str) -> list[Sheet]:
    """Every sheet there is data for, then a notes sheet saying what is missing and why."""
    sheets, missing = [], []
    for key, build, file in SHEETS:
        sheet = build(frames, lang)
        if sheet is not None:
            sheet, cut = cap_rows(sheet)
            if cut:
                missing.append(truncated_note(sheet, file, lang))
        if sheet is None:
            missing.append(
                t("workbook.notes.missing", lang, sheet=t(f"workbook.sheet.{key}", lang), file=file)
            )
        else:
            sheets.append(sheet)
    min_cell = settings().min_cell
    lines = [
        t("workbook.notes.title", lang, year=frames.year),
        t("workbook.notes.source", lang),
        t("workbook.notes.suppression", lang, min_cell=min_cell, max_hidden=min_cell - 1),
        *missing,
    ]
    notes = Sheet(t("workbook.sheet.notes", lang), [Column("")], [[line] for line in lines], False)
    return [*sheets, notes]


def write_public_workbook(frames: Frames, out_dir: Path | str, lang: str) -> Path:
    return save_workbook(public_sheets(frames, lang), Path(out_dir) / PUBLIC_NAME)


def write_workbooks(out_dir: Path, lang: str) -> tuple[Path, Path]:
    """Both workbooks of a finished report folder: ``OUT/bang_so_lieu.xlsx`` (aggregated) and
    ``OUT/restricted/danh_sach.xlsx`` (person-level, owner-only). Returns their paths."""
    from cadre_analytics.report.restricted_workbook import write_restricted_workbook

    check_lang(lang)
    frames = read_frames(out_dir)
    public = write_public_workbook(frames, out_dir, lang)
    return public, write_restricted_workbook(out_dir, lang, frames.year)

"""The Board's restricted workbook ``OUT/restricted/danh_sach.xlsx`` (owner-only, 0600).

Person-level lists the report never shows: who is eligible for which course (the
projection's ``eligible`` frame, with unit and course named), the quarantined rows with their
staff ID and fix, the rows kept with a warning together with the person they belong to
(records are fixed in the HR software, by person, not in the export file), and the spellings
read as another value, for cleaning the file.

Who retires when, by year and unit, comes from the projection stage's person-level list
(``restricted/retirements``) and its counts (``restricted/retirement_counts``); this layer only
names units and staff groups and lays the counts out as a year-by-unit table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from cadre_analytics import outputs
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR, load_yaml
from cadre_analytics.report import tables
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t
from cadre_analytics.report.workbook import col, truncated_note, unit_names
from cadre_analytics.report.xlsx import Column, Sheet, cap_rows, save_workbook
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW

RESTRICTED_NAME = "danh_sach.xlsx"
ROW_COLUMNS = ("table", "source_file", "source_row", "column", "raw_value", "rule")


def _read_restricted(out_dir: Path, name: str) -> pl.DataFrame | None:
    if not (out_dir / outputs.RESTRICTED / f"{name}.parquet").exists():
        return None
    return outputs.read_restricted(out_dir, name)


def _read_rows(out_dir: Path, name: str) -> pl.DataFrame | None:
    """quarantine.csv / warnings.csv with every column as text (values as written)."""
    if not (out_dir / f"{name}.csv").exists():
        return None
    frame = outputs.read_table(out_dir, name)
    return frame.with_columns(
        pl.col(c).cast(pl.Utf8) for c in frame.columns if c != "source_row"
    ).with_columns(pl.col("source_row").cast(pl.Int64, strict=False))


def _names(out_dir: Path, lang: str) -> dict[str, str]:
    """Unit code -> name: the accepted units table, else the names indicators.csv carries."""
    units = _read_restricted(out_dir, "units")
    if units is not None:
        return dict(units.select("code", "name").iter_rows())
    indicators = None
    if (out_dir / "indicators.csv").exists() or (out_dir / "indicators.parquet").exists():
        indicators = outputs.read_table(out_dir, "indicators")
    return unit_names(indicators, lang)


@cache
def _vocabulary_words() -> dict[str, dict[str, str]]:
    """attribute -> code -> the first Vietnamese spelling in data_contracts/vocabularies.yaml."""
    doc = load_yaml(DEFAULT_CONTRACTS_DIR / "vocabularies.yaml")
    words: dict[str, dict[str, str]] = {}
    for attribute, codes in (doc.get("vocabularies") or {}).items():
        for code, spec in (codes or {}).items():
            synonyms = (spec or {}).get("synonyms") or []
            if synonyms:
                words.setdefault(attribute, {})[str(code)] = str(synonyms[0])
    return words


def level_in_words(attribute: str | None, level: str | None, lang: str) -> str | None:
    """A person's current level (``college``, ``A2``, ``false``) as a reader says it."""
    if level is None:
        return None
    if level in ("true", "false"):
        done = level == "true"
        if attribute == "updated_in_year":
            return t("workbook.updated" if done else "workbook.not_updated", lang)
        return t("workbook.word_yes" if done else "workbook.word_no", lang)
    if lang == "vi":
        return _vocabulary_words().get(attribute or "", {}).get(level, level)
    return level.replace("_", " ")


def eligible_sheet(out_dir: Path, lang: str) -> Sheet | None:
    eligible = _read_restricted(out_dir, "eligible")
    if eligible is None:
        return None
    names = _names(out_dir, lang)
    part = eligible.with_columns(
        pl.col("unit").replace_strict(names, default=pl.col("unit")).alias("_unit_name")
    ).sort("_unit_name", "indicator", "full_name", "staff_id")
    columns = [
        Column(col("staff_id", lang)),
        Column(col("full_name", lang)),
        Column(col("unit", lang)),
        Column(col("unit_code", lang)),
        Column(col("quota", lang)),
        Column(col("course", lang)),
        Column(col("target_year", lang), "year"),
        Column(col("current_level", lang)),
        Column(col("retirement_date", lang), "date"),
    ]
    rows = [
        [
            r["staff_id"],
            r["full_name"],
            r["_unit_name"],
            r["unit"],
            tables.quota_label(r["indicator"], lang),
            tables.course_label(r["indicator"], r["course"], lang),
            r["target_year"],
            level_in_words(r["attribute"], r["current_level"], lang),
            r["retirement_date"],
        ]
        for r in part.iter_rows(named=True)
    ]
    return Sheet(t("workbook.sheet.eligible", lang), columns, rows)


def _rule_titles(out_dir: Path, lang: str) -> dict[tuple[str, str], str]:
    if not any((out_dir / f"rule_results{e}").exists() for e in (".csv", ".parquet")):
        return {}
    res = outputs.read_table(out_dir, "rule_results")
    if f"title_{lang}" not in res.columns:
        return {}
    pairs = res.select("table", "rule", f"title_{lang}").unique(subset=["table", "rule"])
    return {(a, b): c for a, b, c in pairs.iter_rows() if c}


def _row_cells(r: dict, titles: dict, lang: str) -> list[object]:
    return [
        tables.t_or(f"table.{r['table']}", lang, r["table"]),
        r["source_file"],
        r["source_row"],
        r["column"],
        r["raw_value"],
        titles.get((r["table"], r["rule"]), r["rule"]),
        r[f"message_{lang}"],
    ]


def _row_columns(lang: str) -> list[Column]:
    return [
        Column(col("table", lang)),
        Column(col("source_file", lang)),
        Column(col("source_row", lang), "row"),
        Column(col("column", lang)),
        Column(col("raw_value", lang)),
        Column(col("rule", lang)),
        Column(col("message", lang)),
    ]


def quarantine_sheet(out_dir: Path, lang: str) -> Sheet | None:
    """Rows set aside, each with the staff ID its own ID cell gives (the contracts stage keeps it
    in restricted/quarantined_ids, never beside the report)."""
    rows = _read_rows(out_dir, "quarantine")
    if rows is None:
        return None
    ids = _read_restricted(out_dir, "quarantined_ids")
    if ids is not None:
        rows = rows.join(
            ids, on=["table", "source_file", "source_row"], how="left", maintain_order="left"
        )
    else:
        rows = rows.with_columns(pl.lit(None, pl.Utf8).alias("staff_id"))
    titles = _rule_titles(out_dir, lang)
    columns = [Column(col("staff_id", lang)), *_row_columns(lang)]
    body = [[r["staff_id"], *_row_cells(r, titles, lang)] for r in rows.iter_rows(named=True)]
    return Sheet(t("workbook.sheet.quarantine", lang), columns, body)


def _people_by_row(out_dir: Path) -> pl.DataFrame | None:
    """(table, source file, source row) -> staff_id, full_name, unit of the accepted rows."""
    staff = _read_restricted(out_dir, "accepted_staff")
    if staff is None:
        return None
    keys = [SOURCE_FILE, SOURCE_ROW]
    latest = staff.sort("snapshot_year").unique("staff_id", keep="last")
    parts = [
        staff.select(*keys, "staff_id", "full_name", "unit").with_columns(
            pl.lit("staff").alias("table")
        )
    ]
    training = _read_restricted(out_dir, "accepted_training")
    if training is not None:
        parts.append(
            training.select(*keys, "staff_id")
            .join(latest.select("staff_id", "full_name", "unit"), on="staff_id", how="left")
            .with_columns(pl.lit("training_updates").alias("table"))
        )
    return pl.concat(parts, how="diagonal").rename(
        {SOURCE_FILE: "source_file", SOURCE_ROW: "source_row"}
    )


def warnings_sheet(out_dir: Path, lang: str) -> Sheet | None:
    """Rows kept with a warning, each with the person it belongs to (joined on file + row)."""
    rows = _read_rows(out_dir, "warnings")
    if rows is None:
        return None
    people = _people_by_row(out_dir)
    if people is not None:
        rows = rows.join(
            people, on=["table", "source_file", "source_row"], how="left", maintain_order="left"
        )
    else:
        rows = rows.with_columns(
            pl.lit(None, pl.Utf8).alias(c) for c in ("staff_id", "full_name", "unit")
        )
    names = _names(out_dir, lang)
    titles = _rule_titles(out_dir, lang)
    columns = [
        Column(col("staff_id", lang)),
        Column(col("full_name", lang)),
        Column(col("unit", lang)),
        *_row_columns(lang),
    ]
    body = [
        [r["staff_id"], r["full_name"], names.get(r["unit"], r["unit"]) if r["unit"] else None]
        + _row_cells(r, titles, lang)
        for r in rows.iter_rows(named=True)
    ]
    return Sheet(t("workbook.sheet.warnings", lang), columns, body)


def retirements_sheet(out_dir: Path, lang: str) -> Sheet | None:
    """Each person retiring from YEAR+1 to the last target year, by year and unit."""
    people = _read_restricted(out_dir, "retirements")
    if people is None:
        return None
    names = _names(out_dir, lang)
    columns = [
        Column(col("retirement_year", lang), "year"),
        Column(col("unit", lang)),
        Column(col("unit_code", lang)),
        Column(col("staff_id", lang)),
        Column(col("full_name", lang)),
        Column(col("staff_type", lang)),
        Column(col("position", lang)),
        Column(col("retirement_date", lang), "date"),
    ]
    body = [
        [
            r["retirement_year"],
            names.get(r["unit"], r["unit"]),
            r["unit"],
            r["staff_id"],
            r["full_name"],
            level_in_words("staff_type", r["staff_type"], lang),
            r["position"],
            r["retirement_date"],
        ]
        for r in people.iter_rows(named=True)
    ]
    return Sheet(t("desk.sheet.retirements", lang), columns, body)


def retirement_counts_sheet(out_dir: Path, lang: str) -> Sheet | None:
    """How many retire, one row per unit (the whole district first), one column per year."""
    counts = _read_restricted(out_dir, "retirement_counts")
    if counts is None:
        return None
    years = sorted(counts["retirement_year"].unique().to_list())
    names = _names(out_dir, lang)
    names["ALL"] = t("workbook.level.all", lang, **scope_words(lang))
    units = sorted(set(counts["unit"].to_list()), key=lambda u: (u != "ALL", u))  # ALL first
    per = {(r["unit"], r["retirement_year"]): r["people"] for r in counts.iter_rows(named=True)}
    columns = [
        Column(col("unit", lang)),
        Column(col("unit_code", lang)),
        *(Column(str(y), "int") for y in years),
        Column(t("desk.col.total", lang), "int"),
    ]
    body = []
    for unit in units:
        cells = [per.get((unit, y), 0) for y in years]
        code = None if unit == "ALL" else unit
        body.append([names.get(unit, unit), code, *cells, sum(cells)])
    return Sheet(t("desk.sheet.retirement_counts", lang), columns, body)


def spellings_sheet(out_dir: Path, lang: str) -> Sheet | None:
    """Cells read as another value ('dai hoc' -> Đại học), for the clerk who cleans the file."""
    if not (out_dir / "spellings.csv").exists():
        return None
    frame = outputs.read_table(out_dir, "spellings")
    columns = [
        Column(col("table", lang)),
        Column(col("column", lang)),
        Column(t("desk.col.written", lang)),
        Column(t("desk.col.read_as", lang)),
        Column(t("desk.col.code", lang)),
        Column(t("desk.col.how", lang)),
        Column(t("desk.col.cells", lang), "int"),
    ]
    body = [
        [
            tables.t_or(f"table.{r['table']}", lang, r["table"]),
            r["column"],
            r["written"],
            r["read_as"],
            r["code"],
            tables.t_or(f"desk.how.{r['how']}", lang, r["how"]),
            r["cells"],
        ]
        for r in frame.iter_rows(named=True)
    ]
    return Sheet(t("desk.sheet.spellings", lang), columns, body)


def plan_sheet(out_dir: Path, lang: str) -> Sheet | None:
    """The nomination plan (notebook 05): who is sent on which course, when, for which quota."""
    plan = _read_restricted(out_dir, "plan_nominations")
    if plan is None:
        return None
    names = _names(out_dir, lang)
    columns = [
        Column(col("staff_id", lang)),
        Column(col("full_name", lang)),
        Column(col("unit", lang)),
        Column(col("unit_code", lang)),
        Column(col("course", lang)),
        Column(t("plan.col_start_year", lang), "year"),
        Column(t("plan.col_completion_year", lang), "year"),
        Column(t("plan.col_step", lang), "int"),
        Column(t("plan.col_serves", lang)),
    ]
    rows = [
        [
            r["staff_id"],
            r["full_name"],
            names.get(r["unit"], r["unit"]),
            r["unit"],
            tables.course_label("", r["course"], lang),
            r["start_year"],
            r["completion_year"],
            r["step"],
            "; ".join(tables.quota_label(q, lang) for q in (r["quotas"] or "").split("; ") if q),
        ]
        for r in plan.iter_rows(named=True)
    ]
    return Sheet(t("plan.sheet", lang), columns, rows)


def restricted_sheets(out_dir: Path, lang: str, year: int | None) -> list[Sheet]:
    lines = [
        t("workbook.notes.restricted_title", lang, year=year or ""),
        t("workbook.notes.restricted_personal", lang),
        t("desk.notes.retirements", lang),
        t("workbook.notes.quarantine_id", lang),
    ]
    sheets = []
    for build, file in (
        (eligible_sheet, "restricted/eligible.csv"),
        (plan_sheet, "restricted/plan_nominations.csv"),
        (quarantine_sheet, "quarantine.csv"),
        (warnings_sheet, "warnings.csv"),
        (retirements_sheet, "restricted/retirements.parquet"),
        (retirement_counts_sheet, "restricted/retirement_counts.parquet"),
        (spellings_sheet, "spellings.csv"),
    ):
        sheet = build(out_dir, lang)
        if sheet is None:
            continue
        sheet, cut = cap_rows(sheet)
        if cut:
            lines.append(truncated_note(sheet, file, lang))
        sheets.append(sheet)
    notes = Sheet(t("workbook.sheet.notes", lang), [Column("")], [[line] for line in lines], False)
    return [*sheets, notes]


def write_restricted_workbook(out_dir: Path | str, lang: str, year: int | None = None) -> Path:
    """``OUT/restricted/danh_sach.xlsx``, created owner-only in the owner-only folder."""
    out_dir = Path(out_dir)
    folder = outputs.restricted_dir(out_dir)
    return save_workbook(
        restricted_sheets(out_dir, lang, year), folder / RESTRICTED_NAME, owner_only=True
    )

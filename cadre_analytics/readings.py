"""How the programme is read: every reading of its text that moves a number, with the number
under the other reading beside it.

Part of the indicators stage: it takes the indicators table notebook 02 computed (the number as
read) and computes only the other reading — the same quota under a switched counting rule, or
pooled with another population. The report and ``docs/assumptions.md`` show what this returns
and never recompute it.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics import indicators
from cadre_analytics.params import QuotaRules
from cadre_analytics.params.readings import Reading, Readings
from cadre_analytics.schema import OUTPUT_TABLES


def _district_totals(table: pl.DataFrame, names: list[str], year: int) -> pl.DataFrame:
    """Numerator and denominator of each quota for the whole scope in ``year`` (one row each)."""
    return (
        table.filter(
            pl.col("indicator").is_in(names)
            & (pl.col("unit") == indicators.ALL_UNITS)
            & (pl.col("year") == year)
        )
        .group_by("indicator")
        .agg(pl.col("numerator").first(), pl.col("denominator").first())
    )


def _share(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _switched(
    reading: Reading,
    staff_of_year: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    year: int,
) -> dict[str, tuple[int, int]]:
    other = rules.with_rules(**{reading.switch.rule: reading.switch.alternative})
    table = indicators.compute_indicators(staff_of_year, training, units, other, year)
    totals = _district_totals(table, reading.indicators, year)
    return {row["indicator"]: (row["numerator"], row["denominator"]) for row in totals.to_dicts()}


def _pooled(reading: Reading, as_read: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    pooled = [as_read.get(name) for name in reading.pooled_with]
    if any(pair is None for pair in pooled):
        return {}
    return {
        name: (
            as_read[name][0] + sum(n for n, _ in pooled),
            as_read[name][1] + sum(d for _, d in pooled),
        )
        for name in reading.indicators
        if name in as_read
    }


def _reading_rows(reading: Reading, year: int, as_read: dict, other: dict) -> list[dict]:
    """The number as read is given only beside a number under the other reading."""
    rows = []
    for name in reading.indicators:
        num, den = as_read.get(name, (None, None)) if name in other else (None, None)
        alt_num, alt_den = other.get(name, (None, None))
        rows.append(
            {
                "kind": "reading",
                "reading": reading.id,
                "indicator": name,
                "reading_vi": reading.reading_vi,
                "reading_en": reading.reading_en,
                "alternative_vi": reading.alternative_vi,
                "alternative_en": reading.alternative_en,
                "year": year,
                "numerator": num,
                "denominator": den,
                "share": _share(num, den),
                "alt_numerator": alt_num,
                "alt_denominator": alt_den,
                "alt_share": _share(alt_num, alt_den),
            }
        )
    return rows


def _carried_rows(rules: QuotaRules) -> list[dict]:
    """2030 targets the 2030 text does not restate, kept at their 2025 level."""
    return [
        {
            "kind": "carried",
            "reading": "carried_target",
            "indicator": ind.id,
            "source_lines": target.source_lines,
            "target_year": year,
            "carried_from": target.carried_from,
        }
        for ind in rules.indicators
        for year, target in sorted(ind.targets.items())
        if target is not None and target.carried_from is not None
    ]


def _rebased_rows(indicator_table: pl.DataFrame, year: int) -> list[dict]:
    """History told on today's units (units merged): one reading per quota whose unit rows
    pool former units, disclosed with the other way of telling it."""
    from cadre_analytics.report.strings import t

    if "rebased" not in indicator_table.columns:
        return []
    pooled = indicator_table.filter(pl.col("rebased").fill_null(False))
    if pooled.is_empty():
        return []
    count = pooled["unit"].n_unique()
    text = {lang: t("readings.rebased", lang, units=count) for lang in ("vi", "en")}
    other = {lang: t("readings.rebased_other", lang) for lang in ("vi", "en")}
    return [
        {
            "kind": "reading",
            "reading": "history_on_todays_units",
            "indicator": name,
            "reading_vi": text["vi"],
            "reading_en": text["en"],
            "alternative_vi": other["vi"],
            "alternative_en": other["en"],
            "year": year,
        }
        for name in pooled["indicator"].unique(maintain_order=True).to_list()
    ]


def reading_effects(
    indicator_table: pl.DataFrame,
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    readings: Readings,
    year: int,
) -> pl.DataFrame:
    """One row per (reading, quota) with the number as read (from ``indicator_table``) and
    under the other reading for the whole scope in ``year``; then the carried-over targets and
    what is not measured. Columns: ``schema.OUTPUT_TABLES["readings"]``."""
    names = sorted({n for r in readings.readings for n in [*r.indicators, *(r.pooled_with or [])]})
    totals = _district_totals(indicator_table, names, year)
    as_read = {
        row["indicator"]: (row["numerator"], row["denominator"]) for row in totals.to_dicts()
    }
    staff_of_year = staff.filter(pl.col("snapshot_year") == year)
    rows: list[dict] = []
    for reading in readings.readings:
        other: dict = {}
        if reading.switch is not None:
            other = _switched(reading, staff_of_year, training, units, rules, year)
        elif reading.pooled_with:
            other = _pooled(reading, as_read)
        rows += _reading_rows(reading, year, as_read, other)
    rows += _rebased_rows(indicator_table, year)
    rows += _carried_rows(rules)
    rows += [
        {
            "kind": "not_measured",
            "reading": item.id,
            "reading_vi": item.text_vi,
            "reading_en": item.text_en,
            "source_lines": item.source_lines,
        }
        for item in readings.not_measured
    ]
    return pl.DataFrame(rows, schema=OUTPUT_TABLES["readings"])


def assumptions_log(doc: Readings, rules: QuotaRules) -> str:
    """``docs/assumptions.md``: the readings in both languages, the carried-over targets and
    what is not measured — the report's section without the numbers of one year's data."""
    labels = {ind.id: (ind.label_vi, ind.label_en) for ind in rules.indicators}
    lines = [
        "# Cách hiểu chương trình / How the programme is read",
        "",
        "Tạo từ `params/readings.yaml` và `params/quotas.yaml` bằng `make assumptions`; một "
        "kiểm thử giữ tệp này khớp với các tệp đó. Báo cáo có cùng nội dung, kèm con số của năm "
        "báo cáo.",
        "Made from `params/readings.yaml` and `params/quotas.yaml` by `make assumptions`; a test "
        "keeps this file in step with them. The report has the same text, with the report "
        "year's numbers.",
        "",
        "## Cách hiểu đã dùng / Readings used",
    ]
    for reading in doc.readings:
        quotas = "; ".join(labels[name][0] for name in reading.indicators)
        lines += [
            "",
            f"- {reading.reading_vi}",
            f"  {reading.reading_en}",
            f"  Chỉ tiêu: {quotas}.",
        ]
        if reading.alternative_vi:
            lines.append(
                f"  Cách hiểu kia / Other reading: {reading.alternative_vi} / "
                f"{reading.alternative_en}."
            )
    lines += ["", "## Mục tiêu được giữ từ năm trước / Targets carried over", ""]
    for row in _carried_rows(rules):
        vi, en = labels[row["indicator"]]
        lines.append(
            f"- {row['target_year']}: {vi} / {en} — giữ mức năm {row['carried_from']} / "
            f"kept at the {row['carried_from']} level (dòng / lines {row['source_lines']})."
        )
    lines += ["", "## Chưa đo / Not measured", ""]
    for item in doc.not_measured:
        lines += [f"- {item.text_vi}", f"  {item.text_en} (dòng / lines {item.source_lines})"]
    return "\n".join(lines) + "\n"

"""Sentences on a level that ended (the district level after 1/7/2025), from the indicators
(``closed_on``, ``carried_from`` on the whole-district rows) and ``closures.csv`` (where its
staff went): said once, above the district charts, in words, with counts and no names."""

from __future__ import annotations

from html import escape

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.strings import t

ALL = "ALL"
# Units named one by one in "where the staff went"; the others are counted together.
DESTINATIONS_NAMED = 8


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def closure_sentences(
    indicators: pl.DataFrame, closures: pl.DataFrame | None, year: int, lang: str
) -> list[str]:
    """One or two sentences per level that ended before 31/12/``year``."""
    if "carried_from" not in indicators.columns:
        return []
    carried = indicators.filter(
        (pl.col("unit") == ALL) & (pl.col("year") == year) & pl.col("carried_from").is_not_null()
    )
    sentences = []
    for level, group in carried.group_by("level", maintain_order=True):
        first = group.sort("target_year").row(0, named=True)
        words = t(f"district.level_{level[0]}", lang)
        sentences.append(
            t(
                "district.closed",
                lang,
                level=words,
                closed_on=_day(first["closed_on"]),
                carried_from=first["carried_from"],
                target_year=first["target_year"],
            )
        )
        went = _where_they_went(closures, level[0], words, lang)
        if went:
            sentences.append(went)
    return sentences


def _where_they_went(closures: pl.DataFrame | None, level: str, words: str, lang: str) -> str:
    if closures is None:
        return ""
    rows = closures.filter((pl.col("level") == level) & pl.col("to_year").is_not_null())
    if rows.is_empty():
        return ""
    first = rows.row(0, named=True)
    parts = []
    stayed = rows.filter(pl.col("own_unit").fill_null(False))
    if not stayed.is_empty():
        count = fmt.count(int(stayed["people"].sum()), lang)
        parts.append(t("district.closed_stayed", lang, count=count, units=stayed.height))
    moved = rows.filter(~pl.col("own_unit").fill_null(False) & pl.col("unit").is_not_null())
    moved = moved.sort("people", descending=True, maintain_order=True)
    for r in moved.head(DESTINATIONS_NAMED).iter_rows(named=True):
        count = fmt.count(r["people"], lang)
        parts.append(t("district.closed_part", lang, count=count, unit=r["unit_name"]))
    rest = moved.slice(DESTINATIONS_NAMED)
    if not rest.is_empty():
        count = fmt.count(int(rest["people"].sum()), lang)
        parts.append(t("district.closed_rest", lang, count=count, units=rest.height))
    gone = rows.filter(pl.col("unit").is_null())
    if not gone.is_empty():
        count = fmt.count(int(gone["people"].sum()), lang)
        parts.append(t("district.closed_out", lang, count=count))
    return t(
        "district.closed_went",
        lang,
        level=words,
        carried_from=first["from_year"],
        year=first["to_year"],
        parts="; ".join(parts),
    )


def closure_html(
    indicators: pl.DataFrame, closures: pl.DataFrame | None, year: int, lang: str
) -> str:
    return "".join(
        f"<p>{escape(s)}</p>" for s in closure_sentences(indicators, closures, year, lang)
    )

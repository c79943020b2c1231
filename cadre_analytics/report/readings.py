"""The report's "How the programme is read" section: every reading of the programme that moves
a number, with the number under the other reading, from the readings frame notebook 02 wrote.
"""

from __future__ import annotations

from html import escape

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import Cell, html_table

SECTION_ID = "readings"


def _labels(indicators: pl.DataFrame, lang: str) -> dict[str, str]:
    column = f"label_{lang}"
    pairs = indicators.select("indicator", column).unique("indicator", keep="first")
    return dict(zip(pairs["indicator"], pairs[column], strict=True))


def _value(share: float | None, numerator: int | None, denominator: int | None, lang: str) -> str:
    if share is None:
        return ""
    return t(
        "readings.value",
        lang,
        share=fmt.percent(share, lang),
        numerator=fmt.count(numerator, lang),
        denominator=fmt.count(denominator, lang),
    )


def _reading_rows(frame: pl.DataFrame, labels: dict[str, str], lang: str) -> list[list]:
    rows = []
    for reading in frame.partition_by("reading", maintain_order=True):
        first = reading.row(0, named=True)
        quotas = []
        for row in reading.iter_rows(named=True):
            label = escape(labels.get(row["indicator"], row["indicator"]))
            if row["alt_share"] is None:
                quotas.append(label)
                continue
            as_read = _value(row["share"], row["numerator"], row["denominator"], lang)
            other = _value(row["alt_share"], row["alt_numerator"], row["alt_denominator"], lang)
            quotas.append(
                f"{label}: <b>{escape(as_read)}</b>; "
                f"{escape(first[f'alternative_{lang}'] or '')}: {escape(other)}"
            )
        rows.append(
            [
                Cell(first[f"reading_{lang}"]),
                Cell("<br>".join(quotas), html=True),
            ]
        )
    return rows


def _carried_sentences(frame: pl.DataFrame, labels: dict[str, str], lang: str) -> list[str]:
    """One sentence per (target year, year carried from): which targets are kept."""
    sentences = []
    for group in frame.partition_by(["target_year", "carried_from"], maintain_order=True):
        row = group.row(0, named=True)
        sentences.append(
            t(
                "readings.carried",
                lang,
                target_year=row["target_year"],
                carried_from=row["carried_from"],
                quotas="; ".join(labels.get(name, name) for name in group["indicator"]),
            )
        )
    return sentences


def section_readings(readings: pl.DataFrame, indicators: pl.DataFrame, lang: str) -> str:
    """HTML of the section; the year the numbers are for is the frame's ``year``."""
    labels = _labels(indicators, lang)
    stated = readings.filter(pl.col("kind") == "reading")
    years = stated["year"].drop_nulls()
    year = years[0] if len(years) else ""
    body = f"<p>{escape(t('readings.intro', lang, year=year, **scope_words(lang)))}</p>"
    body += html_table(
        [t("readings.col_reading", lang), t("readings.col_effect", lang)],
        _reading_rows(stated, labels, lang),
        t("readings.caption", lang),
        row_header=False,
    )
    carried = readings.filter(pl.col("kind") == "carried")
    body += "".join(f"<p>{escape(s)}</p>" for s in _carried_sentences(carried, labels, lang))
    not_measured = readings.filter(pl.col("kind") == "not_measured")
    if not not_measured.is_empty():
        items = "".join(f"<li>{escape(text)}</li>" for text in not_measured[f"reading_{lang}"])
        body += f"<h3>{escape(t('readings.not_measured', lang))}</h3><ul>{items}</ul>"
    return (
        f'<section id="{SECTION_ID}" class="report-section">'
        f"<h2>{escape(t('section.readings', lang))}</h2>{body}</section>"
    )

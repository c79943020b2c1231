"""Three to five summary sentences written from the numbers (templates in the catalogue)."""

from __future__ import annotations

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import quota_label


def summary_sentences(
    summary: pl.DataFrame,
    year: int,
    lang: str,
    *,
    has_projection: bool,
    matrix: pl.DataFrame | None = None,
    change: pl.DataFrame | None = None,
    previous_year: int | None = None,
    requirements: pl.DataFrame | None = None,
) -> list[str]:
    """The key findings, each computed from the frames; at most five."""
    if summary.is_empty():
        return []
    out: list[str] = []
    nxt = summary["next_target_year"][0]
    with_target = summary.filter(pl.col("met_now").is_not_null())
    out.append(
        t(
            "narrative.overview",
            lang,
            year=year,
            met=fmt.number(with_target.filter(pl.col("met_now")).height, lang),
            total=fmt.number(with_target.height, lang),
            target_year=nxt,
        )
    )
    status_cols = sorted(c for c in summary.columns if c.startswith("status_"))
    last_col = status_cols[-1] if status_cols else None
    if has_projection and last_col:
        last_year = int(last_col.split("_")[1])
        out.append(
            t(
                "narrative.on_off",
                lang,
                on_track=fmt.number(summary.filter(pl.col(last_col) == "on_track").height, lang),
                off_track=fmt.number(summary.filter(pl.col(last_col) == "off_track").height, lang),
                target_year=last_year,
            )
        )
    else:
        out.append(t("narrative.no_projection", lang))
    gaps = summary.filter(pl.col("gap_persons").fill_null(0) > 0).sort(
        ["gap_persons", "indicator"], descending=[True, False]
    )
    if gaps.height:
        g = gaps.row(0, named=True)
        out.append(
            t(
                "narrative.largest_gap",
                lang,
                quota=quota_label(g["indicator"], lang),
                share=fmt.percent(g["share"], lang),
                target=fmt.target(g[f"target_{nxt}"], g[f"comparator_{nxt}"], lang),
                people=fmt.number(g["gap_persons"], lang),
            )
        )
    else:
        out.append(t("narrative.all_met", lang, target_year=nxt))
    if matrix is not None and matrix.height:
        worst = matrix.sort("rank").row(0, named=True)
        if worst["unmet"]:
            total = matrix.filter(pl.col("unit") == worst["unit"]).height
            out.append(
                t(
                    "narrative.weakest_commune",
                    lang,
                    commune=worst["unit_name"] or worst["unit"],
                    count=fmt.number(worst["unmet"], lang),
                    total=fmt.number(total, lang),
                )
            )
    if change is not None and change.height and previous_year is not None:
        big = change.filter(pl.col("delta").is_not_null())
        if big.height:
            b = big.sort(pl.col("delta").abs(), descending=True).row(0, named=True)
            out.append(
                t(
                    "narrative.biggest_change",
                    lang,
                    previous=previous_year,
                    quota=quota_label(b["indicator"], lang),
                    change=fmt.points(b["delta"], lang),
                )
            )
    if len(out) < 5 and requirements is not None and requirements.height and nxt is not None:
        per_year = requirements.filter((pl.col("unit") == "ALL") & (pl.col("target_year") == nxt))[
            "extra_completions_per_year"
        ].sum()
        if per_year:
            out.append(
                t(
                    "narrative.what_it_takes",
                    lang,
                    target_year=nxt,
                    per_year=fmt.number(per_year, lang, 0),
                )
            )
    return out[:5]

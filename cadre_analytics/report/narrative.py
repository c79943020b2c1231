"""Three to five summary sentences written from the numbers (templates in the catalogue)."""

from __future__ import annotations

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.settings import scope_words, settings
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import quota_label

# Names listed in a sentence before "and N more".
NAMES_LISTED = 3


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
    headline: str | None = None,
) -> list[str]:
    """The key findings, each computed from the frames; at most five. ``headline``: the
    headline scenario's name for people."""
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
            **scope_words(lang),
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
                scenario=headline or t("format.missing", lang),
                on_track=fmt.number(summary.filter(pl.col(last_col) == "on_track").height, lang),
                off_track=fmt.number(summary.filter(pl.col(last_col) == "off_track").height, lang),
                target_year=last_year,
            )
        )
    else:
        out.append(t("narrative.no_projection", lang))
    cuts = summary.filter(pl.col("cut")) if "cut" in summary.columns else summary.clear()
    # People short and posts to cut are different things: the cut is never "the largest gap".
    out.append(
        _largest_gap(
            summary.filter(~pl.col("indicator").is_in(cuts["indicator"].to_list())), nxt, lang
        )
    )
    if matrix is not None and matrix.height:
        sentence = _weakest_communes(matrix, lang)
        if sentence:
            out.append(sentence)
    if change is not None and change.height and previous_year is not None:
        out.append(_biggest_change(change, previous_year, lang))
    out += [_staffing_cut(r, year, nxt, lang) for r in cuts.iter_rows(named=True)][: 5 - len(out)]
    if len(out) < 5 and requirements is not None and requirements.height:
        out += _what_it_takes(requirements, lang)[: 5 - len(out)]
    return out[:5]


def _what_it_takes(requirements: pl.DataFrame, lang: str) -> list[str]:
    """Course completions at the first later target year, per year and in all, apart from the
    annual update, which is the same number of people again every year."""
    whole = requirements.filter(
        (pl.col("unit") == "ALL") & (pl.col("extra_completions_total").fill_null(0) > 0)
    )
    if whole.is_empty():
        return []
    first = whole["target_year"].min()
    whole = whole.filter(pl.col("target_year") == first)
    recurring = whole.filter(pl.col("recurring").fill_null(False))
    courses = whole.filter(~pl.col("recurring").fill_null(False))
    out = []
    if courses.height:
        out.append(
            t(
                "narrative.what_it_takes",
                lang,
                target_year=first,
                per_year=fmt.number(courses["extra_completions_per_year"].sum(), lang, 0),
                total=fmt.number(courses["extra_completions_total"].sum(), lang),
                **scope_words(lang),
            )
        )
    if recurring.height:
        out.append(
            t(
                "narrative.what_it_takes_recurring",
                lang,
                per_year=fmt.number(recurring["extra_completions_per_year"].sum(), lang, 0),
            )
        )
    return out


def _listing(names: list[str], lang: str) -> str:
    """«A», «B», «C» và 2 nơi khác — every tied name counted, the first few named."""
    shown = ", ".join(f"«{n}»" for n in names[:NAMES_LISTED])
    rest = len(names) - NAMES_LISTED
    return t("narrative.and_more", lang, names=shown, rest=rest) if rest > 0 else shown


def _largest_gap(summary: pl.DataFrame, nxt: int | None, lang: str) -> str:
    gaps = summary.filter(pl.col("gap_persons").fill_null(0) > 0)
    over = f"over_{nxt}"
    if over in gaps.columns:  # people over a range's upper bound are not people short
        gaps = gaps.filter(~pl.col(over).fill_null(False))
    if not gaps.height:
        return t("narrative.all_met", lang, target_year=nxt)
    largest = gaps["gap_persons"].max()
    tied = gaps.filter(pl.col("gap_persons") == largest).sort("indicator")
    if tied.height > 1:
        return t(
            "narrative.largest_gap_tied",
            lang,
            count=fmt.number(tied.height, lang),
            people=fmt.number(largest, lang),
            quotas=_listing([quota_label(i, lang) for i in tied["indicator"]], lang),
        )
    g = tied.row(0, named=True)
    return t(
        "narrative.largest_gap",
        lang,
        quota=quota_label(g["indicator"], lang),
        share=fmt.percent_against(g["share"], g[f"target_{nxt}"], g[f"comparator_{nxt}"], lang, 1),
        target=fmt.target(g[f"target_{nxt}"], g[f"comparator_{nxt}"], lang),
        people=fmt.number(g["gap_persons"], lang),
    )


def _staffing_cut(row: dict, year: int, nxt: int, lang: str) -> str:
    """The staffing cut in its own terms: headcount against the base year, posts to cut."""
    base_year = row.get(f"base_{nxt}")
    quota = quota_label(row["indicator"], lang)
    if base_year is not None and base_year >= year:
        return t(
            "narrative.cut_not_started", lang, quota=quota, target_year=nxt, base_year=base_year
        )
    return t(
        "narrative.staffing_cut",
        lang,
        quota=quota,
        year=year,
        now=fmt.number(row["numerator"], lang),
        share=fmt.percent_against(
            row["share"], row[f"target_{nxt}"], row[f"comparator_{nxt}"], lang, 1
        ),
        base_year=base_year,
        target=fmt.target(row[f"target_{nxt}"], row[f"comparator_{nxt}"], lang),
        posts=fmt.number(row[f"gap_{nxt}"] or 0, lang),
        target_year=nxt,
    )


def _weakest_communes(matrix: pl.DataFrame, lang: str) -> str | None:
    """The commune(s) with most quotas not met; all of them when several tie."""
    per_unit = matrix.group_by("unit", maintain_order=True).agg(
        pl.col("unit_name").first(), pl.col("unmet").first(), pl.len().alias("total")
    )
    most = per_unit["unmet"].max()
    if not most:
        return None
    tied = per_unit.filter(pl.col("unmet") == most)
    names = [row["unit_name"] or row["unit"] for row in tied.iter_rows(named=True)]
    totals = sorted(set(tied["total"]))
    total = (
        fmt.number(totals[0], lang)
        if len(totals) == 1
        else "–".join(fmt.number(x, lang) for x in (totals[0], totals[-1]))
    )
    if len(names) == 1:
        return t(
            "narrative.weakest_commune",
            lang,
            commune=names[0],
            count=fmt.number(most, lang),
            total=total,
        )
    return t(
        "narrative.weakest_communes_tied",
        lang,
        n=fmt.number(len(names), lang),
        communes=_listing(names, lang),
        count=fmt.number(most, lang),
        total=total,
    )


def _biggest_change(change: pl.DataFrame, previous_year: int, lang: str) -> str:
    """The largest change in share among quotas whose count moved by enough people to mean
    something; one person in a group of nine is no headline."""
    minimum = settings().min_change_people
    big = change.filter(pl.col("delta").is_not_null() & (pl.col("people_delta").abs() >= minimum))
    if not big.height:
        return t("narrative.no_big_change", lang, previous=previous_year, people=minimum)
    largest = big["delta"].abs().max()
    tied = big.filter(pl.col("delta").abs() == largest).sort("indicator")
    quotas = _listing([quota_label(i, lang) for i in tied["indicator"]], lang)
    first = tied.row(0, named=True)
    return t(
        "narrative.biggest_change",
        lang,
        previous=previous_year,
        quota=quotas,
        change=fmt.points(first["delta"], lang),
        people=fmt.number(first["people_delta"], lang, sign=True),
    )

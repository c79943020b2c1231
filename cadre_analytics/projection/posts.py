"""Leadership posts: who holds one, and who is appointed when one falls empty.

A post is what the staff fields ``key_leader`` and ``leadership`` say a person holds (a key
leader, a district leader, a division leader, or a combination). Each (unit, staff type)
group keeps as many posts of each kind as it had on the YEAR roster. Kinds are filled from the
most senior down (district leaders, then division leaders, key leaders before others at the
same level), so a division head promoted to a district post leaves a division post that is
filled in the same year. An empty post goes first to people of the group in the planning pool
(``succession_planned``), then to holders of a less senior post who meet the post's standard
(``post_standards`` in ``params/scenarios/_staffing.yaml``), then to anyone else of the group
who meets it; within each, those who can serve longest (latest leave year) first. Hires are
never appointed in the projection's few years. The appointed person keeps every
other field, so the quotas read inside a post (key leaders with a postgraduate degree, leaders
with a foreign language) move with who is appointed; their planning-pool flag is kept too (the
pool is not re-planned in the projection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy import sparse

from cadre_analytics import indicators
from cadre_analytics.params import QuotaRules, Scenario

if TYPE_CHECKING:
    from cadre_analytics.projection.model import Cohorts

POST_FIELDS = ("key_leader", "leadership")
SEP = "\x1f"


def holds_post(columns) -> pl.Expr:
    """True where the row holds a leadership post."""
    held = pl.lit(False)
    if "key_leader" in columns:
        held |= pl.col("key_leader").fill_null(False)
    if "leadership" in columns:
        held |= pl.col("leadership").fill_null("none") != "none"
    return held


def _seniority(columns) -> pl.Expr:
    """0 for no post; higher for a more senior one (district > division; key leader first)."""
    level = pl.lit(0)
    if "leadership" in columns:
        level = pl.col("leadership").replace_strict(
            {"district": 2, "division": 1}, default=0, return_dtype=pl.Int32
        )
    key = pl.col("key_leader").fill_null(False) if "key_leader" in columns else pl.lit(False)
    return (level.fill_null(0) * 2 + key.cast(pl.Int32)).cast(pl.Int32)


def _kind_seniority(kind: dict) -> int:
    level = {"district": 2, "division": 1}.get(kind.get("leadership"), 0)
    return level * 2 + int(bool(kind.get("key_leader")))


def _group_key() -> pl.Expr:
    return pl.concat_str([pl.col("unit"), pl.col("staff_type")], separator=SEP)


def post_kinds(start: pl.DataFrame) -> list[tuple[dict, list[str]]]:
    """The kinds of post held on the YEAR roster, most senior first: (the post fields'
    values, the (unit, staff type) groups holding one)."""
    fields = [f for f in POST_FIELDS if f in start.columns]
    if not fields:
        return []
    kinds = (
        start.filter(holds_post(start.columns))
        .group_by(fields, maintain_order=True)
        .agg(_group_key().unique().sort().alias("_groups"))
    )
    rows = [(r, r.pop("_groups")) for r in kinds.iter_rows(named=True)]
    return sorted(rows, key=lambda row: -_kind_seniority(row[0]))


def standard_of(kind: dict, standards: dict, rules: QuotaRules) -> dict[str, str]:
    """The minimum levels a post of this kind asks: the strictest of its parts' standards."""
    parts = []
    if kind.get("key_leader"):
        parts.append(standards.get("key_leader", {}))
    if kind.get("leadership") not in (None, "none"):
        parts.append(standards.get(kind["leadership"], {}))
    out: dict[str, str] = {}
    for part in parts:
        for a, level in part.items():
            rank = indicators.rank_map(a, rules)
            if a not in out or rank.get(level, -1) > rank.get(out[a], -1):
                out[a] = level
    return out


def _meets(standard: dict, rules: QuotaRules) -> pl.Expr:
    ok = pl.lit(True)
    for a, level in standard.items():
        rank = indicators.rank_map(a, rules)
        have = pl.col(a).replace_strict(rank, default=-1, return_dtype=pl.Int16).fill_null(-1)
        ok &= have >= rank.get(level, 10**4)
    return ok


def _pool(columns) -> pl.Expr:
    if "succession_planned" not in columns:
        return pl.lit(False)
    return pl.col("succession_planned").fill_null(False)


def candidate(kind: dict, groups: list[str], standard: dict, rules, columns) -> pl.Expr:
    """May a cohort be appointed to a post of this kind? YEAR staff holding no post or a less
    senior one, in a group with such posts, in the planning pool or meeting the standard."""
    ok = ~pl.col("_hire") & (_seniority(columns) < _kind_seniority(kind))
    ok &= _group_key().is_in(groups)
    return (ok & (_pool(columns) | _meets(standard, rules))).fill_null(False)


def _order(columns) -> pl.Expr:
    """Who is appointed first: the planning pool (0), holders of a less senior post (1),
    others (2)."""
    return pl.when(_pool(columns)).then(0).when(_seniority(columns) > 0).then(1).otherwise(2)


def appoint(frame: pl.DataFrame, kind: dict) -> pl.DataFrame:
    """The same rows with the post's fields set (their cohort key once appointed)."""
    return frame.with_columns([pl.lit(v, dtype=frame.schema[f]).alias(f) for f, v in kind.items()])


def closure_moves(start: pl.DataFrame, scenarios: list[Scenario], rules: QuotaRules) -> list:
    """(fields to set, who may) for every post kind under every scenario refilling posts: the
    cohorts an appointment can reach must exist before the simulation."""
    kinds = post_kinds(start)
    moves = []
    for s in scenarios:
        if not s.refill_posts:
            continue
        for row, groups in kinds:
            standard = standard_of(row, s.post_standard, rules)
            moves.append((row, candidate(row, groups, standard, rules, start.columns)))
    return moves


@dataclass
class PostArrays:
    """Per post kind: seats per (unit, staff type) group, the cohorts holding one, and the
    cohorts that may be appointed (group-major, in the order they are chosen)."""

    seats: np.ndarray  # kind x group: posts on the YEAR roster
    holders: list[sparse.csr_matrix]  # kind -> group x cohort: 1 where the cohort holds one
    src: list[np.ndarray]  # kind -> candidate cohorts, by group then priority
    src_group: list[np.ndarray]  # kind -> each candidate's group
    dest: list[np.ndarray]  # kind -> cohort each candidate moves to when appointed


def post_arrays(cohorts: Cohorts, scenario: Scenario, rules: QuotaRules) -> PostArrays | None:
    """The arrays :mod:`.simulate` refills posts with; None when the scenario does not."""
    frame = cohorts.frame
    start = frame.filter(pl.Series(cohorts.start_count > 0))
    kinds = post_kinds(start)
    if not scenario.refill_posts or not kinds:
        return None
    n_groups = len(cohorts.group_size)
    seats, holders, src, src_group, dest = [], [], [], [], []
    for row, groups in kinds:
        mine = frame.select(
            holds_post(frame.columns)
            & pl.all_horizontal([pl.col(f).eq_missing(v) for f, v in row.items()])
        ).to_series()
        held = np.flatnonzero(mine.to_numpy())
        ones = np.ones(held.size)
        shape = (n_groups, cohorts.size)
        holders.append(sparse.csr_matrix((ones, (cohorts.group[held], held)), shape=shape))
        seats.append(
            np.bincount(
                cohorts.group[held], weights=cohorts.start_count[held], minlength=n_groups
            ).astype(np.int64)
        )
        standard = standard_of(row, scenario.post_standard, rules)
        ok = candidate(row, groups, standard, rules, frame.columns)
        chosen = frame.with_columns(pl.Series("_grp", cohorts.group)).filter(ok)
        chosen = chosen.with_columns(_order(frame.columns).alias("_later")).sort(
            ["_grp", "_later", "leave_year", "_c"], descending=[False, False, True, False]
        )
        c = chosen["_c"].to_numpy().astype(np.int64)
        to = cohorts.find(appoint(chosen.drop("_grp", "_later"), row))
        keep = to >= 0
        src.append(c[keep])
        src_group.append(cohorts.group[c[keep]])
        dest.append(to[keep])
    return PostArrays(np.stack(seats), holders, src, src_group, dest)

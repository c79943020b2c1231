"""Projection of every quota to 2030: a stock-and-flow over people (issue 5).

Start from the YEAR roster. For each year Y = YEAR+1 … 2030, as of 31 December Y:

1. retirement on the statutory schedule (:mod:`cadre_analytics.retirement`);
2. courses in progress (``studying_*_until``) complete, raising the level only if higher
   (completion rate per scenario; a course due after the person has retired does not count;
   one overdue at YEAR is taken to finish in YEAR+1);
3. other exits by age band (none in ``baseline``; estimated from the roster history in
   ``history_rates``);
4. recruitment: leavers replaced, or the staffing-cut path followed, new hires drawn from a
   qualification mix;
5. planned training: extra completions per year per course and population, given to the
   eligible people with the latest retirement first.

How the quota conditions are evaluated without reimplementing them: a person's flags depend
only on the fields the rules read (``within``/``counts_when``, staff type, the unit's level).
People are grouped into *level profiles* (same unit level and same values of every referenced
field that the projection does not change); :func:`indicators.flag_people` runs ONCE on every
level profile x combination of the changeable levels, and the simulation only tracks small
integer codes per person. A (unit, level profile, levels) maps to a *class* (unit + flag
pattern); counting a year is one ``bincount`` over classes.

Large rosters: a Monte Carlo whose draws x people exceed ``MC_CHUNK_ELEMENTS`` runs whole units
at a time (see :func:`_simulate_by_unit_chunks`), which keeps memory bounded.

Monte Carlo: scenarios with rates strictly between 0 and 1 run ``scenario.draws`` seeded draws
and report P10/P50/P90 of each share (``share`` is then the mean share over draws; ``numerator``
and ``denominator`` the medians, whole numbers). With every rate 0 or 1 the draws coincide with
the deterministic path, which is what ``baseline`` runs (one draw, exact integer counts).
:func:`_simulate` is event-driven: the counts per output pair and draw are kept up to date from
the people whose class changes (retirement, exit, course completed, hire), drawn as exact
Bernoulli events (exits through geometric gaps, so their cost follows the number of exits);
changes that every draw shares (a retirement, a completion in the draws where nothing else
happened to that person) are applied to all draws at once. Its cost follows the events and the
size of the output (draws x pairs), not draws x people x years. :func:`_simulate_slots`, the
former per-slot implementation, is kept as the reference it is tested against
(tests/test_projection_mc.py).

Annual-update indicators: future training updates are unknown, so each person's YEAR status is
carried forward; those rows say so in the ``assumption`` column.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import numpy as np
import polars as pl

from cadre_analytics import indicators
from cadre_analytics.errors import ParamsError
from cadre_analytics.params import (
    SCENARIO_BOOLEAN_ATTRIBUTES,
    SCENARIO_ORDINAL_ATTRIBUTES,
    Course,
    QuotaCondition,
    QuotaRules,
    RetirementSchedule,
    Scenario,
)
from cadre_analytics.retirement import retirement_date_expr
from cadre_analytics.schema import STAFF_COLUMNS

HORIZON = 2030
ALL = indicators.ALL_UNITS
NEVER = 9999  # retirement year for people whose retirement date is unknown
MAX_AGE = 150
# Elements (draws x people) handled at once by the Monte Carlo; bounds memory on big frames.
BATCH_ELEMENTS = 4_000_000
# Above this many draws x people, a Monte Carlo runs unit by unit (chunks of whole units), so
# that the per-draw results kept for the percentiles stay small.
MC_CHUNK_ELEMENTS = 8_000_000

PROJECTION_SCHEMA = {
    "indicator": pl.Utf8,
    "level": pl.Utf8,
    "unit": pl.Utf8,
    "year": pl.Int32,
    "scenario": pl.Utf8,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "share": pl.Float64,
    "share_p10": pl.Float64,
    "share_p50": pl.Float64,
    "share_p90": pl.Float64,
    "target_year": pl.Int32,
    "target": pl.Float64,
    "met": pl.Boolean,
    "assumption": pl.Utf8,
}
REQUIREMENTS_SCHEMA = {
    "indicator": pl.Utf8,
    "unit": pl.Utf8,
    "target_year": pl.Int32,
    "extra_completions_total": pl.Int64,
    "extra_completions_per_year": pl.Int64,
    "eligible_people": pl.Int64,
}
ELIGIBLE_SCHEMA = {
    "indicator": pl.Utf8,
    "unit": pl.Utf8,
    "target_year": pl.Int32,
    "course": pl.Utf8,
    "course_label_vi": pl.Utf8,
    "attribute": pl.Utf8,
    "current_level": pl.Utf8,
    "staff_id": pl.Utf8,
    "full_name": pl.Utf8,
    "retirement_date": pl.Date,
}
TREND_SCHEMA = {
    "indicator": pl.Utf8,
    "level": pl.Utf8,
    "unit": pl.Utf8,
    "year": pl.Int32,
    "share_trend": pl.Float64,
    "n_snapshots": pl.Int32,
    "first_year": pl.Int32,
    "last_year": pl.Int32,
    "label": pl.Utf8,
}
TREND_LABEL = "Kiểm tra hợp lý: xu hướng tuyến tính / Sanity check: linear trend"
ASSUMPTION_CARRIED = (
    "Giữ nguyên tình trạng cập nhật kiến thức của năm {year} / "
    "Annual-update status of {year} carried forward"
)


@dataclass
class ProjectionResult:
    projection: pl.DataFrame  # PROJECTION_SCHEMA (OUT/projection.csv)
    requirements: pl.DataFrame  # REQUIREMENTS_SCHEMA (OUT/requirements.csv)
    eligible: pl.DataFrame  # ELIGIBLE_SCHEMA, person-level: OUT/restricted/ only
    trend: pl.DataFrame  # TREND_SCHEMA (OUT/trend.csv)
    notes: list[str] = field(default_factory=list)  # Vietnamese / English, for the notebook


# --- rules introspection ------------------------------------------------------------------


def _condition_fields(cond: QuotaCondition | None) -> set[str]:
    if cond is None:
        return set()
    found = {cond.field} if cond.field else set()
    for child in cond.children:
        found |= _condition_fields(child)
    return found


def referenced_fields(rules: QuotaRules) -> set[str]:
    """Staff fields the quota rules read (plus staff_type and unit, which define populations)."""
    found = {"staff_type", "unit"}
    for ind in rules.indicators:
        found |= _condition_fields(ind.within) | _condition_fields(ind.counts_when)
    return found


def _carried_indicators(rules: QuotaRules) -> set[str]:
    """Indicators reading the annual update: the YEAR status is carried forward."""
    return {
        ind.id
        for ind in rules.indicators
        if "updated_in_year" in (_condition_fields(ind.within) | _condition_fields(ind.counts_when))
    }


def _ranks(attribute: str, rules: QuotaRules) -> dict:
    if attribute in SCENARIO_BOOLEAN_ATTRIBUTES:
        return {False: 0, True: 1}
    return indicators.rank_map(attribute, rules)


def _share_target(ind, target_year: int):
    t = ind.targets.get(target_year)
    return (None, None) if t is None else (t.value / 100, t.comparator)


# --- the prepared model -------------------------------------------------------------------


@dataclass
class _Model:
    year: int
    years: list[int]
    people: pl.DataFrame  # start roster, sorted by group, with helper columns
    n: int
    attrs: list[str]  # changeable attributes (class-table axes)
    values: dict[str, list]  # attribute -> value per code
    rank: dict[str, np.ndarray]  # attribute -> rank per code
    code0: dict[str, np.ndarray]  # attribute -> start code per person
    strides: dict[str, int]
    n_combos: int
    profile: np.ndarray  # person -> unit profile id
    class_table: np.ndarray  # unit profile * n_combos + combo -> class id
    class_unit: np.ndarray  # class -> unit index (into units_list)
    class_pop: np.ndarray  # class x indicator -> bool
    class_num: np.ndarray
    units_list: list[str]
    unit_level: dict[str, str]
    indicator_ids: list[str]
    group: np.ndarray  # person -> (unit, staff_type) group id
    group_start: np.ndarray  # first person index of each group (persons sorted by group)
    group_unit: list[str]
    group_type: list[str]
    hire_up: np.ndarray  # group x boolean-mix bits -> unit profile of a new hire
    hire_bool_attrs: list[str]
    retire_year: np.ndarray
    birth_year: np.ndarray
    studying: dict[str, tuple[np.ndarray, np.ndarray]]  # attr -> (year due, target code)
    headcount_member: np.ndarray  # person in the o_pe_headcount population (bool)
    pairs_ind: np.ndarray  # output pair -> indicator index
    pairs_unit: list[str]  # output pair -> unit code or ALL
    plan_pop: list  # per indicator: (classes, reduceat starts, pair columns, ALL column)
    plan_num: list
    rules: QuotaRules
    notes: list[str] = field(default_factory=list)
    rank_cache: dict = field(default_factory=dict)


def _start_roster(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    year: int,
) -> pl.DataFrame:
    people = staff.filter(pl.col("snapshot_year") == year)
    people = indicators.updated_in_year(people, training, year, rules)
    retire = retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule)
    return people.with_columns(retire.alias("retirement_date")).with_columns(
        pl.col("retirement_date").dt.year().cast(pl.Int32).alias("_retire_year"),
        pl.col("birth_date").dt.year().cast(pl.Int32).alias("_birth_year"),
    )


def _blank_people(n: int) -> dict:
    return {c: pl.Series(c, [None] * n, dtype=t) for c, t in STAFF_COLUMNS.items()}


def _eval_flags(frame: pl.DataFrame, units: pl.DataFrame, rules: QuotaRules) -> pl.DataFrame:
    """flag_people on synthetic rows (unique fake ids keep any join by staff_id one-to-one)."""
    frame = frame.with_columns(
        pl.int_range(pl.len()).cast(pl.Utf8).alias("staff_id"),
        pl.lit(None, dtype=pl.Int32).alias("snapshot_year"),
    )
    return indicators.flag_people(frame, units, rules)


def _prepare(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    scenarios: list[Scenario],
    year: int,
) -> _Model:
    """The model for the YEAR roster of ``staff`` (see :func:`_prepare_people`)."""
    people = _start_roster(staff, training, rules, schedule, year)
    return _prepare_people(people, units, rules, scenarios, year)


def _prepare_people(
    people: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    scenarios: list[Scenario],
    year: int,
) -> _Model:
    """Codes, profiles, class table and output pairs for a start roster (``_start_roster``)."""
    notes: list[str] = []
    years = list(range(year + 1, HORIZON + 1))
    fields = referenced_fields(rules)
    # Changeable attributes: courses in progress, planned courses, the hires' ordinal mix.
    attrs: list[str] = []
    for attr in ("education", "political_theory"):
        col = f"studying_{attr}"
        if col in people.columns and people[col].drop_nulls().len() > 0:
            attrs.append(attr)
    for s in scenarios:
        for p in s.planned:
            a = s.courses[p.course].attribute
            if a not in attrs:
                attrs.append(a)
        if s.recruitment != "none":
            for a in s.hire_mix:
                if a in SCENARIO_ORDINAL_ATTRIBUTES and a not in attrs:
                    attrs.append(a)
    attrs = [a for a in attrs if a in fields]  # an attribute no rule reads cannot move a share

    # Codes: every value seen, studied, planned or hired, in rank order; null is code 0.
    values: dict[str, list] = {}
    rank: dict[str, np.ndarray] = {}
    for a in attrs:
        ranks = _ranks(a, rules)
        seen = set(people[a].drop_nulls().unique().to_list())
        col = f"studying_{a}"
        if col in people.columns:
            seen |= set(people[col].drop_nulls().unique().to_list())
        for s in scenarios:
            seen |= {
                s.courses[p.course].level for p in s.planned if s.courses[p.course].attribute == a
            }
            if s.recruitment != "none" and isinstance(s.hire_mix.get(a), dict):
                seen |= set(s.hire_mix[a])
            elif s.recruitment != "none" and a in s.hire_mix:
                seen |= {False, True}
        ordered = sorted(seen, key=lambda v: (ranks.get(v, -1), str(v)))
        values[a] = [None, *ordered]
        rank[a] = np.array([-1] + [ranks.get(v, -1) for v in ordered], dtype=np.int16)

    # Groups (unit, staff_type), persons sorted by group so each group is contiguous.
    people = people.with_columns(
        pl.col("unit").fill_null("").alias("_g_unit"),
        pl.col("staff_type").fill_null("").alias("_g_type"),
    ).sort("_g_unit", "_g_type", "staff_id")
    n = people.height
    groups = people.select("_g_unit", "_g_type").unique(maintain_order=True)
    people = people.join(
        groups.with_row_index("_group"), on=["_g_unit", "_g_type"], how="left"
    ).sort("_group", "staff_id", maintain_order=True)
    group = people["_group"].to_numpy().astype(np.int32)
    group_start = np.searchsorted(group, np.arange(groups.height)).astype(np.int64)

    code0 = {}
    for a in attrs:
        lookup = {v: i for i, v in enumerate(values[a]) if v is not None}
        code0[a] = (
            people[a].replace_strict(lookup, default=0, return_dtype=pl.Int8).to_numpy().copy()
        )

    # Profiles. A person's flags depend on the unit only through its level (unless a condition
    # names the unit), so flag_people runs once per *level profile* (the referenced fields the
    # projection does not change, plus the unit's level) x combination of changeable codes.
    # A *unit profile* is (unit, level profile); a class is (unit, flag pattern).
    cond_fields: set[str] = set()
    for ind in rules.indicators:
        cond_fields |= _condition_fields(ind.within) | _condition_fields(ind.counts_when)
    by_unit = "unit" in cond_fields
    static_fields = sorted(
        f for f in fields if f not in attrs and f in people.columns and f not in ("unit",)
    )
    units_list = units["code"].to_list()
    unit_level = dict(zip(units_list, units["level"].to_list(), strict=True))
    unit_index = {u: i for i, u in enumerate(units_list)}
    rep_unit: dict[str, str] = {}
    for u in units_list:
        rep_unit.setdefault(unit_level[u], u)
    people = people.with_columns(
        pl.col("unit")
        .replace_strict(unit_level, default=None, return_dtype=pl.Utf8)
        .alias("_unit_level"),
        pl.col("unit").replace_strict(unit_index, default=-1, return_dtype=pl.Int64).alias("_uix"),
    )
    lp_cols = [*static_fields, "_unit_level", *(["unit"] if by_unit else [])]

    # New hires: per group, every combination of the boolean mix attributes.
    hire_bool_attrs = sorted(
        {
            a
            for s in scenarios
            if s.recruitment != "none"
            for a in s.hire_mix
            if a in SCENARIO_BOOLEAN_ATTRIBUTES and a in static_fields
        }
    )
    n_bits = 2 ** len(hire_bool_attrs)
    hire_defaults = {
        "key_leader": False,
        "leadership": "none",
        "succession_planned": False,
        "state_management": "none",
        "foreign_language": "none",
        "it_use": False,
        "education_fits_position": False,
        "updated_in_year": False,
    }
    hire_exprs = []
    for f in static_fields:
        dtype = people.schema[f]
        if f == "staff_type":
            expr = pl.when(pl.col("_g_type") != "").then(pl.col("_g_type"))
        elif f in hire_bool_attrs:
            expr = (pl.col("_bits") // 2 ** hire_bool_attrs.index(f)) % 2 == 1
        elif f in hire_defaults:
            expr = pl.lit(hire_defaults[f])
        else:
            expr = pl.lit(None)
        hire_exprs.append(expr.cast(dtype).alias(f))
    hires = (
        groups.with_row_index("_group")
        .join(pl.DataFrame({"_bits": np.arange(n_bits, dtype=np.int64)}), how="cross")
        .sort("_group", "_bits")
        .with_columns(
            pl.when(pl.col("_g_unit") != "").then(pl.col("_g_unit")).alias("unit"),
        )
        .with_columns(
            *hire_exprs,
            pl.col("unit")
            .replace_strict(unit_level, default=None, return_dtype=pl.Utf8)
            .alias("_unit_level"),
            pl.col("unit")
            .replace_strict(unit_index, default=-1, return_dtype=pl.Int64)
            .alias("_uix"),
        )
    )
    both = pl.concat(
        [people.select(*lp_cols, "_uix"), hires.select(*lp_cols, "_uix")], how="vertical"
    ).with_row_index("_row")
    lps = both.select(lp_cols).unique(maintain_order=True).with_row_index("_lp")
    both = both.join(lps, on=lp_cols, how="left", nulls_equal=True)
    ups = both.select("_uix", "_lp").unique(maintain_order=True).with_row_index("_up")
    both = both.join(ups, on=["_uix", "_lp"], how="left").sort("_row")
    up_ids = both["_up"].to_numpy().astype(np.int64)
    profile = up_ids[:n]
    hire_up = up_ids[n:].reshape(groups.height, n_bits)

    # flag_people once per level profile x combination of codes.
    strides, n_combos = {}, 1
    for a in reversed(attrs):
        strides[a] = n_combos
        n_combos *= len(values[a])
    combos = pl.DataFrame(
        [pl.Series("_combo", np.arange(n_combos, dtype=np.int64))]
        + [
            pl.Series(
                a,
                [values[a][(c // strides[a]) % len(values[a])] for c in range(n_combos)],
                dtype=people.schema[a],
            )
            for a in attrs
        ]
    )
    grid = lps.join(combos, how="cross").sort("_lp", "_combo")
    if not by_unit:
        grid = grid.with_columns(
            pl.col("_unit_level")
            .replace_strict(rep_unit, default=None, return_dtype=pl.Utf8)
            .alias("unit")
        )
    blank = _blank_people(grid.height)
    frame = grid.with_columns([blank[c] for c in STAFF_COLUMNS if c not in grid.columns])
    if "updated_in_year" not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias("updated_in_year"))
    flags = _eval_flags(frame.drop("_unit_level"), units, rules)
    ind_ids = [i.id for i in rules.indicators]
    flag_cols = [c for i in ind_ids for c in (f"pop__{i}", f"num__{i}")]
    patterns = flags.select(flag_cols).unique(maintain_order=True).with_row_index("_pat")
    pattern_table = (
        flags.select(flag_cols)
        .with_row_index("_row")
        .join(patterns, on=flag_cols, how="left", nulls_equal=True)
        .sort("_row")["_pat"]
        .to_numpy()
        .astype(np.int64)
    )  # row = lp * n_combos + combo
    n_pat = patterns.height
    pattern_pop = np.column_stack([patterns[f"pop__{i}"].to_numpy() for i in ind_ids])
    pattern_num = np.column_stack([patterns[f"num__{i}"].to_numpy() for i in ind_ids])

    # Class table over (unit profile, combo): class = (unit, pattern), compacted.
    up_unit = ups["_uix"].to_numpy().astype(np.int64)
    up_lp = ups["_lp"].to_numpy().astype(np.int64)
    keys = (
        up_unit[:, None] * n_pat
        + pattern_table[up_lp[:, None] * n_combos + np.arange(n_combos, dtype=np.int64)[None, :]]
    )
    keys = keys.reshape(-1)
    space = (len(units_list) + 1) * n_pat
    if space <= 64_000_000:
        # Dense relabelling (no sort): classes come out ordered by unit, then pattern.
        shifted = keys + n_pat  # unit -1 (not in the units table) -> 0
        used = np.zeros(space, dtype=bool)
        used[shifted] = True
        label = np.cumsum(used, dtype=np.int64) - 1
        uniq = np.flatnonzero(used) - n_pat
        inverse = label[shifted]
    else:
        uniq, inverse = np.unique(keys, return_inverse=True)
    class_table = inverse.astype(np.int32)
    class_unit = (uniq // n_pat).astype(np.int32)  # -1: unit not in the units table
    class_pop = pattern_pop[uniq % n_pat].astype(bool)
    class_num = pattern_num[uniq % n_pat].astype(bool)

    # Output pairs (indicator x ALL/unit of its level) and class -> pair count matrices.
    pairs_ind, pairs_unit = [], []
    for k, ind in enumerate(rules.indicators):
        pairs_ind.append(k)
        pairs_unit.append(ALL)
        for u in units_list:
            if unit_level.get(u) == ind.level:
                pairs_ind.append(k)
                pairs_unit.append(u)
    pairs_ind = np.array(pairs_ind, dtype=np.int32)
    pair_col = {(int(k), u): p for p, (k, u) in enumerate(zip(pairs_ind, pairs_unit, strict=True))}
    level_of_unit = np.array([unit_level.get(u) for u in units_list] + [None], dtype=object)
    order = np.argsort(class_unit, kind="stable")  # already sorted: cheap
    ind_level = [ind.level for ind in rules.indicators]

    def plan(flags_matrix: np.ndarray) -> list:
        """Per indicator: classes with the flag, sorted by unit, and where their sums go."""
        out = []
        for k in range(len(ind_ids)):
            sel = order[flags_matrix[order, k] & (class_unit[order] >= 0)]
            sel = sel[level_of_unit[class_unit[sel]] == ind_level[k]]
            if sel.size == 0:
                out.append(None)
                continue
            u = class_unit[sel]
            starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
            cols = np.array([pair_col[(k, units_list[x])] for x in u[starts]], dtype=np.int64)
            out.append((sel, starts, cols, pair_col[(k, ALL)]))
        return out

    retire_year = people["_retire_year"].fill_null(NEVER).to_numpy().astype(np.int32)
    missing_retire = int(people["_retire_year"].null_count())
    if missing_retire:
        notes.append(
            f"{missing_retire} người thiếu ngày sinh hoặc giới tính: không tính nghỉ hưu / "
            f"{missing_retire} people lack a birth date or gender: no retirement applied."
        )
    overdue = int(((retire_year <= year) & (retire_year != NEVER)).sum())
    if overdue:
        notes.append(
            f"{overdue} người đã quá tuổi nghỉ hưu trong danh sách năm {year}: coi như nghỉ năm "
            f"{year + 1} / {overdue} people on the {year} roster are past retirement age: they "
            f"are taken to retire in {year + 1}."
        )
    retire_year = np.maximum(retire_year, year + 1)
    birth_year = people["_birth_year"].fill_null(year - 40).to_numpy().astype(np.int32)

    studying = {}
    for a in attrs:
        col, until = f"studying_{a}", f"studying_{a}_until"
        if col not in people.columns:
            continue
        lookup = {v: i for i, v in enumerate(values[a]) if v is not None}
        target = people[col].replace_strict(lookup, default=0, return_dtype=pl.Int8).to_numpy()
        due = people[until].fill_null(year + 1).to_numpy().astype(np.int32)
        due = np.where(target > 0, np.maximum(due, year + 1), NEVER)
        studying[a] = (due, target.astype(np.int8))

    head_ids = [i.id for i in rules.indicators if i.kind == "headcount_ratio"]
    person_flags = class_pop[class_table[profile * n_combos + _combo_index(code0, strides, attrs)]]
    headcount_member = (
        person_flags[:, ind_ids.index(head_ids[0])] if head_ids else np.zeros(n, dtype=bool)
    )

    return _Model(
        year=year,
        years=years,
        people=people,
        n=n,
        attrs=attrs,
        values=values,
        rank=rank,
        code0=code0,
        strides=strides,
        n_combos=n_combos,
        profile=profile,
        class_table=class_table,
        class_unit=class_unit,
        class_pop=class_pop,
        class_num=class_num,
        units_list=units_list,
        unit_level=unit_level,
        indicator_ids=ind_ids,
        group=group,
        group_start=group_start,
        group_unit=groups["_g_unit"].to_list(),
        group_type=groups["_g_type"].to_list(),
        hire_up=hire_up,
        hire_bool_attrs=hire_bool_attrs,
        retire_year=retire_year,
        birth_year=birth_year,
        studying=studying,
        headcount_member=headcount_member,
        pairs_ind=pairs_ind,
        pairs_unit=pairs_unit,
        plan_pop=plan(class_pop),
        plan_num=plan(class_num),
        rules=rules,
        notes=notes,
    )


def _combo_index(codes: dict[str, np.ndarray], strides: dict[str, int], attrs: list[str]):
    combo = 0
    for a in attrs:
        combo = combo + codes[a].astype(np.int64) * strides[a]
    return combo if not isinstance(combo, int) else np.int64(0)


# --- scenario rates -----------------------------------------------------------------------


def history_exit_rates(
    staff: pl.DataFrame,
    schedule: RetirementSchedule,
    year: int,
    age_band_starts: tuple[int, ...],
) -> tuple[list[float], int]:
    """Annual other-exit rate per age band from consecutive snapshots up to ``year``.

    Between snapshots s < s', a person on the s roster who is not retired by 31 December s'
    and is missing from the s' roster counts as an exit. Rate per band = exits / (people x
    years between the snapshots) (a constant annual hazard, fine for rates of a few percent).
    Returns the rates and the number of snapshot pairs used (0: no history, rates 0).
    """
    snaps = sorted(
        staff.filter(pl.col("snapshot_year") <= year)["snapshot_year"].unique().to_list()
    )
    exits = np.zeros(len(age_band_starts) + 1)
    exposure = np.zeros(len(age_band_starts) + 1)
    pairs = 0
    for s, s2 in zip(snaps, snaps[1:], strict=False):
        gap = s2 - s
        before = staff.filter(pl.col("snapshot_year") == s).with_columns(
            retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule).alias("_rd")
        )
        after_ids = staff.filter(pl.col("snapshot_year") == s2).select("staff_id").unique()
        at_risk = before.filter(
            pl.col("_rd").is_null() | (pl.col("_rd").dt.year() > s2)
        ).with_columns(
            pl.col("staff_id").is_in(after_ids["staff_id"].implode()).not_().alias("_left"),
            (pl.lit(s) - pl.col("birth_date").dt.year()).alias("_age"),
        )
        age = at_risk["_age"].fill_null(40).to_numpy()
        band = np.searchsorted(np.array(age_band_starts), age, side="right")
        left = at_risk["_left"].to_numpy()
        exits += np.bincount(band, weights=left, minlength=len(exits))
        exposure += np.bincount(band, minlength=len(exits)) * gap
        pairs += 1
    rates = [float(min(1.0, e / x)) if x > 0 else 0.0 for e, x in zip(exits, exposure, strict=True)]
    return rates, pairs


def _headcount_path(
    scenario: Scenario,
    model: _Model,
    staff: pl.DataFrame,
    rules: QuotaRules,
    indicator_table: pl.DataFrame,
) -> dict[int, float]:
    """Ratio of the YEAR headcount to keep in each projected year (linear between milestones)."""
    year = model.year
    if isinstance(scenario.headcount_ratio, dict):
        milestones = dict(sorted(scenario.headcount_ratio.items()))
    else:
        heads = [i for i in rules.indicators if i.kind == "headcount_ratio"]
        milestones = {}
        if heads:
            ind = heads[0]
            observed = {
                r["year"]: r["numerator"]
                for r in indicator_table.filter(
                    (pl.col("indicator") == ind.id) & (pl.col("unit") == ALL)
                )
                .select("year", "numerator")
                .unique()
                .iter_rows(named=True)
            }
            now = observed.get(year) or int(model.headcount_member.sum())
            level = {y: float(v) for y, v in observed.items()}
            for ty in sorted(t for t in ind.targets if ind.targets[t] is not None):
                t = ind.targets[ty]
                base = level.get(t.base_year)
                if base is None:
                    model.notes.append(
                        f"Không có số liệu năm gốc {t.base_year} của {ind.id}: lấy năm {year} làm "
                        f"gốc / No {t.base_year} roster for {ind.id}: {year} used as the base."
                    )
                    base = float(now)
                level[ty] = level.get(ty, base * t.share) if ty <= year else base * t.share
                if ty > year and now:
                    milestones[ty] = min(1.0, level[ty] / now)
    points = [(year, 1.0)] + [(y, r) for y, r in milestones.items() if y > year]
    path = {}
    for y in model.years:
        ratio = points[-1][1]
        for (y0, r0), (y1, r1) in zip(points, points[1:], strict=False):
            if y0 <= y <= y1:
                ratio = r0 + (r1 - r0) * (y - y0) / (y1 - y0)
                break
        path[y] = ratio
    return path


# --- simulation ---------------------------------------------------------------------------


@dataclass
class _Sim:
    num: np.ndarray  # (years, draws, pairs) int32
    den: np.ndarray
    states: dict[int, dict[str, np.ndarray]]  # year -> person state (first draw only)


def _planned_candidates(model: _Model, scenario: Scenario) -> list[tuple]:
    """Per planned course: candidate persons sorted by priority (latest retirement first)."""
    people = model.people
    out = []
    order_key = np.lexsort((np.arange(model.n), -model.retire_year))  # stable by staff order
    for p in scenario.planned:
        course = scenario.courses[p.course]
        mask = people["staff_type"].fill_null("contract").ne("contract").to_numpy()
        if p.population == ALL:
            pass
        elif p.population.startswith("level:"):
            lvl = p.population.split(":", 1)[1]
            mask &= (
                people["unit"]
                .replace_strict(model.unit_level, default=None, return_dtype=pl.Utf8)
                .eq(lvl)
                .fill_null(False)
                .to_numpy()
            )
        else:
            mask &= people["unit"].eq(p.population).fill_null(False).to_numpy()
        if p.staff_types:
            mask &= people["staff_type"].is_in(list(p.staff_types)).fill_null(False).to_numpy()
        if course.max_age is not None:
            mask &= (model.year - model.birth_year) < course.max_age
        cand = order_key[mask[order_key]]
        if course.attribute not in model.attrs:
            continue
        level_code = model.values[course.attribute].index(course.level)
        req = [(a, _ranks(a, model.rules)[lvl]) for a, lvl in course.requires_at_least.items()]
        out.append((p, course, cand, level_code, req))
    return out


def _scenario_setup(model: _Model, scenario: Scenario, draws: int, exit_rates: list[float]):
    """What both simulators derive from a scenario before the first year: draw batch size,
    exit rate by age, planned-course candidates, groups under a staffing cut, hire draws."""
    n = model.n
    batch = max(1, min(draws, BATCH_ELEMENTS // max(n, 1)))
    n_groups = len(model.group_start)
    bands = np.array(scenario.age_band_starts, dtype=np.int32)
    rates = np.array(exit_rates or [0.0], dtype=np.float64)
    use_exits = bool(np.any(rates > 0))
    ages = np.arange(MAX_AGE + 1)
    rate_by_age = rates[np.searchsorted(bands, ages, side="right")]
    # indexed by age = year - birth year; birth years are clipped so the age stays in range
    rate_by_age = np.concatenate([rate_by_age, np.full(HORIZON, rate_by_age[-1])])
    planned = _planned_candidates(model, scenario)
    cut_groups = np.zeros(n_groups, dtype=bool)
    if scenario.recruitment == "headcount_path":
        if scenario.headcount_ratio == "from_quota":
            member_groups = np.unique(model.group[model.headcount_member])
            cut_groups[member_groups] = True
        else:
            types = set(scenario.headcount_staff_types)
            cut_groups[:] = [t in types for t in model.group_type]
    group_size0 = np.bincount(model.group, minlength=n_groups)
    # Hire draws for the changeable attributes: (attribute, codes, cumulative probabilities).
    mix_ordinal = []
    for a, probs in scenario.hire_mix.items():
        if a not in model.attrs:
            continue
        if not isinstance(probs, dict):  # yes/no field: probability of True
            probs = {False: 1.0 - probs, True: probs}
        level_codes = np.array([model.values[a].index(v) for v in probs], dtype=np.int8)
        mix_ordinal.append((a, level_codes, np.cumsum(list(probs.values()))))
    mix_bool = [(j, scenario.hire_mix.get(a, 0.0)) for j, a in enumerate(model.hire_bool_attrs)]
    completion = scenario.course_completion_rate
    return (batch, n_groups, use_exits, rate_by_age, planned, cut_groups, group_size0,
            mix_ordinal, mix_bool, completion)  # fmt: skip


def _simulate_slots(
    model: _Model,
    scenario: Scenario,
    draws: int,
    rng: np.random.Generator,
    exit_rates: list[float],
    headcount_path: dict[int, float] | None,
    keep_states_years: tuple[int, ...] = (),
) -> _Sim:
    """Reference simulator, one slot per person and draw, every step over all slots (the
    implementation before the event-driven :func:`_simulate`; kept to check that one against)."""
    n, years = model.n, model.years
    n_pairs = len(model.pairs_ind)
    num = np.zeros((len(years), draws, n_pairs), dtype=np.int32)
    den = np.zeros_like(num)
    states: dict[int, dict[str, np.ndarray]] = {}
    if n == 0 or not years:
        return _Sim(num, den, states)
    (batch, n_groups, use_exits, rate_by_age, planned, cut_groups, group_size0, mix_ordinal,
     mix_bool, completion) = _scenario_setup(model, scenario, draws, exit_rates)  # fmt: skip
    rate_by_age = rate_by_age.astype(np.float32)

    n_cls = len(model.class_unit)
    strides = {a: np.int32(model.strides[a]) for a in model.attrs}
    retire0 = np.minimum(model.retire_year, NEVER).astype(np.int16)
    birth0 = np.clip(model.birth_year, years[0] - MAX_AGE, years[0]).astype(np.int16)
    key0 = model.profile * model.n_combos + _combo_index(model.code0, model.strides, model.attrs)
    key0 = np.broadcast_to(key0, (n,)).astype(np.int64)
    key_dtype = np.int32 if len(model.class_table) < 2**31 else np.int64
    for start in range(0, draws, batch):
        b = min(batch, draws - start)
        alive = np.ones((b, n), dtype=bool)
        is_hire = np.zeros((b, n), dtype=bool)
        codes = {a: np.broadcast_to(model.code0[a], (b, n)).copy() for a in model.attrs}
        # class-table row of each slot (unit profile x combination of codes), kept up to date
        # where codes change instead of recomputed every year
        key = np.broadcast_to(key0.astype(key_dtype), (b, n)).copy()
        birth = np.broadcast_to(birth0, (b, n)).copy()
        retire = np.broadcast_to(retire0, (b, n)).copy()
        draw_col = np.arange(b, dtype=np.int64)[:, None]
        for yi, y in enumerate(years):
            # 1. retirement
            leaving = alive & (retire == y)
            alive &= ~leaving
            # 2. courses in progress (only original people; a hire took over the slot otherwise)
            for a, (due, target) in model.studying.items():
                idx = np.nonzero(due == y)[0]
                if idx.size == 0:
                    continue
                ok = alive[:, idx] & ~is_hire[:, idx]
                if completion < 1:
                    ok &= rng.random((b, idx.size), dtype=np.float32) < completion
                cur = codes[a][:, idx]
                raise_ = ok & (model.rank[a][target[idx]][None, :] > model.rank[a][cur])
                new = np.where(raise_, target[idx][None, :], cur)
                key[:, idx] += (new.astype(key_dtype) - cur) * strides[a]
                codes[a][:, idx] = new
            # 3. other exits
            if use_exits:
                p_exit = rate_by_age[y - birth]
                out = alive & (rng.random((b, n), dtype=np.float32) < p_exit)
                alive &= ~out
                leaving |= out
            # 4. recruitment (sparse: only the free slots are looked at)
            if scenario.recruitment != "none":
                lr, lc = np.nonzero(leaving)
                hires = np.bincount(
                    lr * n_groups + model.group[lc], minlength=b * n_groups
                ).reshape(b, n_groups)
                free_r, free_c = np.nonzero(~alive)
                free_g = model.group[free_c]
                # Row-major order and people sorted by group: keys are already sorted.
                fkey = free_r * n_groups + free_g
                if scenario.recruitment == "headcount_path" and headcount_path is not None:
                    free_count = np.bincount(fkey, minlength=b * n_groups).reshape(b, n_groups)
                    alive_g = group_size0[None, :] - free_count
                    target_g = np.floor(headcount_path[y] * group_size0 + 0.5).astype(np.int64)
                    need = np.maximum(0, target_g[None, :] - alive_g)
                    hires = np.where(cut_groups[None, :], need, hires)
                rank_in = np.arange(fkey.size) - np.searchsorted(fkey, fkey, side="left")
                take = rank_in < hires[free_r, free_g]
                rows, cols = free_r[take], free_c[take]
                if rows.size:
                    k = rows.size
                    alive[rows, cols] = True
                    is_hire[rows, cols] = True
                    birth[rows, cols] = y - scenario.hire_age
                    retire[rows, cols] = NEVER
                    bits = np.zeros(k, dtype=np.int64)
                    for j, p in mix_bool:
                        if p > 0:
                            bits |= (rng.random(k) < p).astype(np.int64) << j
                    combo = np.zeros(k, dtype=np.int64)
                    for a in model.attrs:
                        codes[a][rows, cols] = 0
                    for a, level_codes, cum in mix_ordinal:
                        pick = np.searchsorted(cum, rng.random(k) * cum[-1], side="right")
                        drawn = level_codes[np.minimum(pick, len(cum) - 1)]
                        codes[a][rows, cols] = drawn
                        combo += drawn.astype(np.int64) * model.strides[a]
                    key[rows, cols] = (
                        model.hire_up[model.group[cols], bits] * model.n_combos + combo
                    )
            # 5. planned training: first `per_year` eligible in priority order, per draw
            for p, course, cand, level_code, req in planned:
                if not (p.from_year <= y <= p.to_year) or cand.size == 0 or p.per_year == 0:
                    continue
                a = course.attribute
                # Look at a prefix of the priority list first; extend only for draws that did
                # not find enough eligible people in it.
                width = min(cand.size, max(256, 16 * p.per_year))
                while True:
                    c = cand[:width]
                    cur = codes[a][:, c]
                    ok = alive[:, c] & ~is_hire[:, c] & (retire[:, c] > y)
                    ok &= model.rank[a][cur] < model.rank[a][level_code]
                    for ra, rmin in req:
                        if ra in model.attrs:
                            ok &= model.rank[ra][codes[ra][:, c]] >= rmin
                        else:
                            ok &= _static_rank_ok(model, ra, rmin)[c][None, :]
                    seen = np.cumsum(ok, axis=1, dtype=np.int32)
                    if width == cand.size or seen[:, -1].min() >= p.per_year:
                        break
                    width = min(cand.size, width * 4)
                take = ok & (seen <= p.per_year)
                new = np.where(take, level_code, cur)
                key[:, c] += (new.astype(key_dtype) - cur) * strides[a]
                codes[a][:, c] = new
            # count: dead slots go to an extra class that is dropped
            cls = model.class_table[key]
            cls[~alive] = n_cls
            flat = (cls * np.int64(b) + draw_col).reshape(-1)
            counts = np.bincount(flat, minlength=(n_cls + 1) * b).reshape(n_cls + 1, b)[:n_cls]
            num[yi, start : start + b] = _aggregate(counts, model.plan_num, n_pairs)
            den[yi, start : start + b] = _aggregate(counts, model.plan_pop, n_pairs)
            if start == 0 and y in keep_states_years:
                states[y] = {
                    "alive": alive[0].copy(),
                    "is_hire": is_hire[0].copy(),
                    **{a: codes[a][0].copy() for a in model.attrs},
                }
    return _Sim(num, den, states)


def _pair_index(plan: list, n_cls: int, n_pairs: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Class -> the unit pairs it counts in (one per indicator with the flag), as a padded
    table: ``table[row[c]]`` lists them, padded with ``n_pairs`` (a column that is dropped);
    row 0 is empty. And per indicator (ALL column, unit columns): ALL is the sum of its unit
    pairs."""
    cls_parts, col_parts, all_sums = [], [], []
    for item in plan:
        if item is None:
            continue
        sel, starts, cols, all_col = item
        seg = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, sel.size]))
        cls_parts.append(sel)
        col_parts.append(cols[seg])
        all_sums.append((all_col, cols))
    row = np.zeros(n_cls, dtype=np.int64)
    if not cls_parts:
        return row, np.full((1, 1), n_pairs, dtype=np.int64), all_sums
    cls = np.concatenate(cls_parts)
    col = np.concatenate(col_parts)
    order = np.argsort(cls, kind="stable")
    cls, col = cls[order], col[order]
    used, first, lens = np.unique(cls, return_index=True, return_counts=True)
    row[used] = np.arange(1, used.size + 1)
    table = np.full((used.size + 1, int(lens.max())), n_pairs, dtype=np.int64)
    slot = np.arange(cls.size) - np.repeat(first, lens)
    table[row[cls], slot] = col
    return row, table, all_sums


def _bernoulli_positions(rng: np.random.Generator, size: int, p: float) -> np.ndarray:
    """Indices in range(size) of independent Bernoulli(p) successes, drawn through geometric
    gaps: cost proportional to the successes, not to ``size``."""
    if p <= 0 or size == 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1:
        return np.arange(size, dtype=np.int64)
    found = []
    pos = -1
    while pos < size - 1:
        expect = (size - 1 - pos) * p
        m = int(expect + 6 * math.sqrt(expect) + 16)
        steps = pos + np.cumsum(rng.geometric(p, size=m).astype(np.int64))
        found.append(steps[steps < size])
        pos = int(steps[-1])
    return np.concatenate(found)


def _apply_moves(moves: list, targets: tuple) -> None:
    """Add the (draw, class, +1/-1) moves to each (class rows, pair table, state pairs x
    draws) target (see :func:`_pair_index`); empties ``moves``."""
    if not moves:
        return
    by_sign = {}
    for sign in (1, -1):
        part = [m for m in moves if m[2] == sign]
        if part:
            by_sign[sign] = (
                np.concatenate([m[0] for m in part]),
                np.concatenate([m[1] for m in part]),
            )
    moves.clear()
    for row, table, state in targets:
        flat_state = state.reshape(-1)
        b = state.shape[1]
        for sign, (d, c) in by_sign.items():
            flat = table[row[c]] * b + d[:, None]
            # bincount: many times faster than np.add.at; the padding column falls off the end
            change = np.bincount(flat.reshape(-1), minlength=flat_state.size + b)
            if sign > 0:
                flat_state += change[: flat_state.size].astype(np.int32)
            else:
                flat_state -= change[: flat_state.size].astype(np.int32)


def _common_delta(row: np.ndarray, table: np.ndarray, c: np.ndarray, n_pairs: int) -> np.ndarray:
    """Per pair: how many of the classes ``c`` (with repeats) count in it."""
    counts = np.bincount(table[row[c]].reshape(-1), minlength=n_pairs + 1)
    return counts[:n_pairs].astype(np.int32)


def _simulate(
    model: _Model,
    scenario: Scenario,
    draws: int,
    rng: np.random.Generator,
    exit_rates: list[float],
    headcount_path: dict[int, float] | None,
    keep_states_years: tuple[int, ...] = (),
) -> _Sim:
    """The stock-and-flow, ``draws`` times: same rules as :func:`_simulate_slots`, but driven by
    events. Original people keep one state slot each (alive, codes); hires are records of their
    own; the counts per output pair are kept up to date from the people whose class changes
    (retire, exit, complete a course, are hired) instead of being recounted over everyone each
    year. In a year only a few percent of people change, so the cost follows the events and the
    size of the output, not draws x people x years.
    """
    n, years = model.n, model.years
    n_pairs = len(model.pairs_ind)
    # stored as (years, pairs, draws): draws contiguous for the statistics; exposed as
    # (years, draws, pairs) views like the reference simulator
    num_store = np.zeros((len(years), n_pairs, draws), dtype=np.int32)
    den_store = np.zeros((len(years), n_pairs, draws), dtype=np.int32)
    num, den = num_store.transpose(0, 2, 1), den_store.transpose(0, 2, 1)
    states: dict[int, dict[str, np.ndarray]] = {}
    if n == 0 or not years:
        return _Sim(num, den, states)
    (batch, n_groups, use_exits, rate_by_age, planned, cut_groups, group_size0, mix_ordinal,
     mix_bool, completion) = _scenario_setup(model, scenario, draws, exit_rates)  # fmt: skip

    n_cls = len(model.class_unit)
    # one state for both counts: rows 0..n_pairs-1 denominators, then the numerators
    shifted = [
        None if item is None else (item[0], item[1], item[2] + n_pairs, item[3] + n_pairs)
        for item in model.plan_num
    ]
    row, table, all_sums = _pair_index(model.plan_pop + shifted, n_cls, 2 * n_pairs)
    strides = {a: np.int64(model.strides[a]) for a in model.attrs}
    retire = np.minimum(model.retire_year, NEVER).astype(np.int32)
    birth = np.clip(model.birth_year, years[0] - MAX_AGE, years[0]).astype(np.int32)
    base_key = model.profile.astype(np.int64) * model.n_combos
    key0 = base_key + _combo_index(model.code0, model.strides, model.attrs)
    cls0 = model.class_table[key0]
    counts0 = np.bincount(cls0, minlength=n_cls).astype(np.int32)[:, None]
    num0 = _aggregate(counts0, model.plan_num, n_pairs)[0]
    den0 = _aggregate(counts0, model.plan_pop, n_pairs)[0]
    retiring = {y: np.flatnonzero(retire == y) for y in years}
    # exits of original people: candidates at the highest rate of the year, thinned to each
    # person's own rate (exact Bernoulli draws, cost ~ rate x draws x people)
    person_rate = {y: rate_by_age[y - birth] for y in years} if use_exits else {}

    def person_class(d: np.ndarray, i: np.ndarray, codes: dict) -> np.ndarray:
        key = base_key[i]
        for a in model.attrs:
            key = key + codes[a][d, i].astype(np.int64) * strides[a]
        return model.class_table[key]

    def typ_class(i: np.ndarray) -> np.ndarray:
        key = base_key[i]
        for a in model.attrs:
            key = key + codes_typ[a][i].astype(np.int64) * strides[a]
        return model.class_table[key]

    def same_codes(codes: dict, i: np.ndarray) -> np.ndarray:
        same = np.ones((1, i.size), dtype=bool)
        for a in model.attrs:
            same = same & (codes[a][:, i] == codes_typ[a][i][None, :])
        return same

    for start in range(0, draws, batch):
        b = min(batch, draws - start)
        alive = np.ones((b, n), dtype=bool)
        codes = {a: np.broadcast_to(model.code0[a], (b, n)).copy() for a in model.attrs}
        # the typical path: what most draws hold for a person still on the roster
        codes_typ = {a: model.code0[a].copy() for a in model.attrs}
        state = np.empty((2 * n_pairs, b), dtype=np.int32)  # (den, num) pairs x draws
        state[:n_pairs] = den0[:, None]
        state[n_pairs:] = num0[:, None]
        alive_g = np.broadcast_to(group_size0, (b, n_groups)).astype(np.int64)
        # hires: one record each
        h_d = np.zeros(0, dtype=np.int64)
        h_g = np.zeros(0, dtype=np.int64)
        h_cls = np.zeros(0, dtype=np.int64)
        h_birth = np.zeros(0, dtype=np.int32)
        h_alive = np.zeros(0, dtype=bool)
        moves: list[tuple[np.ndarray, np.ndarray, int]] = []  # (draw, class, +1/-1)

        for yi, y in enumerate(years):
            left_d: list[np.ndarray] = []
            left_g: list[np.ndarray] = []
            # 1. retirement. Most draws look alike (the person alive, codes as in the typical
            # path): their change is applied to every draw at once, and only the draws that
            # differ are corrected one by one.
            idx = retiring[y]
            if idx.size:
                live = alive[:, idx]
                typical = live & same_codes(codes, idx)
                ctyp = typ_class(idx)
                state -= _common_delta(row, table, ctyp, 2 * n_pairs)[:, None]
                d, j = np.nonzero(~typical)
                moves.append((d, ctyp[j], 1))
                on = live[d, j]
                d, i = d[on], idx[j[on]]
                moves.append((d, person_class(d, i, codes), -1))
                d, j = np.nonzero(live)
                alive[:, idx] = False
                left_d.append(d)
                left_g.append(model.group[idx[j]])
            # 2. courses in progress (same typical-path shortcut)
            for a, (due, target) in model.studying.items():
                idx = np.nonzero(due == y)[0]
                if idx.size == 0:
                    continue
                success = alive[:, idx]
                if completion < 1:
                    success &= rng.random((b, idx.size)) < completion
                tgt = target[idx]
                cur = codes[a][:, idx]
                ok = success & (model.rank[a][tgt][None, :] > model.rank[a][cur])
                typical = success & same_codes(codes, idx)
                raise_typ = model.rank[a][tgt] > model.rank[a][codes_typ[a][idx]]
                before = typ_class(idx)
                codes_typ[a][idx] = np.where(raise_typ, tgt, codes_typ[a][idx])
                after = typ_class(idx)
                state += (
                    _common_delta(row, table, after[raise_typ], 2 * n_pairs)
                    - _common_delta(row, table, before[raise_typ], 2 * n_pairs)
                )[:, None]
                d, j = np.nonzero(~typical & raise_typ[None, :])
                moves.append((d, before[j], 1))
                moves.append((d, after[j], -1))
                d, j = np.nonzero(ok & ~typical)
                i = idx[j]
                moves.append((d, person_class(d, i, codes), -1))
                codes[a][:, idx] = np.where(ok, tgt[None, :], cur)
                moves.append((d, person_class(d, i, codes), 1))
            # 3. other exits
            if use_exits:
                pr = person_rate[y]
                top = float(pr.max())
                pos = _bernoulli_positions(rng, b * n, top)
                if pos.size:
                    d, i = np.divmod(pos, n)
                    hit = alive[d, i]
                    hit &= rng.random(pos.size) * top < pr[i]
                    d, i = d[hit], i[hit]
                    moves.append((d, person_class(d, i, codes), -1))
                    alive[d, i] = False
                    left_d.append(d)
                    left_g.append(model.group[i])
                if h_alive.any():
                    live = np.flatnonzero(h_alive)
                    out = live[rng.random(live.size) < rate_by_age[y - h_birth[live]]]
                    h_alive[out] = False
                    moves.append((h_d[out], h_cls[out], -1))
                    left_d.append(h_d[out])
                    left_g.append(h_g[out])
            if left_d:
                leavers = np.bincount(
                    np.concatenate(left_d) * n_groups + np.concatenate(left_g),
                    minlength=b * n_groups,
                ).reshape(b, n_groups)
                alive_g -= leavers
            else:
                leavers = np.zeros((b, n_groups), dtype=np.int64)
            # 4. recruitment
            if scenario.recruitment != "none":
                hires = leavers
                if scenario.recruitment == "headcount_path" and headcount_path is not None:
                    target_g = np.floor(headcount_path[y] * group_size0 + 0.5).astype(np.int64)
                    need = np.maximum(0, target_g[None, :] - alive_g)
                    hires = np.where(cut_groups[None, :], need, hires)
                hires = np.minimum(hires, group_size0[None, :] - alive_g)  # free slots only
                flat = np.flatnonzero(hires)
                if flat.size:
                    reps = hires.reshape(-1)[flat]
                    rec = np.repeat(flat, reps)
                    k = rec.size
                    rd, rg = np.divmod(rec, n_groups)
                    alive_g += hires
                    bits = np.zeros(k, dtype=np.int64)
                    for j, p in mix_bool:
                        if p > 0:
                            bits |= (rng.random(k) < p).astype(np.int64) << j
                    combo = np.zeros(k, dtype=np.int64)
                    for a, level_codes, cum in mix_ordinal:
                        pick = np.searchsorted(cum, rng.random(k) * cum[-1], side="right")
                        combo += level_codes[np.minimum(pick, len(cum) - 1)].astype(np.int64) * int(
                            model.strides[a]
                        )
                    rcls = model.class_table[model.hire_up[rg, bits] * model.n_combos + combo]
                    moves.append((rd, rcls.astype(np.int64), 1))
                    h_d = np.concatenate([h_d, rd])
                    h_g = np.concatenate([h_g, rg])
                    h_cls = np.concatenate([h_cls, rcls.astype(np.int64)])
                    h_birth = np.concatenate([h_birth, np.full(k, y - scenario.hire_age, np.int32)])
                    h_alive = np.concatenate([h_alive, np.ones(k, dtype=bool)])
            # 5. planned training: first `per_year` eligible in priority order, per draw
            for p, course, cand, level_code, req in planned:
                if not (p.from_year <= y <= p.to_year) or cand.size == 0 or p.per_year == 0:
                    continue
                a = course.attribute
                width = min(cand.size, max(256, 16 * p.per_year))
                while True:
                    c = cand[:width]
                    cur = codes[a][:, c]
                    ok = alive[:, c] & (retire[c] > y)[None, :]
                    ok &= model.rank[a][cur] < model.rank[a][level_code]
                    for ra, rmin in req:
                        if ra in model.attrs:
                            ok &= model.rank[ra][codes[ra][:, c]] >= rmin
                        else:
                            ok &= _static_rank_ok(model, ra, rmin)[c][None, :]
                    seen = np.cumsum(ok, axis=1, dtype=np.int32)
                    if width == cand.size or seen[:, -1].min() >= p.per_year:
                        break
                    width = min(cand.size, width * 4)
                d, j = np.nonzero(ok & (seen <= p.per_year))
                if d.size == 0:
                    continue
                i = c[j]
                moves.append((d, person_class(d, i, codes), -1))
                codes[a][d, i] = level_code
                moves.append((d, person_class(d, i, codes), 1))
            _apply_moves(moves, ((row, table, state),))
            for all_col, cols in all_sums:
                state[all_col] = state[cols].sum(axis=0)
            den_store[yi, :, start : start + b] = state[:n_pairs]
            num_store[yi, :, start : start + b] = state[n_pairs:]
            if start == 0 and y in keep_states_years:
                states[y] = {
                    "alive": alive[0].copy(),
                    "is_hire": np.zeros(n, dtype=bool),
                    **{a: codes[a][0].copy() for a in model.attrs},
                }
    return _Sim(num, den, states)


def _aggregate(counts: np.ndarray, plan: list, n_pairs: int) -> np.ndarray:
    """Class counts (classes x draws) -> counts per output pair (draws x pairs)."""
    out = np.zeros((n_pairs, counts.shape[1]), dtype=np.int32)
    for item in plan:
        if item is None:
            continue
        sel, starts, cols, all_col = item
        sums = np.add.reduceat(counts[sel], starts, axis=0)
        out[cols] = sums
        out[all_col] = sums.sum(axis=0)
    return out.T


def _percentiles(
    ordered: np.ndarray, n_valid: np.ndarray, qs: tuple[float, ...], value: np.ndarray | None = None
) -> list:
    """Percentiles over the last axis of values sorted with NaN last (``n_valid`` not NaN),
    numpy's default (linear) method, vectorised: ``np.nanpercentile(axis=...)`` loops in
    Python over every other axis. ``value``: the sorted entries are keys into it."""
    top = np.maximum(n_valid - 1, 0)
    out = []
    for q in qs:
        pos = q * top
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, top)
        frac = pos - lo
        v_lo = np.take_along_axis(ordered, lo[..., None], axis=-1)[..., 0]
        v_hi = np.take_along_axis(ordered, hi[..., None], axis=-1)[..., 0]
        if value is not None:
            v_lo, v_hi = value[v_lo], value[v_hi]
        out.append(np.where(n_valid > 0, v_lo + (v_hi - v_lo) * frac, np.nan))
    return out


# Shares of small counts (numerator and denominator <= SMALL_COUNT) are sorted through their
# rank among all such fractions (uint16 keys sort several times faster than float64).
SMALL_COUNT = 255
_FRACTIONS: list = []


def _fraction_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """key[num * (SMALL_COUNT + 1) + den] -> rank of num/den among the distinct fractions
    (65535 for den = 0, sorting last); value[rank] -> the float share (NaN at 65535); the
    same with 0 instead of NaN (for sums)."""
    if not _FRACTIONS:
        m = SMALL_COUNT + 1
        nums, dens = np.divmod(np.arange(m * m), m)
        with np.errstate(invalid="ignore", divide="ignore"):
            vals = nums / dens
        distinct = np.unique(vals[dens > 0])
        key = np.full(m * m, 65535, dtype=np.uint16)
        key[dens > 0] = np.searchsorted(distinct, vals[dens > 0])
        value = np.full(65536, np.nan)
        value[: distinct.size] = distinct
        _FRACTIONS.extend([key, value, np.nan_to_num(value, nan=0.0)])
    return _FRACTIONS[0], _FRACTIONS[1], _FRACTIONS[2]


# Pairs per block of the draw statistics: temporaries of ~16 MB are reused by the allocator
# (larger ones are mapped fresh, and page faults then cost as much as the arithmetic).
STATS_BLOCK_ELEMENTS = 2_000_000


def _draw_stats(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`_draw_stats_block` over blocks of pairs (axis 1)."""
    n_years, n_pairs, n_draws = num.shape
    step = max(1, STATS_BLOCK_ELEMENTS // max(1, n_years * n_draws))
    if n_pairs <= step:
        return _draw_stats_block(num, den)
    out = [np.empty((n_years, n_pairs)) for _ in range(6)]
    for lo in range(0, n_pairs, step):
        part = _draw_stats_block(num[:, lo : lo + step], den[:, lo : lo + step])
        for o, v in zip(out, part, strict=True):
            o[:, lo : lo + step] = v
    return tuple(out)


def _draw_stats_block(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, ...]:
    """Over the draws (last axis, contiguous): mean share, P10/P50/P90 of the share, (lower)
    median numerator and denominator. ``num`` holds integer counts; ``den`` integer counts or
    floats with NaN (no base headcount). NaN where no draw has a denominator."""
    valid = den > 0  # False for NaN
    if num.shape[-1] == 1:  # one draw: its own values
        share = np.full(num.shape, np.nan)
        np.divide(num, den, out=share, where=valid)
        share = share[..., 0]
        return share, share, share, share, num[..., 0].astype(np.float64), den[..., 0] * 1.0
    count = valid.sum(axis=-1)
    divisor = np.where(count > 0, count, np.nan)
    mid = (num.shape[-1] - 1) // 2
    out = [np.full(count.shape, np.nan) for _ in range(6)]  # share, p10-p90, med num, den
    small = np.zeros(count.shape[-1], dtype=bool)
    if np.issubdtype(den.dtype, np.integer) and num.size:
        # counts are never negative
        small = (num.max(axis=(0, 2)) <= SMALL_COUNT) & (den.max(axis=(0, 2)) <= SMALL_COUNT)
    for part in (np.flatnonzero(small), np.flatnonzero(~small)):
        if part.size == 0:
            continue
        whole = part.size == count.shape[-1]
        n_p = num if whole else num[:, part, :]
        d_p = den if whole else den[:, part, :]
        if small[part[0]]:
            key, value, value0 = _fraction_table()
            ranks = key[n_p * (SMALL_COUNT + 1) + d_p]
            total = value0[ranks].sum(axis=-1)
            # uint16 "stable" sorts are radix sorts: linear time
            ranks.sort(axis=-1, kind="stable")  # den = 0 (no share) sorts last
            pcts = _percentiles(ranks, count[:, part], (0.1, 0.5, 0.9), value)
            med_n = np.sort(n_p.astype(np.uint16), axis=-1, kind="stable")[..., mid]
            med_d = np.sort(d_p.astype(np.uint16), axis=-1, kind="stable")[..., mid]
        else:
            ok = valid[:, part, :]
            shares = np.full(n_p.shape, np.nan)
            np.divide(n_p, d_p, out=shares, where=ok)
            total = np.sum(shares, axis=-1, where=ok)
            shares.sort(axis=-1)  # NaN last
            pcts = _percentiles(shares, count[:, part], (0.1, 0.5, 0.9))
            med_n = np.sort(n_p, axis=-1)[..., mid]
            med_d = np.sort(d_p, axis=-1)[..., mid]  # NaN sorts last
        with np.errstate(invalid="ignore"):
            mean = total / divisor[:, part]
        for o, v in zip(out, [mean, *pcts, med_n, med_d], strict=True):
            o[:, part] = v
    return tuple(out)


def _static_rank_ok(model: _Model, attribute: str, minimum: int) -> np.ndarray:
    """Per person: the YEAR level of an attribute the projection never changes is >= minimum."""
    key = (attribute, minimum)
    if key not in model.rank_cache:
        ranks = _ranks(attribute, model.rules)
        r = model.people[attribute].replace_strict(ranks, default=-1, return_dtype=pl.Int16)
        model.rank_cache[key] = r.to_numpy() >= minimum
    return model.rank_cache[key]


# --- outputs ------------------------------------------------------------------------------


def _scenario_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def _observed_headcounts(indicator_table: pl.DataFrame, ind_id: str) -> dict[tuple[str, int], int]:
    rows = (
        indicator_table.filter(pl.col("indicator") == ind_id)
        .select("unit", "year", "numerator")
        .unique()
    )
    return {(r[0], r[1]): r[2] for r in rows.iter_rows()}


def _projection_frame(
    model: _Model | SimpleNamespace,
    rules: QuotaRules,
    scenario: Scenario,
    sim: _Sim,
    deterministic: bool,
    observed_heads: dict[str, dict[tuple[str, int], int]],
) -> pl.DataFrame:
    """Rows indicator x unit x projected year x target year, vectorised over all of them.

    Deterministic path: the counts and their share. Monte Carlo: ``numerator`` and
    ``denominator`` are the (lower) medians over draws — whole numbers of people — ``share`` is
    the mean share over draws and ``share_p10/p50/p90`` its percentiles. ``met`` follows
    :func:`indicators.target_met`: exact integers on the deterministic path (numerator * q
    against p * denominator for a target of p/q), the float share otherwise.
    """
    carried = _carried_indicators(rules)
    year_index = {y: i for i, y in enumerate(model.years)}
    n_years, _, n_pairs = sim.num.shape
    pair_ind = [rules.indicators[k] for k in model.pairs_ind]
    ids = pl.Series([ind.id for ind in pair_ind], dtype=pl.Utf8)
    levels = pl.Series([ind.level for ind in pair_ind], dtype=pl.Utf8)
    units = pl.Series(model.pairs_unit, dtype=pl.Utf8)
    assumption = pl.Series(
        [
            ASSUMPTION_CARRIED.format(year=model.year) if ind.id in carried else None
            for ind in pair_ind
        ],
        dtype=pl.Utf8,
    )
    pairs = pl.Series(np.tile(np.arange(n_pairs), n_years))
    years = np.repeat(np.array(model.years, dtype=np.int32), n_pairs)
    # draws on the last axis (contiguous) for the sorts
    num_t = np.ascontiguousarray(sim.num.transpose(0, 2, 1))
    den_t = np.ascontiguousarray(sim.den.transpose(0, 2, 1))
    head = np.array([ind.kind == "headcount_ratio" for ind in pair_ind], dtype=bool)
    fixed = _draw_stats(num_t, den_t)  # every pair but the headcount ratios
    parts = []
    for ty in rules.target_years:
        stats = [x.copy() for x in fixed]
        den = den_t
        if head.any():
            hp = np.flatnonzero(head)
            den_h = den_t[:, hp, :].astype(np.float64)
            for j, p in enumerate(hp):
                t = pair_ind[p].targets.get(ty)
                base_year = None if t is None else t.base_year
                if base_year in year_index:
                    den_h[:, j, :] = num_t[year_index[base_year], p, :][None, :]
                else:
                    base = observed_heads.get(pair_ind[p].id, {}).get(
                        (model.pairs_unit[p], base_year)
                    )
                    den_h[:, j, :] = np.nan if base is None else float(base)
            for x, h in zip(stats, _draw_stats(num_t[:, hp, :], den_h), strict=True):
                x[:, hp] = h
            if deterministic:
                den = den_t.astype(np.float64)
                den[:, hp, :] = den_h
        share, p10, p50, p90, med_num, med_den = stats
        # per indicator, then gathered per pair (there may be hundreds of thousands of pairs)
        per_ind = [ind.targets.get(ty) for ind in rules.indicators]
        pk = np.asarray(model.pairs_ind)
        target = np.array([np.nan if t is None else float(t.value / 100) for t in per_ind])[pk]
        tp = np.array([0 if t is None else (t.value / 100).numerator for t in per_ind])[pk]
        tq = np.array([1 if t is None else (t.value / 100).denominator for t in per_ind])[pk]
        comparator = np.array(["" if t is None else t.comparator for t in per_ind])[pk]
        with np.errstate(invalid="ignore"):
            if deterministic:
                d0 = np.nan_to_num(den[:, :, 0], nan=0.0).astype(np.int64)
                lhs = sim.num[:, 0, :].astype(np.int64) * tq[None, :]
                rhs = d0 * tp[None, :]
            else:
                lhs, rhs = share, np.broadcast_to(target[None, :], share.shape)
            met = np.select(
                [comparator == ">=", comparator == ">", comparator == "<=", comparator == "=="],
                [lhs >= rhs, lhs > rhs, lhs <= rhs, lhs == rhs],
                default=False,
            )
        valid = ~np.isnan(share) & ~np.isnan(target)[None, :]
        frame = pl.DataFrame(
            {
                "indicator": ids.gather(pairs),
                "level": levels.gather(pairs),
                "unit": units.gather(pairs),
                "year": years,
                "scenario": pl.Series([scenario.name]).gather(np.zeros(len(years), np.int64)),
                "numerator": med_num.reshape(-1),
                "denominator": med_den.reshape(-1),
                "share": share.reshape(-1),
                "share_p10": p10.reshape(-1),
                "share_p50": p50.reshape(-1),
                "share_p90": p90.reshape(-1),
                "target_year": np.full(len(years), ty, dtype=np.int32),
                "target": target[pairs.to_numpy()],
                "met": met.reshape(-1),
                "assumption": assumption.gather(pairs),
            },
            nan_to_null=True,
        ).with_columns(pl.when(pl.Series(valid.reshape(-1))).then(pl.col("met")).alias("met"))
        parts.append(frame.cast(PROJECTION_SCHEMA))
    return pl.concat(parts, how="vertical")


def _sort_projection(frame: pl.DataFrame, rules: QuotaRules, units: pl.DataFrame) -> pl.DataFrame:
    """Scenario, indicator (quotas.yaml order), ALL then units (units table order), years."""
    order = {ind.id: i for i, ind in enumerate(rules.indicators)}
    scen = {name: i for i, name in enumerate(frame["scenario"].unique(maintain_order=True))}
    unit_order = {ALL: -1, **{u: i for i, u in enumerate(units["code"].to_list())}}
    return (
        frame.with_columns(
            pl.col("scenario").replace_strict(scen, return_dtype=pl.Int32).alias("_s"),
            pl.col("indicator").replace_strict(order, return_dtype=pl.Int32).alias("_o"),
            pl.col("unit")
            .replace_strict(unit_order, default=None, return_dtype=pl.Int32)
            .alias("_u"),
        )
        .sort("_s", "_o", "_u", "year", "target_year", nulls_last=True)
        .drop("_s", "_o", "_u")
    )


def _sub_model(
    model: _Model, lo: int, hi: int, in_chunk: np.ndarray, unit_levels: np.ndarray
) -> _Model:
    """The model restricted to the people in rows ``lo:hi`` (whole groups, so whole units:
    people are sorted by unit) and the output pairs of the units where ``in_chunk`` (a mask
    over ``model.units_list``; ``unit_levels`` their levels), plus ALL summing only these
    people. Class ids stay the global ones; nothing is re-evaluated."""
    g0 = int(model.group[lo]) if hi > lo else 0
    g1 = int(model.group[hi - 1]) + 1 if hi > lo else 0
    pairs_ind: list[int] = []
    pairs_unit: list[str] = []
    local_cols = []  # per indicator: unit index -> local pair column (-1: none)
    all_cols = []
    for k, ind in enumerate(model.rules.indicators):
        members = np.flatnonzero(in_chunk & (unit_levels == ind.level))
        col = np.full(len(model.units_list), -1, dtype=np.int64)
        col[members] = len(pairs_ind) + 1 + np.arange(members.size)
        all_cols.append(len(pairs_ind))
        local_cols.append(col)
        pairs_ind.extend([k] * (members.size + 1))
        pairs_unit.extend([ALL, *(model.units_list[u] for u in members)])

    def restrict(plan: list) -> list:
        out = []
        for k, item in enumerate(plan):
            if item is None:
                out.append(None)
                continue
            sel, starts, _, _ = item
            seg_unit = model.class_unit[sel[starts]]
            keep = in_chunk[seg_unit]
            if not keep.any():
                out.append(None)
                continue
            lens = np.diff(np.r_[starts, sel.size])
            new_sel = sel[np.repeat(keep, lens)]
            new_starts = np.r_[0, np.cumsum(lens[keep])[:-1]].astype(np.int64)
            out.append((new_sel, new_starts, local_cols[k][seg_unit[keep]], all_cols[k]))
        return out

    return replace(
        model,
        people=model.people.slice(lo, hi - lo),
        n=hi - lo,
        code0={a: v[lo:hi] for a, v in model.code0.items()},
        profile=model.profile[lo:hi],
        group=model.group[lo:hi] - g0,
        group_start=model.group_start[g0:g1] - lo,
        group_unit=model.group_unit[g0:g1],
        group_type=model.group_type[g0:g1],
        hire_up=model.hire_up[g0:g1],
        retire_year=model.retire_year[lo:hi],
        birth_year=model.birth_year[lo:hi],
        studying={a: (d[lo:hi], t[lo:hi]) for a, (d, t) in model.studying.items()},
        headcount_member=model.headcount_member[lo:hi],
        pairs_ind=np.array(pairs_ind, dtype=np.int32),
        pairs_unit=pairs_unit,
        plan_pop=restrict(model.plan_pop),
        plan_num=restrict(model.plan_num),
        notes=[],
        rank_cache={},
    )


def _simulate_by_unit_chunks(
    model: _Model,
    start: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    scenario: Scenario,
    draws: int,
    rng: np.random.Generator,
    rates: list[float],
    path: dict[int, float] | None,
    heads: dict[str, dict[tuple[str, int], int]],
) -> pl.DataFrame:
    """A Monte Carlo over a large roster, whole units at a time.

    Units are independent in the model except through planned training given to a population
    spanning several units; there each chunk gets a share of ``per_year`` proportional to its
    candidates (largest remainder), which the notes say.
    """
    chunk_people = max(1, MC_CHUNK_ELEMENTS // draws)
    sizes = dict(start.group_by(pl.col("unit").fill_null("")).len().iter_rows())
    for code in units["code"].to_list():  # units nobody works in still get their 0/0 rows
        sizes.setdefault(code, 0)
    codes = sorted(sizes)
    counts = [sizes[c] for c in codes]
    chunk_of_unit: dict[str, int] = {}
    chunk, filled = 0, 0
    for code, count in zip(codes, counts, strict=True):
        if filled and filled + count > chunk_people:
            chunk, filled = chunk + 1, 0
        chunk_of_unit[code] = chunk
        filled += count
    n_chunks = chunk + 1
    person_chunk = np.array([chunk_of_unit[u] for u in model.people["unit"].fill_null("")])

    # Planned courses over several units: split per_year over the chunks.
    per_chunk: list[list[int]] = []
    candidates = {id(p): cand for p, _, cand, _, _ in _planned_candidates(model, scenario)}
    for p in scenario.planned:
        cand = candidates.get(id(p), np.zeros(0, dtype=np.int64))
        if p.population in chunk_of_unit or cand.size == 0:
            per_chunk.append([p.per_year] * n_chunks)
            continue
        weight = np.bincount(person_chunk[cand], minlength=n_chunks).astype(np.float64)
        quota = p.per_year * weight / weight.sum()
        alloc = np.floor(quota).astype(np.int64)
        rest = p.per_year - alloc.sum()
        alloc[np.argsort(-(quota - alloc), kind="stable")[:rest]] += 1
        per_chunk.append(alloc.tolist())
    if scenario.planned:
        model.notes.append(
            f"{scenario.name}: danh sách lớn, mô phỏng theo từng nhóm đơn vị; chỉ tiêu đào tạo "
            "thêm chia theo số người đủ điều kiện / large roster simulated unit group by unit "
            "group; planned completions split in proportion to eligible people."
        )

    n_ind = len(rules.indicators)
    n_years = len(model.years)
    all_num = np.zeros((n_years, draws, n_ind), dtype=np.int64)
    all_den = np.zeros_like(all_num)
    frames = []
    chunk_codes = [[c for c, k in chunk_of_unit.items() if k == i] for i in range(n_chunks)]
    unit_index = {u: j for j, u in enumerate(model.units_list)}
    unit_levels = np.array([model.unit_level.get(u) for u in model.units_list], dtype=object)
    for i, members in enumerate(chunk_codes):
        chunk_scenario = replace(
            scenario,
            planned=tuple(
                replace(p, per_year=per_chunk[j][i]) for j, p in enumerate(scenario.planned)
            ),
        )
        rows = np.flatnonzero(person_chunk == i)
        lo, hi = (int(rows[0]), int(rows[-1]) + 1) if rows.size else (0, 0)
        in_chunk = np.zeros(len(model.units_list), dtype=bool)
        in_chunk[[unit_index[c] for c in members if c in unit_index]] = True
        sub = _sub_model(model, lo, hi, in_chunk, unit_levels)
        sim = _simulate(sub, chunk_scenario, draws, rng, rates, path)
        is_unit = np.array([u != ALL for u in sub.pairs_unit])
        all_cols = np.flatnonzero(~is_unit)
        all_num[:, :, sub.pairs_ind[all_cols]] += sim.num[:, :, all_cols]
        all_den[:, :, sub.pairs_ind[all_cols]] += sim.den[:, :, all_cols]
        if is_unit.any():
            # the chunk's own ALL rows are dropped (the district total is summed below);
            # cheaper than copying the unit columns out of the draws
            frame = _projection_frame(sub, rules, scenario, sim, False, heads)
            frames.append(frame.filter(pl.col("unit") != ALL))
    view = SimpleNamespace(
        years=model.years,
        year=model.year,
        pairs_ind=np.arange(n_ind, dtype=np.int32),
        pairs_unit=[ALL] * n_ind,
    )
    total = _Sim(all_num.astype(np.int32), all_den.astype(np.int32), {})
    frames.append(_projection_frame(view, rules, scenario, total, False, heads))
    return pl.concat(frames, how="vertical")


def _state_frame(model: _Model, state: dict[str, np.ndarray]) -> pl.DataFrame:
    """The YEAR roster as it stands at 31 December of a projected year (baseline)."""
    people = model.people.filter(pl.Series(state["alive"] & ~state["is_hire"]))
    replaced = []
    for a in model.attrs:
        vals = [model.values[a][c] for c in state[a][state["alive"] & ~state["is_hire"]]]
        replaced.append(pl.Series(a, vals, dtype=model.people.schema[a]))
    return people.with_columns(replaced) if replaced else people


def _backsolve(
    model: _Model,
    rules: QuotaRules,
    units: pl.DataFrame,
    sim: _Sim,
    courses: dict[str, Course],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Extra completions per year so the baseline meets each target, and who is eligible."""
    year = model.year
    year_index = {y: i for i, y in enumerate(model.years)}
    eligible_parts = []
    for ty in rules.target_years:
        if ty not in sim.states:
            continue
        frame = _state_frame(model, sim.states[ty])
        if frame.height == 0:
            continue
        before = indicators.flag_people(frame, units, rules)
        for course in courses.values():
            a = course.attribute
            if a not in frame.columns:
                continue
            ranks = _ranks(a, rules)
            cur_rank = frame[a].replace_strict(ranks, default=-1, return_dtype=pl.Int16)
            ok = cur_rank < ranks[course.level]
            for ra, lvl in course.requires_at_least.items():
                rr = _ranks(ra, rules)
                ok &= frame[ra].replace_strict(rr, default=-1, return_dtype=pl.Int16) >= rr[lvl]
            if course.max_age is not None:
                ok &= (year - frame["_birth_year"].fill_null(year)) < course.max_age
            ok = ok.fill_null(False)
            if not ok.any():
                continue
            sub = frame.filter(ok)
            upgraded = sub.with_columns(pl.lit(course.level, dtype=frame.schema[a]).alias(a))
            after = indicators.flag_people(upgraded, units, rules)
            prev = before.filter(ok)
            for ind in rules.indicators:
                if ind.kind != "share" or ind.targets.get(ty) is None:
                    continue
                hit = (
                    prev[f"pop__{ind.id}"] & ~prev[f"num__{ind.id}"] & after[f"num__{ind.id}"]
                ).fill_null(False)
                if not hit.any():
                    continue
                chosen = sub.filter(hit)
                eligible_parts.append(
                    pl.DataFrame(
                        {
                            "indicator": ind.id,
                            "unit": chosen["unit"],
                            "target_year": ty,
                            "course": course.id,
                            "course_label_vi": course.label_vi,
                            "attribute": a,
                            "current_level": chosen[a].cast(pl.Utf8),
                            "staff_id": chosen["staff_id"],
                            "full_name": chosen["full_name"],
                            "retirement_date": chosen["retirement_date"],
                        }
                    ).cast(ELIGIBLE_SCHEMA)
                )
    eligible = (
        pl.concat(eligible_parts, how="vertical")
        if eligible_parts
        else pl.DataFrame(schema=ELIGIBLE_SCHEMA)
    )
    counts_unit = eligible.group_by("indicator", "unit", "target_year").agg(
        pl.col("staff_id").n_unique().alias("eligible_people")
    )
    counts_all = eligible.group_by("indicator", "target_year").agg(
        pl.col("staff_id").n_unique().alias("eligible_people")
    )
    elig_map = {(r[0], r[1], r[2]): r[3] for r in counts_unit.iter_rows()}
    elig_map.update({(r[0], ALL, r[1]): r[2] for r in counts_all.iter_rows()})

    carried = _carried_indicators(rules)
    parts = []
    for ty in rules.target_years:
        if ty <= year or ty not in year_index:
            continue
        yi = year_index[ty]
        parts.append(
            pl.DataFrame(
                {
                    "_k": np.asarray(model.pairs_ind, dtype=np.int64),
                    "unit": model.pairs_unit,
                    "target_year": ty,
                    "_num": sim.num[yi, 0, :].astype(np.int64),
                    "_den": sim.den[yi, 0, :].astype(np.int64),
                }
            )
        )
    counts = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(
            schema={
                "_k": pl.Int64,
                "unit": pl.Utf8,
                "target_year": pl.Int32,
                "_num": pl.Int64,
                "_den": pl.Int64,
            }
        )
    )
    # indicators.gap_persons, once per distinct (indicator, target year, numerator, denominator)
    gaps = []
    for k, ty, num_, den_ in (
        counts.select("_k", "target_year", "_num", "_den").unique().iter_rows()
    ):
        ind = rules.indicators[k]
        t = ind.targets.get(ty)
        if ind.kind != "share" or t is None:
            continue
        gap = indicators.gap_persons(num_, den_, t.value / 100, t.comparator)
        if gap is None:
            per_year = None
        elif ind.id in carried:
            # An annual update lapses every year: the whole gap is needed in each year.
            per_year = gap
        else:
            per_year = math.ceil(gap / (ty - year))
        gaps.append((k, ty, num_, den_, ind.id, gap, per_year))
    gap_frame = pl.DataFrame(
        gaps,
        schema={
            "_k": pl.Int64,
            "target_year": pl.Int32,
            "_num": pl.Int64,
            "_den": pl.Int64,
            "indicator": pl.Utf8,
            "extra_completions_total": pl.Int64,
            "extra_completions_per_year": pl.Int64,
        },
        orient="row",
    )
    elig_counts = pl.DataFrame(
        [(a, b, c, n) for (a, b, c), n in elig_map.items()],
        schema={
            "indicator": pl.Utf8,
            "unit": pl.Utf8,
            "target_year": pl.Int32,
            "eligible_people": pl.Int64,
        },
        orient="row",
    )
    requirements = (
        counts.with_columns(pl.col("target_year").cast(pl.Int32))
        .join(gap_frame, on=["_k", "target_year", "_num", "_den"], how="inner")
        .join(elig_counts, on=["indicator", "unit", "target_year"], how="left")
        .with_columns(pl.col("eligible_people").fill_null(0))
        .sort("_k", pl.col("unit") != ALL, "target_year", maintain_order=True)
        .select(list(REQUIREMENTS_SCHEMA))
        .cast(REQUIREMENTS_SCHEMA)
    )
    # Data minimisation: list people only where some extra completion is needed (their unit's
    # or the whole district's requirement).
    needed = requirements.filter(pl.col("extra_completions_total") > 0).select(
        "indicator", "unit", "target_year"
    )
    needed_all = needed.filter(pl.col("unit") == ALL).drop("unit")
    eligible = pl.concat(
        [
            eligible.join(needed, on=["indicator", "unit", "target_year"], how="semi"),
            eligible.join(needed_all, on=["indicator", "target_year"], how="semi"),
        ]
    ).unique(maintain_order=True)
    return requirements, eligible.sort("indicator", "target_year", "unit", "course", "staff_id")


def trend_check(indicator_table: pl.DataFrame, year: int) -> pl.DataFrame:
    """Linear trend of each share over the snapshots (>= 3), projected to 2030, bounded 0–1.

    A sanity check beside the stock-and-flow figures, not a forecast. Headcount ratios are
    left out (their base year changes with the target).
    """
    observed = (
        indicator_table.filter(pl.col("share").is_not_null() & (pl.col("year") <= year))
        .select("indicator", "level", "unit", "year", "share")
        .unique(subset=["indicator", "unit", "year"], keep="first", maintain_order=True)
        # sums of floats in one fixed order, so a rerun gives the same last digits
        .sort("indicator", "unit", "year")
    )
    fits = (
        observed.group_by("indicator", "level", "unit")
        .agg(
            pl.len().alias("n_snapshots"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
            pl.col("year").cast(pl.Float64).mean().alias("_ym"),
            pl.col("share").mean().alias("_sm"),
            ((pl.col("year") - pl.col("year").mean()) * (pl.col("share") - pl.col("share").mean()))
            .sum()
            .alias("_sxy"),
            ((pl.col("year") - pl.col("year").mean()) ** 2).sum().alias("_sxx"),
        )
        .filter(pl.col("n_snapshots") >= 3)
    )
    years = pl.DataFrame({"year": list(range(year + 1, HORIZON + 1))}, schema={"year": pl.Int32})
    return (
        fits.join(years, how="cross")
        .with_columns(
            (
                pl.col("_sm")
                + pl.col("_sxy")
                / pl.col("_sxx")
                * (pl.col("year").cast(pl.Float64) - pl.col("_ym"))
            )
            .clip(0.0, 1.0)
            .alias("share_trend"),
            pl.lit(TREND_LABEL).alias("label"),
        )
        .select(list(TREND_SCHEMA))
        .cast(TREND_SCHEMA)
        .sort("indicator", "unit", "year")
    )


def _check_populations(scenarios: list[Scenario], units: pl.DataFrame) -> None:
    """A planned course's population must name ALL, a unit level or a unit in the units table."""
    codes = set(units["code"].to_list())
    levels = set(units["level"].to_list())
    for s in scenarios:
        for i, p in enumerate(s.planned):
            pop = p.population
            ok = pop == ALL or pop in codes
            if pop.startswith("level:"):
                ok = pop.split(":", 1)[1] in levels
            if not ok:
                allowed = ", ".join([ALL, *(f"level:{lv}" for lv in sorted(levels))])
                raise ParamsError(
                    f"'planned_training[{i}].population' = {pop!r} không phải ALL, cấp đơn vị "
                    "hay mã đơn vị có trong danh sách đơn vị.",
                    f"'planned_training[{i}].population' = {pop!r} is not ALL, a unit level or "
                    "a unit code of the units table.",
                    where=s.source_file,
                    fix_vi=f"dùng {allowed} hoặc một mã đơn vị.",
                    fix_en=f"use {allowed} or a unit code.",
                )


def project(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    scenarios: list[Scenario],
    year: int,
    seed: int = 2025,
) -> ProjectionResult:
    """Project every quota for YEAR+1 … 2030 under each scenario; back-solve; trend check.

    ``staff``: accepted staff rows, every snapshot year (the YEAR one is the start);
    ``training``: accepted training updates; ``scenarios``: from ``load_scenarios()``
    (``baseline`` must be among them). Seeded: the same inputs and seed give the same output.
    """
    names = [s.name for s in scenarios]
    if "baseline" not in names:
        raise ParamsError(
            "Thiếu kịch bản 'baseline' (luôn được chạy).",
            "The 'baseline' scenario is missing (it always runs).",
            where="params/scenarios/baseline.yaml",
        )
    _check_populations(scenarios, units)
    scenarios = sorted(scenarios, key=lambda s: (s.name != "baseline", s.name))
    # no copy of a large roster when no snapshot is later than YEAR (the usual case)
    snap = staff["snapshot_year"]
    keep_all = snap.null_count() == 0 and (snap.max() is None or snap.max() <= year)
    staff_to_year = staff if keep_all else staff.filter(pl.col("snapshot_year") <= year)
    indicator_table = indicators.compute_indicators(staff_to_year, training, units, rules, year)
    del staff_to_year
    heads = {
        i.id: _observed_headcounts(indicator_table, i.id)
        for i in rules.indicators
        if i.kind == "headcount_ratio"
    }
    start = _start_roster(staff, training, rules, schedule, year)
    model = _prepare_people(start, units, rules, scenarios, year)
    frames: list[pl.DataFrame] = []
    requirements = pl.DataFrame(schema=REQUIREMENTS_SCHEMA)
    eligible = pl.DataFrame(schema=ELIGIBLE_SCHEMA)
    for scenario in scenarios:
        rates: list[float] = []
        if scenario.exits_source == "rates":
            rates = list(scenario.exit_rates)
        elif scenario.exits_source == "history":
            rates, pairs = history_exit_rates(staff, schedule, year, scenario.age_band_starts)
            if pairs == 0:
                model.notes.append(
                    f"{scenario.name}: chỉ có một năm số liệu, không ước tính được tỷ lệ nghỉ việc "
                    f"khác (lấy 0) / only one snapshot: other-exit rates cannot be estimated (0)."
                )
        path = (
            _headcount_path(scenario, model, staff, rules, indicator_table)
            if scenario.recruitment == "headcount_path"
            else None
        )
        deterministic = not scenario.has_rates
        draws = 1 if deterministic else scenario.draws
        keep = tuple(rules.target_years) if scenario.name == "baseline" else ()
        rng = _scenario_rng(seed, scenario.name)
        if model.n * draws > MC_CHUNK_ELEMENTS and not deterministic:
            frames.append(
                _simulate_by_unit_chunks(
                    model, start, units, rules, scenario, draws, rng, rates, path, heads
                )
            )
            continue
        sim = _simulate(model, scenario, draws, rng, rates, path, keep)
        frames.append(_projection_frame(model, rules, scenario, sim, deterministic, heads))
        if scenario.name == "baseline":
            requirements, eligible = _backsolve(model, rules, units, sim, scenario.courses)
    projection_frame = _sort_projection(pl.concat(frames, how="vertical"), rules, units)
    return ProjectionResult(
        projection=projection_frame,
        requirements=requirements,
        eligible=eligible,
        trend=trend_check(indicator_table, year),
        notes=model.notes,
    )

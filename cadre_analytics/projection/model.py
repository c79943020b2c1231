"""Cohorts: the YEAR roster grouped into people who share everything the projection reads.

Two people are in one cohort when they have the same unit, staff type, every field a quota
condition reads, the year statutory retirement takes them off the 31 December roster, course
in progress (level and year due), and age profile (the age band of each projected year for
every scenario's exit bands, and whether they are under each course's age limit). Members of
a cohort are interchangeable: the same leave year, the same exit probability, the same
eligibility for every course, the same flags in every quota. A course completed moves people
to another cohort (the same key with the raised level); new hires form cohorts of their own.
The set of cohorts is closed under those moves before the simulation starts, so each cohort's
quota flags are evaluated once, by :func:`indicators.flag_people` on one synthetic row per
cohort.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import sparse

from cadre_analytics import indicators
from cadre_analytics.params import (
    SCENARIO_BOOLEAN_ATTRIBUTES,
    QuotaCondition,
    QuotaRules,
    RetirementSchedule,
    Scenario,
    staff_group,
)
from cadre_analytics.projection import posts
from cadre_analytics.retirement import off_roster_year_expr, retirement_date_expr
from cadre_analytics.schema import STAFF_COLUMNS

HORIZON = 2030
ALL = indicators.ALL_UNITS
NEVER = 9999  # leave year of people whose retirement date is unknown, and of new hires
STUDIED = ("education", "political_theory")  # fields with a course-in-progress column
# What a new hire has where the hire mix says nothing.
HIRE_DEFAULTS = {
    "key_leader": False,
    "leadership": "none",
    "succession_planned": False,
    "state_management": "none",
    "foreign_language": "none",
    "it_use": False,
    "education_fits_position": False,
    "updated_in_year": False,
}


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


def carried_indicators(rules: QuotaRules) -> set[str]:
    """Indicators reading the annual update: the YEAR status is carried forward."""
    return {
        ind.id
        for ind in rules.indicators
        if "updated_in_year" in (_condition_fields(ind.within) | _condition_fields(ind.counts_when))
    }


def ranks(attribute: str, rules: QuotaRules) -> dict:
    """Value -> rank on the attribute's ordered scale (yes/no fields: False 0, True 1)."""
    if attribute in SCENARIO_BOOLEAN_ATTRIBUTES:
        return {False: 0, True: 1}
    return indicators.rank_map(attribute, rules)


def rank_expr(column: str | pl.Expr, attribute: str, rules: QuotaRules) -> pl.Expr:
    """Rank of a column's value on the attribute's scale; -1 when blank or off the scale."""
    col = pl.col(column) if isinstance(column, str) else column
    rank = ranks(attribute, rules)
    return col.replace_strict(rank, default=-1, return_dtype=pl.Int16).fill_null(-1)


def planned_eligible(course, planned, unit_level: dict, year: int, rules: QuotaRules) -> pl.Expr:
    """May a cohort (a row of the cohort table) take this planned course? YEAR staff only (not
    hires, not contract staff), in the planned population, under the age limit, below the
    course's level, with its entry requirements."""
    a = course.attribute
    ok = ~pl.col("_hire") & pl.col("staff_type").is_not_null()
    ok &= pl.col("staff_type") != "contract"
    if planned.population.startswith("level:"):
        level = pl.col("unit").replace_strict(unit_level, default=None, return_dtype=pl.Utf8)
        ok &= level == planned.population.split(":", 1)[1]
    elif planned.population != ALL:
        ok &= pl.col("unit") == planned.population
    if planned.staff_types:
        ok &= pl.col("staff_type").is_in(list(planned.staff_types))
    if course.max_age is not None:
        ok &= (year - pl.col("birth_year").fill_null(year - 40)) < course.max_age
    ok &= rank_expr(a, a, rules) < rank_expr(pl.lit(course.level), a, rules)
    for ra, lvl in course.requires_at_least.items():
        ok &= rank_expr(ra, ra, rules) >= rank_expr(pl.lit(lvl), ra, rules)
    return ok.fill_null(False)


def start_roster(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    year: int,
) -> pl.DataFrame:
    """The YEAR roster with its annual-update status, retirement date, birth year and
    ``leave_year``: the first year whose 31 December roster no longer holds them
    (:func:`retirement.off_roster_year_expr`, the rule the data contract uses too)."""
    people = staff.filter(pl.col("snapshot_year") == year)
    people = indicators.updated_in_year(people, training, year, rules)
    retire = retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule)
    return people.with_columns(retire.alias("retirement_date")).with_columns(
        off_roster_year_expr(pl.col("retirement_date")).alias("leave_year"),
        pl.col("birth_date").dt.year().cast(pl.Int32).alias("birth_year"),
    )


@dataclass
class Cohorts:
    """Every cohort a scenario can reach, with its key, flags and moves (arrays by cohort)."""

    year: int
    years: list[int]
    frame: pl.DataFrame  # one row per cohort: the key columns (start cohorts first)
    attrs: list[str]  # fields a course can raise
    people: pl.DataFrame  # the YEAR roster (person level, for the eligible list only)
    person_cohort: np.ndarray  # person row -> start cohort
    start_count: np.ndarray  # cohort -> people in it at YEAR (0 for reachable-only cohorts)
    leave_year: np.ndarray  # cohort -> first year off the 31/12 roster (> YEAR; NEVER: unknown)
    group: np.ndarray  # cohort -> (unit, staff type) group
    group_size: np.ndarray  # group -> YEAR headcount
    group_type: list[str]
    pop: np.ndarray  # cohort x indicator -> in the population (bool)
    num: np.ndarray  # cohort x indicator -> counts in the numerator (bool)
    units: list[str]  # units table order
    unit_level: dict[str, str]
    pairs_ind: np.ndarray  # unit pair -> indicator index (ALL pairs are one per indicator)
    pairs_unit: list[str]
    pair_pop: sparse.csr_matrix  # unit pair x cohort: 1 where the cohort counts in the pair's
    pair_num: sparse.csr_matrix  # population, numerator
    level_member: np.ndarray  # cohort x indicator: unit of the indicator's level (counts in ALL)
    completes: dict[str, np.ndarray]  # field -> cohort after completing the course (-1: none)
    due: dict[str, np.ndarray]  # field -> year the course in progress is due (NEVER: none)
    notes: list[str] = field(default_factory=list)
    groups: pl.DataFrame | None = None  # group -> its unit and staff type (the hires' key)
    profile: dict = field(default_factory=dict)  # a hire's birth year -> its age profile's
    fields: set[str] = field(default_factory=set)
    _index: dict = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return self.frame.height

    def find(self, rows: pl.DataFrame) -> np.ndarray:
        """Cohort of each row (with the key columns); -1 where there is none."""
        keys = self.frame.drop("_c").columns
        got = (
            rows.select(keys)
            .with_row_index("_r")
            .join(self.frame, on=keys, how="left", nulls_equal=True)
        )
        return got.sort("_r")["_c"].fill_null(-1).to_numpy().astype(np.int64)

    def hire_options(self, scenario: Scenario) -> tuple[pl.DataFrame, np.ndarray]:
        return hire_options(scenario, self.fields, self.groups, self.unit_level)

    def hires(self, scenario: Scenario, y: int) -> np.ndarray:
        """Cohort of a hire of year ``y`` (groups x level combinations of :func:`hire_options`;
        -1 where there is none)."""
        schema = self.frame.drop("_c").schema
        options = self.hire_options(scenario)
        keys = _hire_keys(schema, self.groups, options, scenario.hire_age, self.profile, y)
        return self.find(keys).reshape(self.groups.height, -1)

    def raised(self, attribute: str, level) -> np.ndarray:
        """Cohort each cohort moves to when its ``attribute`` becomes ``level`` (-1: none)."""
        key = (attribute, level)
        if key not in self._index:
            moved = self.frame.with_columns(
                pl.lit(level, dtype=self.frame.schema[attribute]).alias(attribute)
            )
            self._index[key] = self.find(moved)
        return self._index[key]


def _changeable(people: pl.DataFrame, rules: QuotaRules, scenarios: list[Scenario]) -> list[str]:
    """Fields a course (in progress or planned) or a hire's drawn level can change."""
    attrs: list[str] = []
    for a in STUDIED:
        col = f"studying_{a}"
        if col in people.columns and people[col].drop_nulls().len() > 0:
            attrs.append(a)
    for s in scenarios:
        attrs += [s.courses[p.course].attribute for p in s.planned]
    fields = referenced_fields(rules)
    return [a for a in dict.fromkeys(attrs) if a in fields]


def _age_profile(
    birth_years: np.ndarray, year: int, scenarios: list[Scenario], max_ages: set[int]
) -> dict[int, int]:
    """Birth year -> the earliest birth year with the same age profile (age band in each
    projected year under each scenario's bands; under each course's age limit at YEAR)."""
    years = np.arange(year + 1, HORIZON + 1)
    bands = {tuple(s.age_band_starts) for s in scenarios if s.age_band_starts}
    columns = [(year - birth_years[:, None]) < np.array(sorted(max_ages))[None, :]]
    for b in sorted(bands):
        ages = years[None, :] - birth_years[:, None]
        columns.append(np.searchsorted(np.array(b), ages, side="right"))
    profile = np.column_stack([c.astype(np.int64) for c in columns] or [np.zeros(len(birth_years))])
    first: dict[tuple, int] = {}
    out = {}
    for b, row in sorted(zip(birth_years.tolist(), map(tuple, profile), strict=True)):
        out[b] = first.setdefault(row, b)
    return out


def hire_mix(mix: dict, fields: set[str]) -> tuple[pl.DataFrame, np.ndarray]:
    """Every level combination a new hire with this mix can have (column ``_m`` numbers them)
    and its probability; only fields a quota reads, only combinations that can happen."""
    combos = pl.DataFrame({"_m": [0]})
    probs = np.ones(1)
    for a, share in mix.items():
        if a not in fields:
            continue
        if not isinstance(share, dict):  # yes/no field: probability of True
            share = {False: 1.0 - share, True: share}
        total = sum(share.values())
        values = [(v, p / total) for v, p in share.items() if p > 0]
        dtype = pl.Boolean if a in SCENARIO_BOOLEAN_ATTRIBUTES else pl.Utf8
        col = pl.DataFrame({a: [v for v, _ in values]}, schema={a: dtype})
        combos = combos.drop("_m").join(col, how="cross").with_row_index("_m")
        probs = (probs[:, None] * np.array([p for _, p in values])[None, :]).reshape(-1)
    return combos.with_columns(pl.col("_m").cast(pl.Int64)), probs


def group_names(groups: pl.DataFrame, unit_level: dict) -> list[str | None]:
    """Staff group (params ``staff_group``) of each (unit, staff type) group."""
    return [
        staff_group(t, unit_level.get(u))
        for u, t in zip(groups["unit"].to_list(), groups["staff_type"].to_list(), strict=True)
    ]


def hire_options(
    scenario: Scenario, fields: set[str], groups: pl.DataFrame, unit_level: dict
) -> tuple[pl.DataFrame, np.ndarray]:
    """The level combinations new hires can have, over every staff group's mix (column
    ``_m`` numbers them), and per (unit, staff type) group the probability of each: group x
    combination, a row of zeros where nobody is hired (contract staff)."""
    names = group_names(groups, unit_level)
    tables = {n: hire_mix(scenario.mix_for(n), fields) for n in dict.fromkeys(names) if n}
    cols = sorted({c for combos, _ in tables.values() for c in combos.columns if c != "_m"})
    if not cols:
        p = np.array([[1.0 if n else 0.0] for n in names]).reshape(len(names), 1)
        return pl.DataFrame({"_m": [0]}, schema={"_m": pl.Int64}), p

    def full(combos: pl.DataFrame) -> pl.DataFrame:
        fill = [
            pl.lit(HIRE_DEFAULTS.get(c), dtype=_mix_dtype(c)).alias(c)
            for c in cols
            if c not in combos.columns
        ]
        return combos.with_columns(fill).select(
            "_m", *[pl.col(c).cast(_mix_dtype(c)) for c in cols]
        )

    union = (
        pl.concat([full(t).drop("_m") for t, _ in tables.values()])
        .unique(maintain_order=True)
        .with_row_index("_m")
        .with_columns(pl.col("_m").cast(pl.Int64))
    )
    by_name = {}
    for n, (combos, probs) in tables.items():
        where = full(combos).join(union, on=cols, how="left", nulls_equal=True, suffix="_u")
        row = np.zeros(union.height)
        row[where.sort("_m")["_m_u"].to_numpy()] = probs
        by_name[n] = row
    zero = np.zeros(union.height)
    return union, np.stack([by_name[n] if n else zero for n in names])


def _mix_dtype(column: str):
    return pl.Boolean if column in SCENARIO_BOOLEAN_ATTRIBUTES else pl.Utf8


def _hire_profile(year: int, scenarios: list[Scenario]) -> dict[int, int]:
    """Birth year of each year's hires -> that of the first year's hires when their age bands
    agree from the year they are hired on (what a hire's exit rate reads)."""
    out = {}
    years = np.arange(year + 1, HORIZON + 1)
    bands = [np.array(s.age_band_starts) for s in scenarios if s.age_band_starts]
    for s in scenarios:
        first = year + 1 - s.hire_age
        for y in years:
            b, later = y - s.hire_age, years[years >= y]
            same = all(
                (np.searchsorted(x, later - b, side="right")
                 == np.searchsorted(x, later - first, side="right")).all()
                for x in bands
            )  # fmt: skip
            out[b] = first if same else b
    return out


def _hire_keys(
    schema: dict,
    groups: pl.DataFrame,
    options: tuple[pl.DataFrame, np.ndarray],
    hire_age: int,
    profile: dict,
    y: int,
    only_possible: bool = False,
) -> pl.DataFrame:
    """Cohort keys of the hires of year ``y``: group-major, level combination minor (with
    ``only_possible``: only the combinations a group's mix can give)."""
    combos, p = options
    rows = groups.join(combos, how="cross").sort("_g", "_m")
    if only_possible:
        rows = rows.filter(pl.Series(p.reshape(-1) > 0))
    fill = []
    for col, dtype in schema.items():
        if col in rows.columns:
            continue
        value = {"leave_year": NEVER, "_hire": True}.get(col, HIRE_DEFAULTS.get(col))
        if col == "birth_year":
            value = profile.get(y - hire_age, y - hire_age)
        fill.append(pl.lit(value, dtype=dtype).alias(col))
    return rows.with_columns(fill).select(list(schema)).cast(schema)


def _key_columns(people: pl.DataFrame, rules: QuotaRules, attrs: list[str]) -> list[str]:
    fields = sorted(f for f in referenced_fields(rules) if f in people.columns)
    studying = [c for a in attrs if a in STUDIED for c in (f"studying_{a}", f"studying_{a}_until")]
    return [*fields, *studying, "leave_year", "birth_year", "_hire"]


def _close(frame: pl.DataFrame, attrs: list[str], rules: QuotaRules, moves: list) -> pl.DataFrame:
    """Add every cohort reachable by completing courses in progress and by ``moves`` (planned
    courses, appointments to a post: (fields to set, eligibility expression))."""
    todo = frame
    while todo.height:
        new = []
        for a in attrs:
            if f"studying_{a}" in todo.columns:
                target = pl.col(f"studying_{a}")
                higher = rank_expr(target, a, rules) > rank_expr(a, a, rules)
                new.append(todo.filter(higher).with_columns(target.alias(a)))
        for assign, eligible in moves:
            set_to = [pl.lit(v, todo.schema[a]).alias(a) for a, v in assign.items()]
            new.append(todo.filter(eligible).with_columns(set_to))
        found = pl.concat(new).unique(maintain_order=True) if new else todo.clear()
        todo = found.join(frame, on=frame.columns, how="anti", nulls_equal=True)
        frame = pl.concat([frame, todo])
    return frame


def _person_keys(people: pl.DataFrame, year: int, scenarios: list[Scenario]) -> pl.DataFrame:
    """Leave year (an overdue one is taken as YEAR+1) and age profile per person."""
    max_ages = {c.max_age for s in scenarios for c in s.courses.values() if c.max_age is not None}
    births = people["birth_year"].drop_nulls().unique().to_numpy().astype(np.int64)
    profile = _age_profile(births, year, scenarios, max_ages)
    return people.with_columns(
        pl.max_horizontal(pl.col("leave_year"), pl.lit(year + 1)).fill_null(NEVER).cast(pl.Int32),
        pl.col("birth_year").replace_strict(profile, default=None, return_dtype=pl.Int32),
        pl.lit(False).alias("_hire"),
    ), _hire_profile(year, scenarios)


def _retirement_notes(people: pl.DataFrame, year: int) -> list[str]:
    notes = []
    missing = int(people["leave_year"].null_count())
    if missing:
        notes.append(
            f"{missing} người thiếu ngày sinh hoặc giới tính: không tính nghỉ hưu / "
            f"{missing} people lack a birth date or gender: no retirement applied."
        )
    overdue = int((people["leave_year"] <= year).sum())
    if overdue:
        notes.append(
            f"{overdue} người đã quá tuổi nghỉ hưu trong danh sách năm {year}: coi như nghỉ năm "
            f"{year + 1} / {overdue} people on the {year} roster are past retirement age: they "
            f"are taken to retire in {year + 1}."
        )
    return notes


def _with_hires(start, groups, scenarios, fields, profile, year, unit_level):
    """Start cohorts plus the cohorts of every scenario's new hires."""
    parts = []
    for s in scenarios:
        if s.recruitment == "none":
            continue
        options = hire_options(s, fields, groups, unit_level)
        for y in range(year + 1, HORIZON + 1):
            parts.append(_hire_keys(start.schema, groups, options, s.hire_age, profile, y, True))
    if not parts:
        return start
    hires = pl.concat(parts).unique(maintain_order=True)
    return pl.concat([start, hires.join(start, on=start.columns, how="anti", nulls_equal=True)])


def cohort_flags(frame: pl.DataFrame, units: pl.DataFrame, rules: QuotaRules) -> pl.DataFrame:
    """flag_people on one synthetic row per cohort (fake ids keep joins one-to-one)."""
    rows = frame.with_columns(
        pl.int_range(pl.len()).cast(pl.Utf8).alias("staff_id"),
        pl.lit(None, dtype=pl.Int32).alias("snapshot_year"),
    )
    blanks = [pl.lit(None, dtype=t).alias(c) for c, t in STAFF_COLUMNS.items() if c not in rows]
    return indicators.flag_people(rows.with_columns(blanks), units, rules)


def build_cohorts(
    people: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    scenarios: list[Scenario],
    year: int,
) -> Cohorts:
    """Cohorts of a start roster (:func:`start_roster`), closed under every course and hire."""
    notes = _retirement_notes(people, year)
    attrs = _changeable(people, rules, scenarios)
    people, profile = _person_keys(people, year, scenarios)
    people = people.sort(
        pl.col("unit").fill_null(""), pl.col("staff_type").fill_null(""), "staff_id"
    )
    keys = _key_columns(people, rules, attrs)
    start = people.select(keys).unique(maintain_order=True)
    unit_level = dict(zip(units["code"].to_list(), units["level"].to_list(), strict=True))
    moves = [
        ({c.attribute: c.level}, planned_eligible(c, p, unit_level, year, rules))
        for s in scenarios
        for p in s.planned
        if (c := s.courses[p.course]).attribute in attrs
    ]
    moves += posts.closure_moves(start, scenarios, rules)
    groups = (
        start.select("unit", "staff_type")
        .unique(maintain_order=True)
        .with_row_index("_g")
        .with_columns(pl.col("_g").cast(pl.Int64))
    )
    fields = referenced_fields(rules)
    frame = _with_hires(start, groups, scenarios, fields, profile, year, unit_level)
    frame = _close(frame, attrs, rules, moves)
    frame = frame.with_row_index("_c").with_columns(pl.col("_c").cast(pl.Int64))
    cohorts = _assemble(frame, people, units, rules, attrs, year)
    cohorts.notes.extend(notes)
    cohorts.groups, cohorts.profile, cohorts.fields = groups, profile, fields
    return cohorts


def scope_roster(
    people: pl.DataFrame, units: pl.DataFrame, kept_units: set[str], kept_groups: set[tuple]
) -> pl.DataFrame:
    """The start roster for the whole-scope Monte Carlo: each person's unit replaced by the
    first unit of its level (units table order), so cohorts stop growing with the number of
    units. Quota populations read only the unit's level, so every flag stays the same.

    Kept as they are: the units a planned course names (``kept_units``) and the (unit, staff
    type) groups that follow a staffing cut (``kept_groups``): a cut hires up to a headcount
    per group, which the group's own leavers decide. Elsewhere hires replace leavers one for
    one, so a group of all the units of a level hires the same people."""
    codes, levels = units["code"].to_list(), units["level"].to_list()
    first = {}
    for code, level in zip(codes, levels, strict=True):
        first.setdefault(level, code)
    stand_in = {code: first[level] for code, level in zip(codes, levels, strict=True)}
    stand_in = {c: s for c, s in stand_in.items() if c not in kept_units}
    merged = pl.col("unit").replace(stand_in)
    if kept_groups:
        cut = pl.DataFrame(
            list(kept_groups), schema={"unit": pl.Utf8, "staff_type": pl.Utf8}, orient="row"
        ).with_columns(pl.lit(True).alias("_kept"))
        people = people.join(
            cut, on=["unit", "staff_type"], how="left", nulls_equal=True, maintain_order="left"
        )
        merged = pl.when(pl.col("_kept")).then(pl.col("unit")).otherwise(merged)
        return people.with_columns(merged.alias("unit")).drop("_kept")
    return people.with_columns(merged.alias("unit"))


def _unit_pairs(frame: pl.DataFrame, units: pl.DataFrame, rules: QuotaRules, pop, num):
    """Output pairs (indicator x unit of its level, units table order) and the pair x cohort
    matrices that count a pair's population and numerator."""
    pairs = (
        pl.DataFrame(
            {"_k": range(len(rules.indicators)), "level": [i.level for i in rules.indicators]}
        )
        .join(units.select(pl.col("code").alias("unit"), "level").with_row_index("_u"), on="level")
        .sort("_k", "_u")
        .with_row_index("_p")
    )
    cells = frame.select("_c", "unit").join(pairs.select("_p", "_k", "unit"), on="unit")
    r, c, k = (cells[x].to_numpy().astype(np.int64) for x in ("_p", "_c", "_k"))

    def matrix(flag: np.ndarray) -> sparse.csr_matrix:
        on = flag[c, k]
        shape = (pairs.height, frame.height)
        return sparse.csr_matrix((np.ones(int(on.sum())), (r[on], c[on])), shape=shape)

    pairs_ind = pairs["_k"].to_numpy().astype(np.int64)
    return pairs_ind, pairs["unit"].to_list(), matrix(pop), matrix(num)


def _assemble(frame, people, units, rules, attrs, year) -> Cohorts:
    """Arrays by cohort: start counts, groups, flags, unit pairs, course moves."""
    keys = [c for c in frame.columns if c != "_c"]
    person_cohort = (
        people.select(keys).join(
            frame, on=keys, how="left", nulls_equal=True, maintain_order="left"
        )
    )["_c"].to_numpy()
    n = frame.height
    start_count = np.bincount(person_cohort, minlength=n)
    group_key = frame.select("unit", "staff_type")
    groups = group_key.unique(maintain_order=True).with_row_index("_g")
    group = group_key.join(
        groups, on=["unit", "staff_type"], how="left", nulls_equal=True, maintain_order="left"
    )["_g"].to_numpy()
    flags = cohort_flags(frame.drop("_c", "_hire"), units, rules)
    ids = [ind.id for ind in rules.indicators]
    pop = np.column_stack([flags[f"pop__{i}"].fill_null(False).to_numpy() for i in ids])
    num = np.column_stack([flags[f"num__{i}"].fill_null(False).to_numpy() for i in ids])
    unit_codes = units["code"].to_list()
    unit_level = dict(zip(unit_codes, units["level"].to_list(), strict=True))
    cohort_level = frame["unit"].replace_strict(unit_level, default=None, return_dtype=pl.Utf8)
    level_member = np.column_stack(
        [(cohort_level == ind.level).fill_null(False).to_numpy() for ind in rules.indicators]
    )
    pop, num = pop & level_member, num & level_member
    pairs_ind, pairs_unit, pair_pop, pair_num = _unit_pairs(frame, units, rules, pop, num)
    cohorts = Cohorts(
        year=year,
        years=list(range(year + 1, HORIZON + 1)),
        frame=frame,
        attrs=attrs,
        people=people,
        person_cohort=person_cohort,
        start_count=start_count,
        leave_year=frame["leave_year"].to_numpy().astype(np.int64),
        group=group.astype(np.int64),
        group_size=np.bincount(group, weights=start_count, minlength=groups.height).astype(
            np.int64
        ),
        group_type=groups["staff_type"].to_list(),
        pop=pop,
        num=num,
        units=unit_codes,
        unit_level=unit_level,
        pairs_ind=pairs_ind,
        pairs_unit=pairs_unit,
        pair_pop=pair_pop,
        pair_num=pair_num,
        level_member=level_member,
        completes={},
        due={},
    )
    for a in attrs:
        if f"studying_{a}" not in frame.columns:
            continue
        target = frame.with_columns(pl.col(f"studying_{a}").alias(a))
        dest = cohorts.find(target)
        higher = frame.select(rank_expr(f"studying_{a}", a, rules) > rank_expr(a, a, rules))
        higher = higher.to_series().to_numpy() & (dest >= 0)
        cohorts.completes[a] = np.where(higher, dest, -1)
        until = frame[f"studying_{a}_until"].fill_null(year + 1).to_numpy()
        cohorts.due[a] = np.where(higher, np.maximum(until, year + 1), NEVER)
    return cohorts

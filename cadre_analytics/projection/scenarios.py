"""How a scenario turns into arrays over cohorts: exit rates, hires, the staffing-cut path,
planned courses (who is eligible, in which order)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import QuotaRules, RetirementSchedule, Scenario
from cadre_analytics.projection.model import ALL, NEVER, Cohorts, group_names, planned_eligible
from cadre_analytics.projection.posts import PostArrays, post_arrays
from cadre_analytics.retirement import on_year_end_roster, retirement_date_expr


@dataclass
class PlannedMove:
    """One planned course: ``per_year`` completions a year, given to eligible cohorts in
    priority order (latest retirement first), each moving to ``dest``."""

    from_year: int
    to_year: int
    per_year: int
    candidates: np.ndarray  # cohorts, in priority order
    dest: np.ndarray  # cohort each candidate moves to


@dataclass
class ScenarioArrays:
    scenario: Scenario
    deterministic: bool  # every probability 0 or 1: one exact run, no draws
    draws: int
    completion: float
    exit_rate: np.ndarray  # year x cohort: annual probability of another exit
    early_rate: np.ndarray | None  # year x cohort: annual probability of an early exit
    early_replaced: bool  # are early leavers replaced by hires
    hire_cohort: np.ndarray | None  # year x group x combination -> cohort of the hire (-1: none)
    hire_p: np.ndarray  # group x combination: probability of each (a row of 0: no hires)
    cut_groups: np.ndarray  # groups following the staffing cut (headcount_path)
    headcount_target: np.ndarray | None  # year x group: headcount to keep (cut groups)
    planned: list[PlannedMove]
    posts: PostArrays | None = None  # leadership posts refilled (None: they are not)


def scenario_rng(seed: int, name: str) -> np.random.Generator:
    """The scenario's own stream: adding a scenario never changes another one's draws."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def history_exit_rates(
    staff: pl.DataFrame,
    schedule: RetirementSchedule,
    year: int,
    age_band_starts: tuple[int, ...],
) -> tuple[list[float], int]:
    """Annual other-exit rate per age band from consecutive snapshots up to ``year``.

    Between snapshots s < s', a person on the s roster whom the retirement rule keeps on the
    31 December s' roster (:func:`retirement.on_year_end_roster`) and who is missing from it
    counts as an exit. People whose unit is on no s' roster are left out of that pair: a unit
    that merged or was dissolved (the 2025 reorganisation) moved its staff or took them out of
    scope, which is no rate of leaving. Rate per band = exits / (people x
    years between the snapshots) (a constant annual hazard, fine for rates of a few percent).
    Returns the rates and the number of snapshot pairs used (0: no history, rates 0).
    """
    snaps = sorted(
        staff.filter(pl.col("snapshot_year") <= year)["snapshot_year"].unique().to_list()
    )
    exits = np.zeros(len(age_band_starts) + 1)
    exposure = np.zeros(len(age_band_starts) + 1)
    for s, s2 in zip(snaps, snaps[1:], strict=False):
        before = staff.filter(pl.col("snapshot_year") == s).with_columns(
            retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule).alias("_rd")
        )
        after = staff.filter(pl.col("snapshot_year") == s2)
        after_ids = after["staff_id"].unique()
        at_risk = before.filter(
            on_year_end_roster(pl.col("_rd"), s2) & _unit_goes_on(before, after)
        )
        age = (s - at_risk["birth_date"].dt.year()).fill_null(40).to_numpy()
        band = np.searchsorted(np.array(age_band_starts), age, side="right")
        left = (~at_risk["staff_id"].is_in(after_ids.implode())).to_numpy()
        exits += np.bincount(band, weights=left, minlength=len(exits))
        exposure += np.bincount(band, minlength=len(exits)) * (s2 - s)
    rates = [float(min(1.0, e / x)) if x > 0 else 0.0 for e, x in zip(exits, exposure, strict=True)]
    return rates, max(0, len(snaps) - 1)


def _unit_goes_on(before: pl.DataFrame, after: pl.DataFrame) -> pl.Expr:
    """On the earlier roster: is the person's unit still on the later one? (A unit key that
    vanished is a merger or a dissolution, not people leaving.)"""
    return pl.col("unit").is_in(after["unit"].unique().implode())


def recorded_exits(staff: pl.DataFrame, schedule: RetirementSchedule, year: int) -> int:
    """People on the YEAR-1 roster missing from the YEAR one whom the retirement rule would
    still keep on it, in units that go on (0 without a YEAR-1 snapshot)."""
    before = staff.filter(pl.col("snapshot_year") == year - 1)
    if before.is_empty():
        return 0
    after = staff.filter(pl.col("snapshot_year") == year)
    now = after["staff_id"].unique()
    rd = retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule)
    kept = before.filter(on_year_end_roster(rd, year) & _unit_goes_on(before, after))
    return int((~kept["staff_id"].is_in(now.implode())).sum())


def headcount_path(
    scenario: Scenario,
    cohorts: Cohorts,
    rules: QuotaRules,
    indicator_table: pl.DataFrame,
    notes: list[str],
) -> dict[int, float]:
    """Share of the YEAR headcount to keep in each projected year (linear between milestones:
    the scenario's own, or the o_pe_headcount targets of quotas.yaml)."""
    year = cohorts.year
    milestones: dict[int, float] = {}
    if isinstance(scenario.headcount_ratio, dict):
        milestones = dict(sorted(scenario.headcount_ratio.items()))
    else:
        for k, ind in enumerate(rules.indicators):
            if ind.kind != "headcount_ratio":
                continue
            rows = indicator_table.filter((pl.col("indicator") == ind.id) & (pl.col("unit") == ALL))
            observed = dict(rows.select("year", "numerator").unique().iter_rows())
            now = observed.get(year) or int(cohorts.start_count[cohorts.pop[:, k]].sum())
            for ty in sorted(t for t in ind.targets if ind.targets[t] is not None):
                t = ind.targets[ty]
                base = observed.get(t.base_year)
                if base is None:
                    notes.append(
                        f"Không có số liệu năm gốc {t.base_year} của {ind.id}: lấy năm {year} làm "
                        f"gốc / No {t.base_year} roster for {ind.id}: {year} used as the base."
                    )
                    base = now
                if ty > year and now:
                    milestones[ty] = min(1.0, float(base) * t.share / now)
            break
    points = [(year, 1.0)] + [(y, r) for y, r in milestones.items() if y > year]
    path = {}
    for y in cohorts.years:
        path[y] = points[-1][1]
        for (y0, r0), (y1, r1) in zip(points, points[1:], strict=False):
            if y0 <= y <= y1:
                path[y] = r0 + (r1 - r0) * (y - y0) / (y1 - y0)
                break
    return path


def _exit_rates(scenario: Scenario, rates: list[float], cohorts: Cohorts) -> np.ndarray:
    """Year x cohort: the annual exit probability of the cohort's age band that year."""
    birth = cohorts.frame["birth_year"].fill_null(cohorts.year - 40).to_numpy()
    out = np.zeros((len(cohorts.years), cohorts.size))
    if not any(r > 0 for r in rates):
        return out
    bands = np.array(scenario.age_band_starts, dtype=np.int64)
    for i, y in enumerate(cohorts.years):
        out[i] = np.array(rates)[np.searchsorted(bands, y - birth, side="right")]
    return out


def _early_rates(scenario: Scenario, cohorts: Cohorts) -> np.ndarray | None:
    """Year x cohort: the annual early-exit probability of the cohort's staff group and band
    of full years left to retirement (YEAR staff only: the year's hires stay)."""
    early = scenario.early_exits
    if early is None:
        return None
    names = group_names(cohorts.groups, cohorts.unit_level)
    bands = np.array(early.band_starts, dtype=np.int64)
    table = np.zeros((len(names), len(bands) + 1))
    for g, name in enumerate(names):
        if name in early.rates:
            table[g] = early.rates[name]
    hire = cohorts.frame["_hire"].to_numpy()
    out = np.zeros((len(cohorts.years), cohorts.size))
    for i, y in enumerate(cohorts.years):
        if not early.from_year <= y <= early.to_year:
            continue
        # leaving in the year after y: 0 full years left on 31 December y
        left = np.where(cohorts.leave_year >= NEVER, 10**4, cohorts.leave_year - y - 1)
        band = np.searchsorted(bands, left, side="right")
        out[i] = np.where(hire, 0.0, table[cohorts.group, band])
    return out


def _candidates(scenario: Scenario, cohorts: Cohorts, rules: QuotaRules) -> list[PlannedMove]:
    """Per planned course: the cohorts that may take it, latest retirement first."""
    out = []
    for p in scenario.planned:
        course = scenario.courses[p.course]
        if course.attribute not in cohorts.attrs:  # no quota reads it
            continue
        ok = planned_eligible(course, p, cohorts.unit_level, cohorts.year, rules)
        chosen = (
            cohorts.frame.filter(ok)
            .sort(pl.col("leave_year"), "_c", descending=[True, False])["_c"]
            .to_numpy()
        )
        dest = cohorts.raised(course.attribute, course.level)[chosen]
        keep = dest >= 0
        out.append(PlannedMove(p.from_year, p.to_year, p.per_year, chosen[keep], dest[keep]))
    return out


def scenario_arrays(
    scenario: Scenario,
    cohorts: Cohorts,
    rules: QuotaRules,
    exit_rates: list[float],
    path: dict[int, float] | None,
) -> ScenarioArrays:
    """Everything the simulator needs from one scenario, as arrays over cohorts and groups."""
    hire_cohort, hire_p = None, np.ones((len(cohorts.group_size), 1))
    if scenario.recruitment != "none":
        _, hire_p = cohorts.hire_options(scenario)
        hire_cohort = np.stack([cohorts.hires(scenario, y) for y in cohorts.years])
    cut = np.zeros(len(cohorts.group_size), dtype=bool)
    target = None
    if scenario.recruitment == "headcount_path" and path is not None:
        if scenario.headcount_ratio == "from_quota":
            heads = [k for k, i in enumerate(rules.indicators) if i.kind == "headcount_ratio"]
            members = cohorts.pop[:, heads].any(axis=1) & (cohorts.start_count > 0)
            cut[np.unique(cohorts.group[members])] = True
        else:
            cut[:] = [t in set(scenario.headcount_staff_types) for t in cohorts.group_type]
        ratio = np.array([path[y] for y in cohorts.years])
        target = np.floor(ratio[:, None] * cohorts.group_size[None, :] + 0.5).astype(np.int64)
    deterministic = not scenario.has_rates
    return ScenarioArrays(
        scenario=scenario,
        deterministic=deterministic,
        draws=1 if deterministic else scenario.draws,
        completion=scenario.course_completion_rate,
        exit_rate=_exit_rates(scenario, exit_rates, cohorts),
        early_rate=_early_rates(scenario, cohorts),
        early_replaced=scenario.early_exits is not None and scenario.early_exits.replaced,
        hire_cohort=hire_cohort,
        hire_p=hire_p,
        cut_groups=cut,
        headcount_target=target,
        planned=_candidates(scenario, cohorts, rules),
        posts=post_arrays(cohorts, scenario, rules),
    )


def check_populations(scenarios: list[Scenario], units: pl.DataFrame) -> None:
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

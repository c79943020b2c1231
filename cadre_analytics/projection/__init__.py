"""Projection of every quota to 2030: a stock-and-flow over cohorts.

Start from the YEAR roster grouped into cohorts (:mod:`.model`); each scenario becomes arrays
over cohorts (:mod:`.scenarios`) and runs year by year (:mod:`.simulate`: retirement, courses
in progress, other exits, recruitment, planned training). Scenarios with a probability strictly
between 0 and 1 run ``scenario.draws`` seeded Monte Carlo draws (binomial per cohort);
``baseline`` and other scenarios with every rate 0 or 1 are counted exactly. The draws run on
cohorts without the unit (:func:`.model.scope_roster`: the whole-scope rows and their bands);
the unit rows of those scenarios are the expected path (:func:`.simulate.expected_path`,
fractional counts, no draws), so the Monte Carlo does not grow with the units. The back-solve
(:mod:`.backsolve`) reads its gaps from the headline scenario's rows
(:func:`cadre_analytics.params.headline_scenario`) and lists who could close them on a
deterministic run (the headline's own when it is deterministic, else the baseline's: today's
staff who are still in service); the trend check (:mod:`.trend`) works on the measured
indicators. The indicators come from the previous stage (``indicators.parquet``), never
recomputed here.

Annual-update indicators: future training updates are unknown, so each person's YEAR status is
carried forward; those rows say so in the ``assumption`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import QuotaRules, RetirementSchedule, Scenario, headline_scenario
from cadre_analytics.projection import simulate
from cadre_analytics.projection.backsolve import ELIGIBLE_SCHEMA, REQUIREMENTS_SCHEMA, backsolve
from cadre_analytics.projection.frames import (
    ASSUMPTION_CARRIED,
    PROJECTION_SCHEMA,
    observed_headcounts,
    projection_rows,
    sort_projection,
)
from cadre_analytics.projection.model import (
    ALL,
    HORIZON,
    NEVER,
    Cohorts,
    build_cohorts,
    referenced_fields,
    scope_roster,
    start_roster,
)
from cadre_analytics.projection.scenarios import (
    ScenarioArrays,
    check_populations,
    headcount_path,
    history_exit_rates,
    recorded_exits,
    scenario_arrays,
    scenario_rng,
)
from cadre_analytics.projection.trend import TREND_LABEL, TREND_SCHEMA, trend_check

__all__ = [
    "ALL",
    "ASSUMPTION_CARRIED",
    "ELIGIBLE_SCHEMA",
    "HORIZON",
    "NEVER",
    "PROJECTION_SCHEMA",
    "REQUIREMENTS_SCHEMA",
    "TREND_LABEL",
    "TREND_SCHEMA",
    "ProjectionResult",
    "history_exit_rates",
    "project",
    "recorded_exits",
    "referenced_fields",
    "trend_check",
]


@dataclass
class ProjectionResult:
    projection: pl.DataFrame  # PROJECTION_SCHEMA (OUT/projection.csv)
    requirements: pl.DataFrame  # REQUIREMENTS_SCHEMA (OUT/requirements.csv)
    eligible: pl.DataFrame  # ELIGIBLE_SCHEMA, person-level: OUT/restricted/ only
    trend: pl.DataFrame  # TREND_SCHEMA (OUT/trend.csv)
    notes: list[str] = field(default_factory=list)  # Vietnamese / English, for the notebook
    cohorts: int = 0  # how many cohorts the roster (and its reachable moves) made
    # Monte Carlo scenario -> how many cohorts its draws ran on (units merged)
    monte_carlo_cohorts: dict[str, int] = field(default_factory=dict)


def _exit_rates(scenario: Scenario, staff, schedule, year: int, notes: list[str]) -> list[float]:
    if scenario.exits_source == "rates":
        return list(scenario.exit_rates)
    if scenario.exits_source != "history":
        return []
    rates, pairs = history_exit_rates(staff, schedule, year, scenario.age_band_starts)
    if pairs == 0:
        notes.append(
            f"{scenario.name}: chỉ có một năm số liệu, không ước tính được tỷ lệ nghỉ việc "
            f"khác (lấy 0) / only one snapshot: other-exit rates cannot be estimated (0)."
        )
    return rates


def headline_note(s: Scenario) -> str:
    """One plain sentence: which scenario the 2030 verdicts read, and what it assumes."""
    if s.recruitment == "none":
        return (
            f"Kết luận năm 2030 theo kịch bản chính «{s.label_vi}»: chỉ nhân sự hiện có, không "
            f"tuyển ai thay người nghỉ / The 2030 verdicts read the headline scenario "
            f"«{s.label_en}»: the current staff only, nobody hired in place of leavers."
        )
    cut = s.recruitment == "headcount_path"
    vi = [
        "mỗi người nghỉ được thay bằng một người mới tuyển cùng nhóm và cùng đơn vị, trình độ "
        "theo nhóm (công chức cấp xã, cán bộ cấp xã, cán bộ công chức cấp huyện, viên chức)"
    ]
    en = [
        "each leaver is replaced by a new hire of the same staff group and unit, qualified as "
        "that group's profile says (commune civil servants, commune cadres, district cadres "
        "and civil servants, public employees)"
    ]
    if cut:
        vi.append("viên chức cấp huyện theo lộ trình tinh giản biên chế")
        en.append("district public employees follow the staffing-cut path instead")
    if s.refill_posts:
        vi.append(
            "chức vụ lãnh đạo trống được bổ nhiệm từ người trong quy hoạch, rồi người cùng "
            "đơn vị đủ tiêu chuẩn"
        )
        en.append(
            "empty leadership posts go to the planning pool first, then to others in the unit "
            "who meet the post's standard"
        )
    return (
        f"Kết luận năm 2030 theo kịch bản chính «{s.label_vi}»: {'; '.join(vi)} / The 2030 "
        f"verdicts read the headline scenario «{s.label_en}»: {'; '.join(en)}."
    )


def early_exit_note(s: Scenario, staff, schedule, year: int) -> str:
    """The exits the snapshots already hold are data: say how many, and which years are drawn."""
    early = s.early_exits
    recorded = recorded_exits(staff, schedule, year)
    first = max(early.from_year, year + 1)
    drawn = (
        f"các năm {first}–{early.to_year} được mô phỏng"
        if first <= early.to_year
        else "không còn năm nào để mô phỏng"
    )
    drawn_en = (
        f"{first}–{early.to_year} are drawn"
        if first <= early.to_year
        else "no year is left to draw"
    )
    return (
        f"{s.name}: {recorded} người có trong danh sách năm {year - 1} nhưng không còn ở năm "
        f"{year} khi chưa đến tuổi nghỉ hưu đã nằm trong số liệu (không mô phỏng lại); {drawn} "
        f"/ {recorded} people on the {year - 1} roster missing from {year} before retirement "
        f"are in the data, not drawn again; {drawn_en}."
    )


def _require_baseline(scenarios: list[Scenario]) -> None:
    if "baseline" not in [s.name for s in scenarios]:
        raise ParamsError(
            "Thiếu kịch bản 'baseline' (luôn được chạy).",
            "The 'baseline' scenario is missing (it always runs).",
            where="params/scenarios/baseline.yaml",
        )


def closed_indicators(indicator_table: pl.DataFrame) -> list[str]:
    """Quotas whose level ended before the report date (the indicators stage says so in
    ``closed_on``): nobody is left to project, so they get no projection, trend or back-solve
    (a headcount ratio of nobody against its base year would read as a cut achieved)."""
    if "closed_on" not in indicator_table.columns:
        return []
    rows = indicator_table.filter(pl.col("closed_on").is_not_null())
    return sorted(rows["indicator"].unique().to_list())


def closed_note(closed: list[str], indicator_table: pl.DataFrame) -> str:
    day = indicator_table.filter(pl.col("closed_on").is_not_null())["closed_on"].min()
    when = day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else str(day)
    return (
        f"{len(closed)} chỉ tiêu của cấp đã kết thúc ngày {when} không được dự báo (không còn "
        f"ai thuộc đối tượng) / {len(closed)} quotas of a level that ended on {when} are not "
        "projected (nobody is left in their population)."
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
    *,
    indicator_table: pl.DataFrame,
) -> ProjectionResult:
    """Project every quota for YEAR+1 … 2030 under each scenario; back-solve; trend check.

    ``staff``: accepted staff rows, every snapshot year (the YEAR one is the start; earlier
    ones give the exit rates of ``history`` scenarios); ``training``: accepted training
    updates (the YEAR annual-update status); ``indicator_table``: the indicators stage's
    output (``indicators.parquet``: measured headcounts, the trend); ``scenarios``: from
    ``load_scenarios()`` (``baseline`` among them). Seeded: same inputs, same output.
    """
    _require_baseline(scenarios)
    check_populations(scenarios, units)
    headline = headline_scenario(scenarios).name
    scenarios = sorted(scenarios, key=lambda s: (s.name != headline, s.name != "baseline", s.name))
    people = start_roster(staff, training, rules, schedule, year)
    cohorts = build_cohorts(people, units, rules, scenarios, year)
    notes = [headline_note(headline_scenario(scenarios)), *cohorts.notes]
    notes += [early_exit_note(s, staff, schedule, year) for s in scenarios if s.early_exits]
    observed = observed_headcounts(indicator_table, rules)
    frames = []
    drawn_on = {}
    followed = None  # the deterministic run whose people the back-solve lists
    for scenario in scenarios:
        rates = _exit_rates(scenario, staff, schedule, year, notes)
        path = None
        if scenario.recruitment == "headcount_path":
            path = headcount_path(scenario, cohorts, rules, indicator_table, notes)
        arrays = scenario_arrays(scenario, cohorts, rules, rates, path)
        rng = scenario_rng(seed, scenario.name)
        if arrays.deterministic:
            listed = scenario.name in (headline, "baseline")
            keep = tuple(rules.target_years) if listed else ()
            sim = simulate.simulate(cohorts, arrays, rng, keep)
            if listed and followed is None:
                followed = (scenario, sim)
        else:
            scope = _scope_cohorts(people, units, rules, year, cohorts, arrays)
            draws = simulate.simulate(
                scope, scenario_arrays(scenario, scope, rules, rates, path), rng
            )
            unit_num, unit_den = simulate.expected_path(cohorts, arrays)
            sim = simulate.SimResult(draws.all_num, draws.all_den, unit_num, unit_den, {})
            drawn_on[scenario.name] = scope.size
        rows = projection_rows(
            cohorts,
            rules,
            scenario.name,
            arrays.deterministic,
            sim,
            observed,
            headline=scenario.name == headline,
        )
        frames.append(rows)
    closed = closed_indicators(indicator_table)
    notes += [closed_note(closed, indicator_table)] if closed else []
    still_open = ~pl.col("indicator").is_in(closed)
    projected = sort_projection(pl.concat(frames).filter(still_open), rules, units)
    run, kept = followed if followed else (scenarios[0], None)
    requirements, eligible = backsolve(
        cohorts, rules, units, kept, run.courses, projected.filter(pl.col("headline"))
    )
    return ProjectionResult(
        projection=projected,
        requirements=requirements.filter(still_open),
        eligible=eligible.filter(still_open),
        trend=trend_check(indicator_table, year).filter(still_open),
        notes=notes,
        cohorts=cohorts.size,
        monte_carlo_cohorts=drawn_on,
    )


def _scope_cohorts(
    people: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    year: int,
    cohorts: Cohorts,
    arrays: ScenarioArrays,
) -> Cohorts:
    """Cohorts a Monte Carlo scenario draws on: the units merged (:func:`scope_roster`),
    except the units one of its planned courses names and the groups its staffing cut
    follows."""
    scenario = arrays.scenario
    kept_units = {
        p.population
        for p in scenario.planned
        if p.population != ALL and not p.population.startswith("level:")
    }
    cut = cohorts.groups.filter(pl.Series(arrays.cut_groups))
    kept_groups = set(cut.select("unit", "staff_type").iter_rows())
    roster = scope_roster(people, units, kept_units, kept_groups)
    return build_cohorts(roster, units, rules, [scenario], year)

"""Where a notebook opened by hand in JupyterLab reads and writes.

`make report` hands every notebook an output folder in which the earlier notebooks have already
written. Opened on its own, a notebook keeps its empty defaults: it then works in a scratch
folder, ``reports/lab/``, and the earlier stages it needs that are not there yet are run on the
bundled sample by the same package functions the notebooks call (not by executing notebooks).
What an earlier stage left in the scratch folder is used as it is: delete ``reports/lab/`` to
start afresh.
"""

from __future__ import annotations

import os
from pathlib import Path

from cadre_analytics.params import PROJECT_ROOT, SAMPLE_DATA_DIR

# Tests point this at a temporary folder so that a run of theirs never mixes with the user's.
LAB_DIR_VARIABLE = "CADRE_LAB_DIR"
STAGES = (
    "01_ingest_validate",
    "02_indicators",
    "03_projection",
    "05_plan",
    "04_report",
)  # run order


def lab_dir() -> Path:
    return Path(os.environ.get(LAB_DIR_VARIABLE) or PROJECT_ROOT / "reports" / "lab")


def data_folder(data_dir: str) -> Path:
    """The data folder a notebook reads: the one given, else the bundled sample."""
    return Path(data_dir) if data_dir else SAMPLE_DATA_DIR


def scratch(out_dir: str, stage: str, year: int, *, lang: str = "vi", seed: int = 2025) -> Path:
    """The output folder of notebook ``stage``: ``out_dir`` when given (the CLI always gives
    it), else the scratch folder, holding the outputs of every stage before ``stage``."""
    if out_dir:
        return Path(out_dir)
    folder = lab_dir()
    folder.mkdir(parents=True, exist_ok=True)
    missing = [s for s in STAGES[: STAGES.index(stage)] if not _has_outputs(folder, s)]
    if missing:
        print(
            f"Thư mục tạm {folder}: chạy {', '.join(missing)} trên dữ liệu mẫu trước. / "
            f"Scratch folder {folder}: running {', '.join(missing)} on the sample data first."
        )
    for earlier in missing:
        RUNNERS[earlier](folder, year, lang, seed)
    return folder


def _has_outputs(folder: Path, stage: str) -> bool:
    # The file each stage writes last: a stage that stopped half-way is run again.
    marker = {
        "01_ingest_validate": folder / "restricted" / "units.parquet",
        "02_indicators": folder / "readings.csv",
        "03_projection": folder / "restricted" / "eligible.csv",
        "05_plan": folder / "plan_solver.csv",
    }[stage]
    return marker.exists()


def run_ingest(folder: Path, year: int, lang: str, seed: int) -> None:
    """Notebook 01 on the bundled sample."""
    from cadre_analytics import contracts
    from cadre_analytics.ingest import read_inputs
    from cadre_analytics.outputs import write_validation_outputs

    result = contracts.validate_inputs(read_inputs(SAMPLE_DATA_DIR), year)
    write_validation_outputs(result, folder, lang=lang)


def run_indicators(folder: Path, year: int, lang: str, seed: int) -> None:
    """Notebook 02 on what notebook 01 wrote into ``folder``."""
    from cadre_analytics import breakdowns, indicators, readings, scope, suppression
    from cadre_analytics.closures import level_closures
    from cadre_analytics.outputs import read_restricted, write_restricted, write_table
    from cadre_analytics.params import load_quota_rules, load_readings, load_report_settings

    rules = load_quota_rules()
    report_settings = load_report_settings()
    scoped = scope.restrict(
        *(
            read_restricted(folder, name)
            for name in ("accepted_staff", "accepted_training", "units")
        ),
        report_settings.scope,
    )
    staff, training, units = scoped.staff, scoped.training, scoped.units
    for name, frame in (("scoped_staff", staff), ("scoped_training", training),
                        ("scoped_units", units)):  # fmt: skip
        write_restricted(frame, folder, name)
    settings = report_settings
    table = indicators.compute_indicators(
        staff, training, units, rules, year, history=settings.history
    )
    breakdowns = breakdowns.compute_breakdowns(staff, training, units, rules, year)
    public = suppression.public_breakdowns(breakdowns, settings.min_cell, rules.majority_ethnicity)
    reading_table = readings.reading_effects(
        table, staff, training, units, rules, load_readings(rules), year
    )
    write_table(table, folder, "indicators", parquet=True)
    write_table(public, folder, "breakdowns")
    write_restricted(breakdowns, folder, "breakdowns_by_unit", csv=True)
    write_table(reading_table, folder, "readings")
    write_table(level_closures(staff, units, year), folder, "closures")


def run_projection(folder: Path, year: int, lang: str, seed: int) -> None:
    """Notebook 03 on what notebooks 01 and 02 wrote into ``folder``."""
    from cadre_analytics import projection, retirement
    from cadre_analytics.outputs import read_restricted, read_table, write_restricted, write_table
    from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios
    from cadre_analytics.units import units_of_year

    staff, training, units = (
        read_restricted(folder, name)
        for name in ("scoped_staff", "scoped_training", "scoped_units")
    )
    rules, schedule = load_quota_rules(), load_retirement_schedule()
    units = units_of_year(units, year)  # the projection starts from the units of 31/12/year
    result = projection.project(
        staff,
        training,
        units,
        rules,
        schedule,
        load_scenarios(),
        year,
        seed=seed,
        indicator_table=read_table(folder, "indicators"),
    )
    write_table(result.projection, folder, "projection", parquet=True)
    write_table(result.requirements, folder, "requirements")
    write_table(result.trend, folder, "trend")
    write_restricted(result.eligible, folder, "eligible", csv=True)
    retiring = retirement.retirements(staff, schedule, year, max(rules.target_years))
    write_restricted(retiring, folder, "retirements")
    write_restricted(retirement.retirement_counts(retiring), folder, "retirement_counts")


def run_plan(folder: Path, year: int, lang: str, seed: int) -> None:
    """Notebook 05 on what notebooks 01 and 03 wrote into ``folder``."""
    from cadre_analytics.outputs import read_restricted, read_table, write_restricted, write_table
    from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios
    from cadre_analytics.plan import load_seats
    from cadre_analytics.plan.stage import run_plan as plan_stage

    staff, training, units = (
        read_restricted(folder, name) for name in ("accepted_staff", "accepted_training", "units")
    )
    stage = plan_stage(
        staff,
        training,
        units,
        load_quota_rules(),
        load_retirement_schedule(),
        load_scenarios(),
        read_table(folder, "projection"),
        load_seats(),
        year=year,
    )
    write_table(stage.outcome, folder, "plan_outcome")
    write_table(stage.bottlenecks, folder, "plan_bottlenecks")
    write_restricted(stage.nominations, folder, "plan_nominations", csv=True)
    write_table(stage.solver, folder, "plan_solver")


RUNNERS = {
    "01_ingest_validate": run_ingest,
    "02_indicators": run_indicators,
    "03_projection": run_projection,
    "05_plan": run_plan,
}

"""The canonical shape of the three tables after ingest, shared by every stage.

This is the contract between modules: ingest produces frames with exactly these columns and
dtypes (plus the provenance columns), and every later stage may rely on them. The Vietnamese
headers, their synonyms and the synonyms of each vocabulary value live in ``data_contracts/``
as data; this module holds the dtypes only. The canonical codes (``EDUCATION``, ``STAFF_TYPE``,
...) are those of ``data_contracts/vocabularies.yaml``, read by :mod:`cadre_analytics.vocab`;
they are re-exported here for the modules that name them beside the dtypes.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.vocab import (  # noqa: F401  (re-exported)
    EDUCATION,
    FOREIGN_LANGUAGE,
    GENDER,
    LEADERSHIP,
    POLITICAL_THEORY,
    STAFF_TYPE,
    STATE_MANAGEMENT,
    TRAINING_TOPIC,
    UNIT_LEVEL,
)

# Provenance columns added by ingest to every table: which file and which row (1-based,
# as the user sees it in Excel, header row included) each record came from.
SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
PROVENANCE = {SOURCE_FILE: pl.Utf8, SOURCE_ROW: pl.Int64}

STAFF_COLUMNS: dict[str, pl.DataType] = {
    "snapshot_year": pl.Int32,
    "staff_id": pl.Utf8,
    "full_name": pl.Utf8,  # personal data: never in a report
    "birth_date": pl.Date,  # personal data: never in a report; bare year -> 1 January
    "gender": pl.Utf8,  # GENDER
    "ethnicity": pl.Utf8,  # free text, NFC, as written (e.g. "Kinh", "K'Ho")
    "unit": pl.Utf8,  # resolved to the unit's code in the units table
    "staff_type": pl.Utf8,  # STAFF_TYPE
    "position": pl.Utf8,
    "key_leader": pl.Boolean,
    "leadership": pl.Utf8,  # LEADERSHIP
    "succession_planned": pl.Boolean,
    "education": pl.Utf8,  # EDUCATION
    "education_fits_position": pl.Boolean,  # null when not given
    "political_theory": pl.Utf8,  # POLITICAL_THEORY
    "state_management": pl.Utf8,  # STATE_MANAGEMENT
    "foreign_language": pl.Utf8,  # FOREIGN_LANGUAGE
    "it_use": pl.Boolean,
    "studying_education": pl.Utf8,  # EDUCATION or null
    "studying_education_until": pl.Int32,
    "studying_political_theory": pl.Utf8,  # POLITICAL_THEORY or null
    "studying_political_theory_until": pl.Int32,
}

TRAINING_COLUMNS: dict[str, pl.DataType] = {
    "staff_id": pl.Utf8,
    "date": pl.Date,
    "topic": pl.Utf8,  # TRAINING_TOPIC
    "course": pl.Utf8,
    "hours": pl.Float64,
}

UNIT_COLUMNS: dict[str, pl.DataType] = {
    "code": pl.Utf8,
    "name": pl.Utf8,
    "level": pl.Utf8,  # UNIT_LEVEL
    "aliases": pl.List(pl.Utf8),
}
# A unit's life (optional columns, cadre_analytics.units): null valid_from = since before the
# data, null valid_to = still exists; successor = the code that took it over on the next day.
# A units frame without them is a table of units that always existed.
UNIT_LIFE_COLUMNS: dict[str, pl.DataType] = {
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "successor": pl.Utf8,
}

TABLES = ("staff", "training_updates", "units")

# Columns that identify a person: they must never reach a report, a chart spec or a log.
PERSONAL_COLUMNS = ("staff_id", "full_name", "birth_date")


# --- the frames a run leaves in OUT -----------------------------------------------------------
# One declaration per output table, used by the stage that builds it, by the writer and by every
# reader (cadre_analytics.outputs, report.inputs), so a column has one dtype everywhere: years are
# Int32 like ``snapshot_year``, counts Int64. Columns a stage adds beyond these are kept as is.

_COUNTS = {
    "indicator": pl.Utf8,
    "level": pl.Utf8,
    "unit": pl.Utf8,
    "unit_name": pl.Utf8,
    "year": pl.Int32,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
}
_ISSUES = {
    "table": pl.Utf8,
    "source_file": pl.Utf8,
    "source_row": pl.Int64,
    "column": pl.Utf8,
    "raw_value": pl.Utf8,
    "rule": pl.Utf8,
    "message_vi": pl.Utf8,
    "message_en": pl.Utf8,
}
# The equity breakdowns as counted (person-level detail stays in restricted/ in this form).
BREAKDOWN_COUNTS: dict[str, pl.DataType] = {
    **{k: v for k, v in _COUNTS.items() if k not in ("numerator", "denominator")},
    "dimension": pl.Utf8,
    "group": pl.Utf8,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "share": pl.Float64,
}
OUTPUT_TABLES: dict[str, dict[str, pl.DataType]] = {
    "indicators": {
        **_COUNTS,
        "share": pl.Float64,
        "target_year": pl.Int32,
        "target": pl.Float64,
        "comparator": pl.Utf8,
        "met": pl.Boolean,
        "gap_persons": pl.Int64,
        "target_upper": pl.Float64,
        "population_empty": pl.Boolean,
        "label_vi": pl.Utf8,
        "label_en": pl.Utf8,
        # History on today's units: the unit's count pools predecessors (units that merged)
        "rebased": pl.Boolean,
        # A level that ended (no unit of it on 31/12/YEAR): the day its last unit closed, and
        # on the YEAR row the snapshot year whose measured value it carries
        "closed_on": pl.Date,
        "carried_from": pl.Int32,
    },
    "breakdowns": {
        **BREAKDOWN_COUNTS,
        # Beside the report only suppressed (cadre_analytics.suppression): hidden values are
        # null; *_below is a true upper bound where the hidden count itself is small.
        "den_suppressed": pl.Boolean,
        "num_suppressed": pl.Boolean,
        "den_below": pl.Int64,
        "num_below": pl.Int64,
    },
    "projection": {
        "indicator": pl.Utf8,
        "level": pl.Utf8,
        "unit": pl.Utf8,
        "year": pl.Int32,
        "scenario": pl.Utf8,
        # whole people: the draw at the median share (Monte Carlo, whole scope) or the
        # expected path rounded (units); share is always numerator / denominator
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "share": pl.Float64,
        "share_p10": pl.Float64,
        "share_p50": pl.Float64,
        "share_p90": pl.Float64,
        "target_year": pl.Int32,
        "target": pl.Float64,
        "met": pl.Boolean,
        "gap_persons": pl.Int64,  # as in indicators, on this row's counts
        # Monte Carlo, whole scope: draws with a verdict, those meeting the target (both
        # bounds of a range), and their ratio; null for deterministic scenarios and units
        "draws": pl.Int64,
        "draws_met": pl.Int64,
        "prob_met": pl.Float64,
        "headline": pl.Boolean,  # the scenario the summary's verdicts are read on
        "assumption": pl.Utf8,
    },
    "requirements": {
        "indicator": pl.Utf8,
        "unit": pl.Utf8,
        "target_year": pl.Int32,
        "scenario": pl.Utf8,  # the headline scenario, whose counts these are
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "extra_completions_total": pl.Int64,  # people short by the target year
        "extra_completions_per_year": pl.Float64,
        "recurring": pl.Boolean,  # annual update: the same number again every year
        "eligible_people": pl.Int64,  # each counted once, whatever the courses they need
        "eligible_two_courses": pl.Int64,
        "courses": pl.Utf8,  # course ids the eligible need, ";"-separated
        "recruit_people": pl.Int64,  # short beyond those eligible: recruit with it
        "people_over": pl.Int64,  # a range exceeded from above: people over its upper bound
        "reason": pl.Utf8,  # too_few_eligible | above_range | not_whole_people
    },
    "trend": {
        "indicator": pl.Utf8,
        "level": pl.Utf8,
        "unit": pl.Utf8,
        "year": pl.Int32,
        "share_trend": pl.Float64,
        "n_snapshots": pl.Int32,
        "first_year": pl.Int32,
        "last_year": pl.Int32,
        "label": pl.Utf8,
    },
    "readings": {
        "kind": pl.Utf8,  # reading | carried | not_measured
        "reading": pl.Utf8,
        "indicator": pl.Utf8,
        "reading_vi": pl.Utf8,
        "reading_en": pl.Utf8,
        "alternative_vi": pl.Utf8,
        "alternative_en": pl.Utf8,
        "source_lines": pl.Utf8,
        "target_year": pl.Int32,
        "carried_from": pl.Int32,
        "year": pl.Int32,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "share": pl.Float64,
        "alt_numerator": pl.Int64,
        "alt_denominator": pl.Int64,
        "alt_share": pl.Float64,
    },
    # A level that ended: where the staff of its last snapshot are at the next (counts only)
    "closures": {
        "level": pl.Utf8,
        "closed_on": pl.Date,
        "from_year": pl.Int32,
        "to_year": pl.Int32,
        "unit": pl.Utf8,  # null: no longer in the data's scope
        "unit_name": pl.Utf8,
        "own_unit": pl.Boolean,  # the unit they were in, now at another level (e.g. a school)
        "people": pl.Int64,
    },
    "quarantine": _ISSUES,
    "warnings": _ISSUES,
    "reconciliation": {
        "table": pl.Utf8,
        "rows_read": pl.Int64,
        "rows_accepted": pl.Int64,
        "rows_quarantined": pl.Int64,
    },
    "rule_results": {
        "table": pl.Utf8,
        "rule": pl.Utf8,
        "grade": pl.Utf8,
        "expectation": pl.Utf8,
        "rows_failed": pl.Int64,
        "success": pl.Boolean,
        "title_vi": pl.Utf8,
        "title_en": pl.Utf8,
        "column": pl.Utf8,
        "where": pl.Utf8,
    },
    "spellings": {
        "table": pl.Utf8,
        "column": pl.Utf8,
        "written": pl.Utf8,
        "read_as": pl.Utf8,
        "code": pl.Utf8,
        "how": pl.Utf8,
        "cells": pl.Int64,
    },
    "input_files": {"table": pl.Utf8, "path": pl.Utf8, "sha256": pl.Utf8, "rows": pl.Int64},
    # The nomination plan (cadre_analytics.plan.stage): aggregates only.
    "plan_outcome": {
        "scenario": pl.Utf8,
        "headline": pl.Boolean,  # the scenario the plan was optimised on
        "target_year": pl.Int32,
        "targets": pl.Int64,  # quota x unit targets (the whole district counts as one unit)
        "met_no_nominations": pl.Int64,
        "met_rule": pl.Int64,  # "eligible people with the latest retirement first"
        "met_plan": pl.Int64,
    },
    "plan_bottlenecks": {
        "quota": pl.Utf8,
        "unit": pl.Utf8,
        "course": pl.Utf8,
        "start_year": pl.Int32,
        "extra_seats": pl.Int64,  # more seats in that class that would close the shortfall
        "free_eligible": pl.Int64,  # people not nominated who could take them
        "meets_target": pl.Boolean,
        "target_year": pl.Int32,
        "cheapest": pl.Boolean,  # the target's way with the fewest extra seats (that suffice)
    },
    "plan_solver": {
        "stage": pl.Utf8,  # targets_and_shortfall | priority | plan (no plan made)
        "status": pl.Utf8,  # optimal | time_limit | infeasible | unbounded | other | error
        "objective": pl.Float64,
        "mip_gap": pl.Float64,
        "seconds": pl.Float64,
        "plan_from": pl.Utf8,  # solver | start (the simple rule's plan was not bettered)
        "time_limit_seconds": pl.Float64,
        "seats_example": pl.Boolean,  # params/seats.yaml still says example: true
        "message_vi": pl.Utf8,  # why no plan was made, naming the seat-file entry in words
        "message_en": pl.Utf8,
        "detail": pl.Utf8,  # the same as a parameter error line, with the entry's key
    },
}

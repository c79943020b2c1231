"""The canonical shape of the three tables after ingest, shared by every stage.

This is the contract between modules: ingest produces frames with exactly these columns and
dtypes (plus the provenance columns), and every later stage may rely on them. The Vietnamese
headers, their synonyms and the synonyms of each vocabulary value live in ``data_contracts/``
as data; this module only names the canonical codes.
"""

from __future__ import annotations

import polars as pl

# Provenance columns added by ingest to every table: which file and which row (1-based,
# as the user sees it in Excel, header row included) each record came from.
SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
PROVENANCE = {SOURCE_FILE: pl.Utf8, SOURCE_ROW: pl.Int64}

# Canonical vocabulary codes (synonyms -> code mapping lives in data_contracts/vocabularies.yaml).
GENDER = ("male", "female")
STAFF_TYPE = ("cadre", "civil_servant", "public_employee", "contract")
LEADERSHIP = ("none", "district", "division")
EDUCATION = (
    "below_intermediate",
    "intermediate",
    "college",
    "university",
    "master",
    "doctor",
    "specialist_1",
    "specialist_2",
)
POLITICAL_THEORY = ("none", "elementary", "intermediate", "advanced")
STATE_MANAGEMENT = ("none", "specialist", "principal", "senior")
FOREIGN_LANGUAGE = ("none", "A1", "A2", "B1", "B2", "C1", "C2")
TRAINING_TOPIC = ("law", "state_management", "ethics")
UNIT_LEVEL = ("district", "commune")

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

TABLES = ("staff", "training_updates", "units")

# Columns that identify a person: they must never reach a report, a chart spec or a log.
PERSONAL_COLUMNS = ("staff_id", "full_name", "birth_date")

"""OUT tables: one declared schema for writer and reader, and CSV cells a spreadsheet cannot run."""

from __future__ import annotations

import polars as pl

from cadre_analytics import outputs
from cadre_analytics.schema import OUTPUT_TABLES


def _indicator_rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator": ["c_university", "o_pe_headcount"],
            "level": ["commune", "district"],
            "unit": ["ALL", "-X1"],
            "unit_name": ["Toàn huyện", "=1+1"],
            "year": [2025, 2025],  # Int64 as built by hand: the writer casts to Int32
            "numerator": [7, -5],
            "denominator": [10, 20],
            "share": [0.7, None],
            "target_year": [2025, 2030],
            "target": [0.7, 0.9],
            "comparator": [">=", "<="],
            "met": [True, None],
            "gap_persons": [0, None],
        }
    )


def test_formula_text_gets_an_apostrophe_numbers_stay_numbers():
    frame = pl.DataFrame(
        {
            "text": ["=1+1", "-abc", "+A1", "@SUM(A1)", "\tx", "\rx", "-5", "+3.5", "ok", None],
            "number": [-5, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    out = outputs.neutralise_formulas(frame)
    assert out["text"].to_list() == [
        "'=1+1",
        "'-abc",
        "'+A1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "-5",  # a spreadsheet reads it as the number -5, never as a formula
        "+3.5",
        "ok",
        None,
    ]
    assert out["number"].to_list() == frame["number"].to_list()
    assert out.schema == frame.schema
    assert frame["text"][0] == "=1+1"  # the input is not changed


def test_csv_cells_and_comparators_as_written(tmp_path):
    outputs.write_table(_indicator_rows(), tmp_path, "indicators")
    text = (tmp_path / "indicators.csv").read_text(encoding="utf-8")
    assert "'=1+1" in text and "'-X1" in text and ",-5," in text
    assert "≥" in text and "≤" in text and ">=" not in text and "<=" not in text


def test_equality_comparator_is_written_as_text_and_read_back(tmp_path):
    # "=" alone would start a formula: it is written "'=" and read back as "==".
    frame = _indicator_rows().with_columns(pl.lit("==").alias("comparator"))
    outputs.write_table(frame, tmp_path, "indicators")
    cells = pl.read_csv(tmp_path / "indicators.csv", infer_schema=False)["comparator"]
    assert cells.to_list() == ["'=", "'="]
    assert outputs.read_table(tmp_path, "indicators")["comparator"].to_list() == ["==", "=="]


def test_round_trip_keeps_declared_dtypes_and_values(tmp_path):
    frame = _indicator_rows()
    outputs.write_table(frame, tmp_path, "indicators")
    back = outputs.read_table(tmp_path, "indicators")
    declared = OUTPUT_TABLES["indicators"]
    assert dict(back.schema) == declared
    assert back["year"].dtype == pl.Int32
    assert back["comparator"].to_list() == [">=", "<="]
    assert back["unit_name"].to_list() == ["Toàn huyện", "=1+1"]
    assert back["unit"].to_list() == ["ALL", "-X1"]
    assert back["met"].to_list() == [True, None]
    assert back["numerator"].to_list() == [7, -5]


def test_parquet_and_csv_read_the_same(tmp_path):
    csv_dir, both_dir = tmp_path / "csv", tmp_path / "both"
    outputs.write_table(_indicator_rows(), csv_dir, "indicators")
    outputs.write_table(_indicator_rows(), both_dir, "indicators", parquet=True)
    from_csv = outputs.read_table(csv_dir, "indicators")
    from_parquet = outputs.read_table(both_dir, "indicators")
    assert from_csv.schema == from_parquet.schema
    assert from_csv.equals(from_parquet)


def test_every_table_declares_year_columns_as_int32():
    for name, columns in OUTPUT_TABLES.items():
        for column in ("year", "target_year"):
            if column in columns:
                assert columns[column] == pl.Int32, (name, column)


def test_declarations_agree_with_the_stages_that_build_the_frames():
    from cadre_analytics import contracts, projection
    from cadre_analytics.ingest import INPUT_FILES_SCHEMA

    assert OUTPUT_TABLES["quarantine"] == contracts.ISSUE_SCHEMA
    assert OUTPUT_TABLES["reconciliation"] == contracts.RECONCILIATION_SCHEMA
    assert OUTPUT_TABLES["rule_results"] == contracts.RULE_RESULTS_SCHEMA
    assert OUTPUT_TABLES["input_files"] == INPUT_FILES_SCHEMA
    # Same columns in the same order; projection's counts may be medians (declared Float64).
    assert list(OUTPUT_TABLES["projection"]) == list(projection.PROJECTION_SCHEMA)
    assert list(OUTPUT_TABLES["requirements"]) == list(projection.REQUIREMENTS_SCHEMA)
    assert list(OUTPUT_TABLES["trend"]) == list(projection.TREND_SCHEMA)

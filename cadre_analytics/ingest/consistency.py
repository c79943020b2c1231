"""Checks across files and years, once every row has been judged.

Each row may pass its own rules while the files together are wrong: a year whose IDs were
rewritten shares nobody with the year before (the report would show a false jump), an export
with a broken setting sends most of the report year to quarantine, and a person's gender or
birth date may change between two snapshots.  The first two stop the run (a report on them
would be wrong, not merely incomplete); the third is a warning row naming both rows.

Pure functions: frames and the contract spec in, warning rows and rule results out, or an
:class:`InputStop`.  Thresholds come from ``data_contracts/rules.yaml`` (``thresholds``).
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.identity import NOTE_SCHEMA
from cadre_analytics.ingest.spec import ContractSpec
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW

STAFF = "staff"
PERSON_DETAILS = ("gender", "birth_date")  # what a person's next snapshot cannot change


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + " %"


def _files(values: pl.DataFrame, years: list[int]) -> str:
    picked = values.filter(pl.col("snapshot_year").is_in(years))
    return ", ".join(picked[SOURCE_FILE].unique(maintain_order=True).to_list()) or STAFF


def quarantine_share_stop(
    staff_values: pl.DataFrame, quarantine: pl.DataFrame, year: int, spec: ContractSpec
) -> None:
    """Stop when more than the allowed share of the report year's staff rows were set aside,
    naming the rules that took the most rows (with a row to look at)."""
    rows = staff_values.filter(pl.col("snapshot_year") == year).select(SOURCE_FILE, SOURCE_ROW)
    taken = quarantine.filter(pl.col("table") == STAFF).join(
        rows,
        left_on=["source_file", "source_row"],
        right_on=[SOURCE_FILE, SOURCE_ROW],
        how="semi",
    )
    count = taken.select("source_file", "source_row").n_unique() if taken.height else 0
    share = count / rows.height if rows.height else 0.0
    limit = spec.thresholds["max_report_year_quarantined_share"]
    if count < spec.thresholds["min_report_year_quarantined_rows"] or share <= limit:
        return
    top = (
        taken.group_by("rule", maintain_order=True)
        .agg(
            pl.len().alias("n"),
            pl.col("column").first(),
            pl.col("source_file").first(),
            pl.col("source_row").first(),
        )
        .sort("n", descending=True, maintain_order=True)
        .head(2)
    )
    detail_vi, detail_en = [], []
    for r in top.iter_rows(named=True):
        rule = spec.rules.get(r["rule"])
        vi, en = (rule.title_vi, rule.title_en) if rule else (r["rule"], r["rule"])
        where = f"{r['source_file']}, {{row}} {r['source_row']}, {{col}} '{r['column']}'"
        detail_vi.append(f"'{vi}' {r['n']} dòng (ví dụ {where.format(row='dòng', col='cột')})")
        detail_en.append(f"'{en}' {r['n']} rows (e.g. {where.format(row='row', col='column')})")
    rule = spec.rules["report_year_quarantined"]
    fields = {
        "quarantined": count,
        "rows": rows.height,
        "year": year,
        "share": _percent(share),
        "max_share": _percent(limit),
    }
    raise InputStop(
        rule.message_vi.format(**fields, detail="; ".join(detail_vi)),
        rule.message_en.format(**fields, detail="; ".join(detail_en)),
        where=_files(staff_values, [year]),
        fix_vi=rule.fix_vi,
        fix_en=rule.fix_en,
    )


def ids_shared_stop(staff: pl.DataFrame, year: int, spec: ContractSpec) -> None:
    """Stop when a snapshot year up to ``year`` shares too few staff IDs with the one before
    (measured against the smaller of the two, so a growing or a partial year is no alarm)."""
    per_year = (
        staff.filter(pl.col("snapshot_year") <= year)
        .select("snapshot_year", "staff_id")
        .drop_nulls()
        .unique()
    )
    years = sorted(per_year["snapshot_year"].unique().to_list())
    minimum = spec.thresholds["min_people_shared_with_previous_year"]
    for previous, current in zip(years, years[1:], strict=False):
        before = per_year.filter(pl.col("snapshot_year") == previous)["staff_id"]
        now = per_year.filter(pl.col("snapshot_year") == current)["staff_id"]
        shared = now.is_in(before.implode()).sum()
        if shared >= minimum * min(before.len(), now.len()):
            continue
        rule = spec.rules["ids_not_shared"]
        fields = {
            "year": current,
            "count": now.len(),
            "previous": previous,
            "previous_count": before.len(),
            "shared": shared,
            "min_share": _percent(minimum),
        }
        raise InputStop(
            rule.message_vi.format(**fields),
            rule.message_en.format(**fields),
            where=_files(staff, [previous, current]),
            fix_vi=rule.fix_vi,
            fix_en=rule.fix_en,
        )


def _shown(value: pl.Expr, name: str, spec: ContractSpec) -> pl.Expr:
    """A value as the user would write it: a vocabulary's first spelling, a date dd/mm/yyyy."""
    col = spec.tables[STAFF].columns[name]
    if col.kind == "date":
        return value.dt.strftime("%d/%m/%Y")
    labels = spec.vocabularies[col.vocabulary].labels if col.vocabulary else {}
    return value.cast(pl.Utf8).replace(labels)


def person_changes(staff: pl.DataFrame, spec: ContractSpec) -> pl.DataFrame:
    """A warning row (NOTE_SCHEMA) for each accepted row whose gender or birth date differs
    from the same person's previous snapshot, naming that row too."""
    rule = spec.rules["person_details_changed"]
    order = staff.select(
        "staff_id", "snapshot_year", SOURCE_FILE, SOURCE_ROW, *PERSON_DETAILS
    ).filter(pl.col("staff_id").is_not_null())
    # by person then year (stable: file order breaks ties): the previous row is the person's
    # previous snapshot when the ID is the same
    order = order.sort("staff_id", "snapshot_year", maintain_order=True)
    same = pl.col("staff_id") == pl.col("staff_id").shift(1)
    changed = pl.any_horizontal(pl.col(n) != pl.col(n).shift(1) for n in PERSON_DETAILS)
    hits = order.with_columns(
        pl.col(SOURCE_FILE).shift(1).alias("_file"),
        pl.col(SOURCE_ROW).shift(1).alias("_row"),
        *[pl.col(n).shift(1).alias(f"_was_{n}") for n in PERSON_DETAILS],
    ).filter(same & changed.fill_null(False))
    found = []
    for name in PERSON_DETAILS:
        header = spec.tables[STAFF].columns[name].primary_header
        rows = hits.filter(pl.col(name) != pl.col(f"_was_{name}")).with_columns(
            _shown(pl.col(name), name, spec).alias("_now"),
            _shown(pl.col(f"_was_{name}"), name, spec).alias("_before"),
        )
        for r in rows.iter_rows(named=True):
            fields = {"column": header, "id": r["staff_id"], "value": r["_now"]}
            fields["before"] = r["_before"]
            vi = f"{rule.message_vi} {rule.fix_vi}".format(
                **fields, before_where=f"{r['_file']} dòng {r['_row']}"
            )
            en = f"{rule.message_en} {rule.fix_en}".format(
                **fields, before_where=f"{r['_file']} row {r['_row']}"
            )
            found.append(
                (STAFF, r[SOURCE_FILE], r[SOURCE_ROW], header, r["_now"], rule.rule, vi, en)
            )
    return pl.DataFrame(found, schema=NOTE_SCHEMA, orient="row")


def _result(rule: str, rows_failed: int, expectation: str, spec: ContractSpec) -> dict:
    r = spec.rules[rule]
    return {
        "table": STAFF,
        "rule": rule,
        "grade": r.grade,
        "expectation": expectation,
        "rows_failed": rows_failed,
        "success": rows_failed == 0,
        "title_vi": r.title_vi,
        "title_en": r.title_en,
    }


def review(
    raw, staff: pl.DataFrame, quarantine: pl.DataFrame, year: int, spec: ContractSpec
) -> tuple[pl.DataFrame, list[dict]]:
    """Every check across files and years: raises InputStop, else returns the warning rows
    (the notes ingest made on whole files, and person changes) and their rule results.

    ``raw``: RawInputs (staff ``values`` = every row read); ``staff``: the accepted rows;
    ``quarantine``: the quarantine entries of every table."""
    quarantine_share_stop(raw.tables[STAFF].values, quarantine, year, spec)
    ids_shared_stop(raw.tables[STAFF].values, year, spec)  # every row read names a person
    notes = (
        raw.notes if getattr(raw, "notes", None) is not None else pl.DataFrame(schema=NOTE_SCHEMA)
    )
    changes = person_changes(staff, spec)
    results = [
        _result("report_year_quarantined", 0, "report_year_share_quarantined(staff)", spec),
        _result("ids_not_shared", 0, "ids_shared_with_previous_year(staff_id)", spec),
        _result(
            "person_details_changed", changes.height, "same_across_years(gender,birth_date)", spec
        ),
    ]
    for rule in ("id_zero_padded", "date_month_first"):
        n = notes.filter(pl.col("rule") == rule).height
        results.append(_result(rule, n, f"whole_file({rule})", spec))
    return pl.concat([notes.cast(NOTE_SCHEMA), changes]), results

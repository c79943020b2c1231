"""Checks on the life of the units (validity dates, successors): each bad case stops the run
with the file, row, column and value named, because every later count rests on these links.

Stops, in the order checked: a split (one unit naming two successors: people cannot be pooled
by addition without an apportionment, which this table cannot say), one code valid in two
overlapping periods, a ring of successors, a successor that does not exist on the day after
the unit ended. A staff row whose unit is not valid on its snapshot date is quarantined
(``unit_not_valid_on_date``, in :mod:`.derived`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.spec import ContractSpec
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW
from cadre_analytics.units import OFFICIAL_CODE, successor_epoch

SPLIT_SEPARATORS = r"[;,/+]"


def _header(spec: ContractSpec, column: str) -> str:
    return spec.tables["units"].columns[column].primary_header


def _stop(spec: ContractSpec, rule: str, row: dict, column: str, **fields: str) -> InputStop:
    r = spec.rules[rule]
    where = (
        f"{row[SOURCE_FILE]}, dòng {row[SOURCE_ROW]} / row {row[SOURCE_ROW]}, "
        f"cột '{_header(spec, column)}'"
    )
    return InputStop(
        r.message_vi.format(**fields),
        r.message_en.format(**fields),
        where=where,
        fix_vi=r.fix_vi.format(**fields),
        fix_en=r.fix_en.format(**fields),
    )


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else "—"


def check_unit_life(units: pl.DataFrame, spec: ContractSpec) -> None:
    """Raise InputStop on the first bad link of the accepted units (see the module)."""
    if OFFICIAL_CODE not in units.columns:
        return  # a table without a life: every unit always existed
    rows = units.sort(SOURCE_FILE, SOURCE_ROW).to_dicts()
    _check_splits(rows, spec)
    _check_overlaps(rows, spec)
    successor = successor_epoch(units)
    _check_cycles(rows, successor, spec)
    _check_successors_exist(rows, successor, spec)


def _check_splits(rows: list[dict], spec: ContractSpec) -> None:
    for row in rows:
        text = row["successor"]
        if text is not None and len([p for p in re.split(SPLIT_SEPARATORS, text) if p.strip()]) > 1:
            raise _stop(spec, "unit_split", row, "successor", value=text, code=row[OFFICIAL_CODE])


def _check_overlaps(rows: list[dict], spec: ContractSpec) -> None:
    by_code: dict[str, list[dict]] = {}
    for row in rows:
        by_code.setdefault(row[OFFICIAL_CODE], []).append(row)
    for code, epochs in by_code.items():
        ordered = sorted(epochs, key=lambda r: r["valid_from"] or date.min)
        for before, after in zip(ordered, ordered[1:], strict=False):
            ends = before["valid_to"]
            if ends is None or after["valid_from"] is None or ends >= after["valid_from"]:
                raise _stop(
                    spec,
                    "unit_epochs_overlap",
                    after,
                    "valid_from",
                    value=code,
                    rows=f"{before[SOURCE_ROW]}, {after[SOURCE_ROW]}",
                    first=f"{_day(before['valid_from'])}–{_day(before['valid_to'])}",
                    second=f"{_day(after['valid_from'])}–{_day(after['valid_to'])}",
                )


def _check_cycles(rows: list[dict], successor: dict[str, str | None], spec: ContractSpec) -> None:
    by_key = {row["code"]: row for row in rows}
    for row in rows:
        path, current = [row["code"]], successor.get(row["code"])
        while current is not None:
            if current in path:
                ring = [*path[path.index(current) :], current]
                shown = " → ".join(by_key[k][OFFICIAL_CODE] for k in ring)
                raise _stop(spec, "unit_successor_cycle", by_key[current], "successor", value=shown)
            path.append(current)
            current = successor.get(current)


def _check_successors_exist(
    rows: list[dict], successor: dict[str, str | None], spec: ContractSpec
) -> None:
    for row in rows:
        if row["successor"] is None or successor.get(row["code"]) is not None:
            continue
        ended = row["valid_to"]
        day = _day(ended + timedelta(days=1)) if ended is not None else "—"
        raise _stop(
            spec, "unit_successor_missing", row, "successor", value=row["successor"], day=day
        )

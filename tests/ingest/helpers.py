"""Helpers for the ingest / contracts tests: copy the hand-built clean fixture and edit it."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

CLEAN = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "clean"
TODAY = date(2026, 1, 15)  # fixed "today" so 'training dated in the future' is reproducible


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def clean_copy(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("units.csv", "staff.csv", "training_updates.csv"):
        shutil.copy(CLEAN / name, target / name)
    return target


def edit_cell(folder: Path, table: str, row: int, header: str, value: str) -> None:
    """Set the cell at spreadsheet row ``row`` (1 = header) under ``header``."""
    path = folder / f"{table}.csv"
    rows = read_rows(path)
    rows[row - 1][rows[0].index(header)] = value
    write_rows(path, rows)


def append_row(folder: Path, table: str, values: dict[str, str]) -> int:
    """Append a row (unlisted columns empty); returns its spreadsheet row number."""
    path = folder / f"{table}.csv"
    rows = read_rows(path)
    rows.append([values.get(h, "") for h in rows[0]])
    write_rows(path, rows)
    return len(rows)


def copy_row(folder: Path, table: str, row: int, **changes: str) -> int:
    path = folder / f"{table}.csv"
    rows = read_rows(path)
    new = list(rows[row - 1])
    for header, value in changes.items():
        new[rows[0].index(header)] = value
    rows.append(new)
    write_rows(path, rows)
    return len(rows)

"""A small, safe writer of table sheets into an Excel workbook (openpyxl).

Each sheet is one table: a bold header row frozen at the top, an auto-filter, number formats
per column kind and columns sized to their content. Every text cell is stored as text, never
as a formula: a unit named ``=HYPERLINK(...)`` must not run when a clerk opens the file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# Excel number formats by column kind. Shares are fractions 0..1, so the percent formats show
# them as percentages without the workbook multiplying anything; a change of share is shown
# signed, in percentage points.
FORMATS = {
    "int": "#,##0",
    "signed": "+#,##0;-#,##0;0",
    "percent": "0.0%",
    "points": "+0.0%;-0.0%;0.0%",
    "date": "DD/MM/YYYY",
    "year": "0",
    "row": "0",  # a spreadsheet row number, never grouped
}
# A count that may be a per-year average: whole numbers without decimals, others with one.
COUNT_WHOLE, COUNT_FRACTION = "#,##0", "#,##0.0"
# Characters that make a spreadsheet read a typed cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")
# Excel's last row; a longer list would make a file Excel refuses to open.
EXCEL_ROWS = 1_048_576
MAX_WIDTH = 60
HEADER_WIDTH = 28  # headers longer than this wrap instead of widening the column


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | int | signed | count | percent | points | date | year | row


@dataclass
class Sheet:
    name: str  # at most 31 characters, none of []:*?/\
    columns: Sequence[Column]
    rows: list[list[object]] = field(default_factory=list)
    table: bool = True  # False: a notes sheet of plain lines (no header, no filter)


def cap_rows(sheet: Sheet, limit: int = EXCEL_ROWS - 1) -> tuple[Sheet, int]:
    """The sheet with at most ``limit`` data rows (below the header), and how many were cut;
    the caller says so in the notes and points at the CSV that holds them all."""
    if len(sheet.rows) <= limit:
        return sheet, 0
    kept = Sheet(sheet.name, sheet.columns, sheet.rows[:limit], sheet.table)
    return kept, len(sheet.rows) - limit


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _display_width(value: object, kind: str) -> int:
    """An estimate of the characters a cell shows, for sizing its column."""
    if _is_missing(value):
        return 1
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if kind == "date":
        return 10
    if kind in ("percent", "points"):
        return 7
    if isinstance(value, float) and not value.is_integer():
        value = round(value, 1)
    digits = len(f"{abs(int(value)):,}")
    return digits + (2 if kind in ("signed", "count") else 0)


def _put(cell, value: object, kind: str) -> None:
    """Write one value: text stays text, numbers get their column's format."""
    if _is_missing(value):
        return
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
        if kind != "text":
            cell.alignment = Alignment(horizontal="right")  # a hidden count, e.g. "<5"
        return
    if isinstance(value, bool):
        raise TypeError("booleans must be written as words (catalogue), not TRUE/FALSE")
    cell.value = value
    if kind == "count":
        whole = isinstance(value, int) or float(value).is_integer()
        cell.number_format = COUNT_WHOLE if whole else COUNT_FRACTION
    elif kind in FORMATS and (isinstance(value, int | float) or isinstance(value, date)):
        cell.number_format = FORMATS[kind]


def _write_table(ws, sheet: Sheet) -> None:
    widths = [min(len(c.header), HEADER_WIDTH) for c in sheet.columns]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for j, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=j)
        _put(cell, column.header, "text")
        cell.font, cell.alignment = bold, wrap
    for i, row in enumerate(sheet.rows, start=2):
        for j, (column, value) in enumerate(zip(sheet.columns, row, strict=True), start=1):
            _put(ws.cell(row=i, column=j), value, column.kind)
            widths[j - 1] = max(widths[j - 1], _display_width(value, column.kind))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    last = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last}{max(len(sheet.rows) + 1, 1)}"


def _write_lines(ws, sheet: Sheet) -> None:
    for i, row in enumerate(sheet.rows, start=1):
        _put(ws.cell(row=i, column=1), row[0], "text")
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    if sheet.rows:
        ws.cell(row=1, column=1).font = Font(bold=True)


def build_workbook(sheets: Sequence[Sheet]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(title=sheet.name)
        (_write_table if sheet.table else _write_lines)(ws, sheet)
    return wb


def save_workbook(sheets: Sequence[Sheet], path: Path, *, owner_only: bool = False) -> Path:
    """Write ``sheets`` to ``path``; ``owner_only`` creates the file 0600 before any byte."""
    wb = build_workbook(sheets)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not owner_only:
        wb.save(path)
        return path
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "wb") as handle:
        wb.save(handle)
    return path

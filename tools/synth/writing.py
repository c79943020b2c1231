"""What users have: Vietnamese headers and values, dirty cells, xlsx / csv / parquet files."""

from __future__ import annotations

import datetime as dt
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cadre_analytics import schema
from cadre_analytics.errors import UserError
from tools.synth.layout import base_size
from tools.synth.model import generate_units, iter_generate, year_list
from tools.synth.params import (
    DEFAULT_SEED,
    DEFAULT_YEARS,
    DIRT_COUNTS,
    SynthParams,
    resolve_params,
)
from tools.synth.timeline import units_valid_on

# Excel's day 0 (the 1900 leap-year bug makes 1899-12-30 the epoch for serials >= 61).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Beyond this many staff rows an XLSX sheet would be unusable (Excel stops at 1,048,576).
XLSX_MAX_ROWS = 1_000_000
# Above this many staff rows, parquet/csv staff is written one file per year (staff_2021...).
SPLIT_STAFF_ROWS = 1_000_000


# --- writing what users have -------------------------------------------------------------------


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _vietnamese(p: SynthParams, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Canonical codes -> the Vietnamese values users write (booleans as 'x' / empty)."""
    vals = p["values"]
    yes = vals["boolean"][True]
    no = vals["boolean"][False] or None
    explicit_no = vals.get("explicit_false", {})
    exprs = []
    for col, dtype in frame.schema.items():
        e = pl.col(col)
        vocab = {"studying_education": "education", "studying_political_theory":
                 "political_theory", "topic": "topic", "level": "level"}.get(col, col)  # fmt: skip
        if dtype == pl.Boolean:
            # Empty means "no" for most ticks; where empty means "not given" the "no" is written.
            e = pl.when(e).then(pl.lit(yes)).when(~e).then(pl.lit(explicit_no.get(col, no)))
        elif vocab in vals and vocab != "boolean" and dtype == pl.Utf8:
            labels = [v if v != "" else None for v in vals[vocab].values()]
            try:
                # Codes -> positions -> labels: ~2x faster than a hash replace on millions.
                pos = frame[col].cast(pl.Enum(list(vals[vocab]))).to_physical()
                e = pl.lit(pl.Series(labels, dtype=pl.Utf8).gather(pos))
            except pl.exceptions.InvalidOperationError:
                # A value outside the vocabulary (frames not from generate()): kept as is.
                e = e.replace(dict(zip(vals[vocab], labels, strict=True)))
        elif col == "aliases":
            e = e.list.join("; ")
        exprs.append(e.alias(col))
    return frame.select(exprs)


@dataclass
class _Dirt:
    """Cell edits for one table: column -> {row: value}, plus rows to append."""

    edits: dict[str, dict[int, Any]]
    append: list[int]
    log: list[dict[str, Any]]


def _pick_rows(rng: np.random.Generator, n: int, want: int) -> list[int]:
    if n == 0:
        return []
    draw = rng.integers(0, n, size=min(max(want * 20, 200), 4 * n + 200))
    _, first = np.unique(draw, return_index=True)
    return [int(x) for x in draw[np.sort(first)]]


def _dirt_share(count: int, kind_index: int, k: int, n_years: int) -> int:
    """How many of ``count`` dirty cells of one kind go to year number ``k``.

    Spread over the years (offset per kind so small counts do not all land in the first year).
    """
    return sum(1 for j in range(count) if (j + kind_index) % n_years == k)


def _plan_staff_dirt(
    p: SynthParams,
    staff: pl.DataFrame,
    units: pl.DataFrame,
    rng: np.random.Generator,
    counts: dict[str, int],
    done: dict[str, int] | None = None,
) -> _Dirt:
    """Choose the dirty cells of one year's staff rows (row numbers local to ``staff``).

    ``done``: cells of each kind planned in earlier years, so the variants keep rotating.
    """
    done = done or {}
    d = p["dirt"]
    cand = _pick_rows(rng, staff.height, sum(counts.values()))
    used: set[int] = set()
    edits: dict[str, dict[int, Any]] = {}
    log: list[dict[str, Any]] = []
    rows = staff.with_row_index("_i").filter(pl.col("_i").is_in(cand))
    by_row = {r["_i"]: r for r in rows.iter_rows(named=True)}
    vals = p["values"]

    def take(pred=lambda r: True) -> dict | None:
        for i in cand:
            if i not in used and pred(by_row[i]):
                used.add(i)
                return by_row[i]
        return None

    def edit(kind: str, r: dict, col: str, value: Any) -> None:
        edits.setdefault(col, {})[r["_i"]] = value
        log.append(dict(table="staff", kind=kind, row=r["_i"], column=col, value=str(value),
                        staff_id=r["staff_id"], snapshot_year=r["snapshot_year"]))  # fmt: skip

    append = []
    for _ in range(counts.get("duplicate", 0)):
        r = take()
        if r:
            append.append(r["_i"])
            log.append(dict(table="staff", kind="duplicate", row=staff.height + len(append) - 1,
                            column="", value="", staff_id=r["staff_id"],
                            snapshot_year=r["snapshot_year"]))  # fmt: skip
    syn = d["synonyms"]
    cols = list(syn)
    for j in range(done.get("synonym", 0), done.get("synonym", 0) + counts.get("synonym", 0)):
        for c in cols[j % len(cols) :] + cols[: j % len(cols)]:
            targets = list(syn[c])
            wanted = targets[(j // len(cols)) % len(targets)]
            r = take(lambda r, c=c, w=wanted: r[c] == w) or take(lambda r, c=c: r[c] in syn[c])
            if r:
                choices = syn[c][r[c]]
                edit("synonym", r, c, choices[j % len(choices)])
                break
    for j in range(done.get("nfd_text", 0), done.get("nfd_text", 0) + counts.get("nfd_text", 0)):
        if j % 2 == 0:
            r = take(lambda r: _nfd(r["full_name"] or "") != (r["full_name"] or ""))
            if r:
                edit("nfd_text", r, "full_name", _nfd(r["full_name"]))
        else:
            r = take(lambda r: r["education"] in ("intermediate", "university", "college"))
            if r:
                edit("nfd_text", r, "education", _nfd(vals["education"][r["education"]]))
    for _ in range(counts.get("birth_date_text", 0)):
        r = take()
        if r:
            edit("birth_date_text", r, "birth_date", r["birth_date"].strftime("%d/%m/%Y"))
    for _ in range(counts.get("birth_date_serial", 0)):
        r = take()
        if r:
            edit("birth_date_serial", r, "birth_date", _excel_serial(r["birth_date"]))
    unknown = d["unknown_values"]
    for j in range(
        done.get("unknown_value", 0), done.get("unknown_value", 0) + counts.get("unknown_value", 0)
    ):
        r = take()
        if r:
            u = unknown[j % len(unknown)]
            edit("unknown_value", r, u["column"], u["value"])
    if counts.get("unit_by_name", 0):
        unit_names = dict(zip(units["code"], units["name"], strict=True))
        unit_alias = dict(zip(units["code"], units["aliases"].to_list(), strict=True))
    for j in range(
        done.get("unit_by_name", 0), done.get("unit_by_name", 0) + counts.get("unit_by_name", 0)
    ):
        r = take(lambda r: r["unit"] in unit_names)
        if r:
            aliases = unit_alias[r["unit"]] or []
            value = aliases[0] if (j % 2 and aliases) else unit_names[r["unit"]]
            edit("unit_by_name", r, "unit", value)
    return _Dirt(edits, append, log)


def _plan_training_dirt(
    p: SynthParams, training: pl.DataFrame, rng: np.random.Generator, counts: dict[str, int]
) -> _Dirt:
    """Choose the dirty dates of one year's training rows (row numbers local)."""
    cand = _pick_rows(rng, training.height, sum(counts.values()))
    dates = training["date"]
    ids = training["staff_id"]
    edits: dict[str, dict[int, Any]] = {"date": {}}
    log: list[dict[str, Any]] = []
    it = iter(cand)
    for kind in ("training_date_text", "training_date_serial"):
        for _ in range(counts.get(kind, 0)):
            i = next(it, None)
            if i is None:
                break
            day = dates[i]
            value = day.strftime("%d/%m/%Y") if kind == "training_date_text" else _excel_serial(day)
            edits["date"][i] = value
            log.append(dict(table="training_updates", kind=kind, row=i, column="date",
                            value=str(value), staff_id=ids[i], snapshot_year=None))  # fmt: skip
    return _Dirt(edits, [], log)


def _departed_rows(p: SynthParams, year: int, n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "staff_id": [p["dirt"]["departed_staff_id"]] * n,
            "date": [dt.date(year, 3, 15)] * n,
            "topic": ["law"] * n,
            "course": [f"{p['training']['course_prefix']['law']}{year}-01"] * n,
            "hours": [8.0] * n,
        },
        schema=schema.TRAINING_COLUMNS,
    )


def _apply_text_edits(
    frame: pl.DataFrame, edits: dict[str, dict[int, Any]], as_text: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Scatter string edits; columns in ``as_text`` (dates) become ISO text even if unedited."""
    cols = {c: frame[c].cast(pl.Utf8) for c in as_text if c in frame.columns}
    for col, cell in edits.items():
        if not cell:
            continue
        s = cols.get(col, frame[col])
        if s.dtype != pl.Utf8:
            s = s.cast(pl.Utf8)
        # Not Series.scatter: it writes in place, into the caller's frames.
        pick = np.arange(s.len(), dtype=np.int64)
        pick[list(cell)] = s.len() + np.arange(len(cell))
        cols[col] = pl.concat(
            [s, pl.Series([str(v) for v in cell.values()], dtype=pl.Utf8)]
        ).gather(pick)
    return frame.with_columns(**cols) if cols else frame


def _headers(p: SynthParams, table: str, frame: pl.DataFrame, vietnamese: bool) -> pl.DataFrame:
    if not vietnamese:
        return frame
    headers = dict(p["headers"][table])
    if table == "units":  # the validity columns of a units table with epochs
        headers.update(p["reorganisation"]["headers"])
    return frame.rename({c: h for c, h in headers.items() if c in frame.columns})


def _write_xlsx(path: Path, sheets: dict[str, tuple[pl.DataFrame, dict[str, dict[int, Any]]]]):
    """One workbook; ``edits`` are typed cell overrides (text dates, serial numbers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (frame, edits) in sheets.items():
        ws = wb.create_sheet(name)
        header = []
        for col in frame.columns:
            cell = WriteOnlyCell(ws, value=col)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        date_cols = [j for j, t in enumerate(frame.dtypes) if t == pl.Date]
        pos = {c: j for j, c in enumerate(frame.columns)}
        over = {(i, pos[c]): v for c, cells in edits.items() for i, v in cells.items()}
        for i, row in enumerate(frame.iter_rows()):
            out: list[Any] = [None if v == "" else v for v in row]
            for j in date_cols:
                if out[j] is not None:
                    cell = WriteOnlyCell(ws, value=out[j])
                    cell.number_format = "dd/mm/yyyy"
                    out[j] = cell
            if over:
                for j in range(len(out)):
                    if (i, j) in over:
                        out[j] = over[(i, j)]
            ws.append(out)
    wb.save(path)


class _DatasetWriter:
    """Writes one snapshot year at a time, so a national-size dataset never sits in memory.

    Dirt is planned per year (counts spread over the years by ``_dirt_share``), so writing
    ``generate()``'s frames and streaming ``iter_generate()`` give the same files.
    """

    def __init__(self, p: SynthParams, out_dir: Path, fmt: str, vietnamese: bool, dirt: bool,
                 seed: int, years: list[int], units: pl.DataFrame, split: bool,
                 workbook_name: str) -> None:  # fmt: skip
        if fmt not in ("xlsx", "parquet", "csv"):
            raise UserError(
                f"Định dạng '{fmt}' không được hỗ trợ (xlsx, parquet, csv).",
                f"Format '{fmt}' is not supported (xlsx, parquet, csv).",
                where="--format",
            )
        self.p, self.fmt, self.vietnamese, self.dirt = p, fmt, vietnamese, dirt
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.years, self.units, self.split = years, units, split
        self.workbook_name = workbook_name
        self.rng = np.random.default_rng(np.random.SeedSequence([int(seed), 2]))
        self.rows = {"staff": 0, "training_updates": 0, "units": units.height}
        self.log: list[dict[str, Any]] = []
        self.files: list[str] = []
        self.keep: dict[str, list] = {"staff": [], "training_updates": []}
        # Year files are written by one background thread while the next year is generated
        # (polars releases the GIL while it encodes parquet).
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: list[Future] = []
        # Text dates must be one column type across every file of a table.
        self.text_dates = dirt and fmt != "xlsx"

    def _counts(self, k: int, kinds: tuple[str, ...]) -> dict[str, int]:
        if not self.dirt:
            return {}
        d, n = self.p["dirt"], len(self.years)
        out = {}
        for kind in kinds:
            ki = DIRT_COUNTS.index(kind)
            if kind == "duplicate":  # in the second year: an old snapshot re-pasted
                out[kind] = int(d[kind]) if k == min(1, n - 1) else 0
            else:
                out[kind] = _dirt_share(int(d[kind]), ki, k, n)
        return out

    def add_year(self, year: int, staff: pl.DataFrame, training: pl.DataFrame) -> None:
        k = self.years.index(year)
        p = self.p
        staff_kinds = ("synonym", "nfd_text", "birth_date_text", "birth_date_serial",
                       "unknown_value", "duplicate", "unit_by_name")  # fmt: skip
        s_dirt = _Dirt({}, [], [])
        t_dirt = _Dirt({}, [], [])
        if self.dirt:
            done = {kind: 0 for kind in DIRT_COUNTS}
            for entry in self.log:
                done[entry["kind"]] += 1
            # A unit named by HR is named as it was on the snapshot's date (codes are reused).
            units = units_valid_on(self.units, dt.date(year, 12, 31))
            s_dirt = _plan_staff_dirt(p, staff, units, self.rng,
                                      self._counts(k, staff_kinds), done)  # fmt: skip
            t_dirt = _plan_training_dirt(p, training, self.rng, self._counts(
                k, ("training_date_text", "training_date_serial")))  # fmt: skip
            n_departed = int(p["dirt"]["departed_training"]) if k == 0 else 0
            if n_departed:
                for j in range(n_departed):
                    t_dirt.log.append(dict(table="training_updates", kind="departed_training",
                                           row=training.height + j, column="staff_id",
                                           value=p["dirt"]["departed_staff_id"],
                                           staff_id=p["dirt"]["departed_staff_id"],
                                           snapshot_year=None))  # fmt: skip
                training = pl.concat([training, _departed_rows(p, year, n_departed)])
        staff_vi = _vietnamese(p, "staff", staff)
        if s_dirt.append:
            # An exact copy after the last row of its year, as a re-pasted line would be.
            staff_vi = pl.concat([staff_vi, staff_vi[s_dirt.append]])
        training_vi = _vietnamese(p, "training_updates", training)
        for table, frame, dirt, date_col in (
            ("staff", staff_vi, s_dirt, "birth_date"),
            ("training_updates", training_vi, t_dirt, "date"),
        ):
            offset = self.rows[table]
            for entry in dirt.log:
                entry["row"] += offset
            self.log.extend(dirt.log)
            if self.fmt == "xlsx":
                text = {c: v for c, v in dirt.edits.items() if c != date_col}
                frame = _apply_text_edits(frame, text)
                typed = {offset + i: v for i, v in dirt.edits.get(date_col, {}).items()}
                self.keep[table].append((frame, typed))
            else:
                as_text = (date_col,) if self.text_dates else ()
                frame = _apply_text_edits(frame, dirt.edits, as_text)
                if self.split:
                    self._drain(keep=1)
                    self.pending.append(
                        self.pool.submit(self._write, f"{table}_{year}", table, frame)
                    )
                else:
                    self.keep[table].append((frame, {}))
            self.rows[table] += frame.height

    def _write(self, name: str, table: str, frame: pl.DataFrame) -> None:
        frame = _headers(self.p, table, frame, self.vietnamese)
        path = self.out / f"{name}.{self.fmt}"
        if self.fmt == "parquet":
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
        self.files.append(path.name)

    def _drain(self, keep: int = 0) -> None:
        while len(self.pending) > keep:
            self.pending.pop(0).result()  # re-raises a write error here

    def finish(self) -> dict[str, Any]:
        self._drain()
        self.pool.shutdown()
        p = self.p
        units_vi = _vietnamese(p, "units", self.units)
        if self.fmt == "xlsx":
            sheets = {}
            for table, date_col in (("staff", "birth_date"), ("training_updates", "date")):
                parts = self.keep[table]
                frame = pl.concat([f for f, _ in parts]) if parts else pl.DataFrame()
                typed = {i: v for _, t in parts for i, v in t.items()}
                sheets[table] = (
                    _headers(p, table, frame, self.vietnamese),
                    {_hdr(p, table, date_col, self.vietnamese): typed},
                )
            sheets["units"] = (_headers(p, "units", units_vi, self.vietnamese), {})
            path = self.out / self.workbook_name
            _write_xlsx(path, sheets)
            self.files.append(path.name)
            for entry in self.log:
                entry["excel_row"] = entry["row"] + 2  # 1-based, after the header row
        else:
            for table in ("staff", "training_updates"):
                if self.keep[table]:
                    self._write(table, table, pl.concat([f for f, _ in self.keep[table]]))
            self._write("units", "units", units_vi)
        counts = {k: 0 for k in DIRT_COUNTS}
        for entry in self.log:
            counts[entry["kind"]] += 1
        return {
            "format": self.fmt,
            "out_dir": str(self.out),
            "files": sorted(self.files),
            "rows": dict(self.rows),
            "dirt": counts if self.dirt else {},
            "dirt_cells": self.log,
        }


def write_dataset(
    tables: dict[str, pl.DataFrame],
    out_dir: Path | str,
    fmt: str = "xlsx",
    vietnamese_headers: bool = True,
    dirt: bool = True,
    seed: int = DEFAULT_SEED,
    params: SynthParams | Path | str | None = None,
    split_staff: bool | None = None,
    workbook_name: str = "sample_district.xlsx",
) -> dict[str, Any]:
    """Write ``tables`` (canonical frames from :func:`generate`) the way users have them.

    ``fmt``: ``xlsx`` (one workbook, sheets staff / training_updates / units), ``parquet`` or
    ``csv`` (one file per table; staff and training split per year as ``staff_YYYY.*`` and
    ``training_updates_YYYY.*`` when over a million staff rows or when ``split_staff``).
    Values are written in Vietnamese (``values`` in params/synth.yaml), with Vietnamese
    headers unless ``vietnamese_headers=False``. With ``dirt`` a seeded handful of dirty cells
    is injected (dates become text columns in parquet/csv). Returns metadata: ``files``,
    ``rows`` (per table, as written), ``dirt`` (count per kind) and ``dirt_cells`` (one dict per
    dirty cell: table, kind, row = 0-based row in the table as written with all years in order,
    column, value, staff_id, snapshot_year; ``excel_row`` for xlsx).
    """
    p = resolve_params(params)
    staff, training, units = tables["staff"], tables["training_updates"], tables["units"]
    if fmt == "xlsx" and staff.height > XLSX_MAX_ROWS:
        raise UserError(
            f"{staff.height:,} dòng là quá nhiều cho một tệp Excel.",
            f"{staff.height:,} rows are too many for an Excel file.",
            where="--format xlsx",
            fix_vi="Dùng --format parquet.",
            fix_en="Use --format parquet.",
        )
    years = sorted(int(y) for y in staff["snapshot_year"].unique())
    split = split_staff if split_staff is not None else staff.height > SPLIT_STAFF_ROWS
    writer = _DatasetWriter(p, Path(out_dir), fmt, vietnamese_headers, dirt, seed, years,
                            units, split, workbook_name)  # fmt: skip
    t_year = training["date"].dt.year()
    # Training rows dated outside the snapshot years go with the first year.
    t_year = pl.select(pl.when(t_year.is_in(years)).then(t_year).otherwise(years[0])).to_series()
    for year in years:
        writer.add_year(
            year,
            staff.filter(pl.col("snapshot_year") == year),
            training.filter(t_year == year),
        )
    return writer.finish()


def write_generated(
    out_dir: Path | str,
    people: int | None = None,
    years: range | tuple | list = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    vietnamese_headers: bool = True,
    dirt: bool = True,
    params: SynthParams | Path | str | None = None,
    split_staff: bool | None = None,
    workbook_name: str = "sample_district.xlsx",
    timeline: bool = False,
) -> dict[str, Any]:
    """``write_dataset(generate(...), ...)`` one year at a time: same files, a year's memory.

    Use this for benchmark sizes (2.5 million people x 5 years). ``timeline``: the snapshots
    follow the 2025 reorganisation (the bundled sample).
    """
    p = resolve_params(params)
    people = base_size(p) if people is None else int(people)
    ys = year_list(years)
    if fmt == "xlsx" and people * len(ys) > XLSX_MAX_ROWS:
        raise UserError(
            f"{people * len(ys):,} dòng là quá nhiều cho một tệp Excel.",
            f"{people * len(ys):,} rows are too many for an Excel file.",
            where="--format xlsx",
            fix_vi="Dùng --format parquet.",
            fix_en="Use --format parquet.",
        )
    split = split_staff if split_staff is not None else people * len(ys) > SPLIT_STAFF_ROWS
    units = generate_units(people, p, timeline)
    writer = _DatasetWriter(p, Path(out_dir), fmt, vietnamese_headers, dirt, seed, ys, units,
                            split, workbook_name)  # fmt: skip
    for year, staff, training in iter_generate(people, ys, seed, p, timeline):
        writer.add_year(year, staff, training)
    return writer.finish()


def _hdr(p: SynthParams, table: str, col: str, vietnamese: bool) -> str:
    return p["headers"][table][col] if vietnamese else col

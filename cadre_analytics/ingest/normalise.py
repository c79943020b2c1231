"""Turns a table's text cells into canonical columns: header row, headers, text, values.

For each table three aligned frames come out (same rows, same order):

* ``raw``    canonical column names, the cell text after NFC / trimming (what the user typed);
* ``values`` canonical dtypes (schema.py); null where a cell is empty or could not be parsed;
* ``check``  what the data contracts (Great Expectations) look at: the parsed value as text, or
  the cell text prefixed with ``!`` where parsing failed, so an impossible date or an unknown
  spelling fails its expectation with the user's own text and nothing is dropped on the way.

A national roster has millions of rows but few distinct spellings per column, so memory is spent
once, not three times: an ``id``/``text`` column is one Series shared by all three frames; a
vocabulary column whose every cell parsed shares its ``values`` Series as ``check``; and the cell
text of every other column is kept in ``raw`` as Categorical (4 bytes a row instead of 16).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.dates import DAY_FIRST, column_order, parse_date_expr
from cadre_analytics.ingest.readers import HEADER_SCAN_ROWS, Cells
from cadre_analytics.ingest.spec import (
    ColumnSpec,
    ContractSpec,
    TableSpec,
    clean_expr,
    fold,
    fold_expr,
    fold_header,
    loose_keys,
    strip_marks_expr,
    strip_parenthesised,
)
from cadre_analytics.schema import (
    SOURCE_FILE,
    SOURCE_ROW,
    STAFF_COLUMNS,
    TRAINING_COLUMNS,
    UNIT_COLUMNS,
    UNIT_LIFE_COLUMNS,
)

CANONICAL = {
    "staff": STAFF_COLUMNS,
    "training_updates": TRAINING_COLUMNS,
    "units": {**UNIT_COLUMNS, **UNIT_LIFE_COLUMNS},
}
UNPARSED = "!"  # prefix of a cell that could not be parsed, in the check frame


IGNORED_SCHEMA = {"source_file": pl.Utf8, "source_row": pl.Int64, "header": pl.Utf8}
HEADERS_SCHEMA = {"source_file": pl.Utf8, "column": pl.Utf8, "header": pl.Utf8}
# Column kinds whose cell text is the value: raw, values and check share one Series.
TEXT_KINDS = ("id", "text", "list")
# Text that cleaning cannot change (printable ASCII, single inner spaces): checked with one regex
# pass, because finding the distinct values of a million unique staff IDs costs far more.
_CLEAN_ASCII = r"^[!-~]+(?: [!-~]+)*$"


def raw_dtype(col: ColumnSpec) -> pl.DataType:
    """How ``raw`` holds a column's cell text: Utf8 where it is the value, else Categorical."""
    return pl.Utf8 if col.kind in TEXT_KINDS else pl.Categorical


class TableData:
    """One table as read: ``raw``, ``values``, ``check`` (aligned rows), ``headers`` and
    ``ignored`` (columns outside the template: left in the file, never read, listed).

    ``check`` may be given, or else (``kinds``: column -> kind) it is rebuilt from ``values``
    and ``raw`` on each access: it is needed once, while the contracts judge the table, and
    holding it beside ``values`` would cost about 150 bytes a staff row for the whole run."""

    def __init__(
        self,
        raw: pl.DataFrame,
        values: pl.DataFrame,
        check: pl.DataFrame | None = None,
        headers: pl.DataFrame | None = None,
        ignored: pl.DataFrame | None = None,
        *,
        kinds: dict[str, str] | None = None,
    ):
        if check is None and kinds is None:
            raise ValueError("TableData needs check, or the column kinds to rebuild it")
        self.raw = raw
        self.values = values
        self._check = check
        self._kinds = kinds
        self.headers = headers if headers is not None else pl.DataFrame(schema=HEADERS_SCHEMA)
        self.ignored = ignored if ignored is not None else pl.DataFrame(schema=IGNORED_SCHEMA)

    @property
    def check(self) -> pl.DataFrame:
        if self._check is not None:
            return self._check
        return check_frame(self.values, self.raw, self._kinds or {})

    @check.setter
    def check(self, frame: pl.DataFrame) -> None:
        self._check = frame

    def __repr__(self) -> str:
        return f"TableData({self.values.height} rows, columns={self.values.columns})"


def check_frame(values: pl.DataFrame, raw: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    """The ``check`` frame rebuilt from ``values`` and ``raw``: a cell's value is a function of
    its text, so the check text is worked out once per distinct cell text and spread back."""
    columns = []
    for name in values.columns:
        kind = kinds.get(name)
        if kind is None or kind in ("id", "text"):  # provenance, and text that is the value
            columns.append(values.get_column(name))
        elif kind == "list":
            columns.append(raw.get_column(name))
        elif kind == "unit":  # per row: with units that have a life, the date decides the unit
            columns.append(_unit_check(values.get_column(name), raw.get_column(name)))
        else:
            columns.append(_check_column(values.get_column(name), raw.get_column(name), kind))
    return pl.DataFrame(columns)


def _unit_check(value: pl.Series, text: pl.Series) -> pl.Series:
    if not (value.is_null() & text.is_not_null()).any():
        return value  # every written unit was found: the check text is the value (no copy)
    frame = pl.DataFrame([value.alias("v"), text.cast(pl.Utf8).alias("t")])
    return frame.select(
        pl.when(pl.col("v").is_not_null())
        .then(pl.col("v"))
        .when(pl.col("t").is_not_null())
        .then(pl.lit(UNPARSED) + pl.col("t"))
        .otherwise(pl.lit(None, pl.Utf8))
        .alias(value.name)
    ).to_series()


def _check_column(value: pl.Series, text: pl.Series, kind: str) -> pl.Series:
    distinct, index, first = _distinct_with_rows(text)
    parts = pl.DataFrame({"v": value.gather(first), "t": distinct.cast(pl.Utf8)})
    v = pl.col("v")
    if kind == "date":
        as_text = v.dt.strftime("%Y-%m-%d")
    elif kind == "bool":
        as_text = pl.when(v).then(pl.lit("true")).when(~v).then(pl.lit("false"))
    elif kind in ("int", "float"):
        as_text = v.cast(pl.Utf8)
    else:
        as_text = v
    check = parts.select(
        pl.when(v.is_not_null())
        .then(as_text)
        .when(pl.col("t").is_not_null())
        .then(pl.lit(UNPARSED) + pl.col("t"))
        .otherwise(pl.lit(None, pl.Utf8))
    ).to_series()
    if value.dtype == pl.Utf8 and check.equals(parts["v"], null_equal=True):
        return value  # every cell parsed: the check text is the value (no copy)
    return check.gather(index).alias(value.name)


# Unrecognised headers named in a missing-column stop before the list is cut short.
UNRECOGNISED_SHOWN = 8


def _stop(spec: ContractSpec, rule: str, where: str, **fields: str) -> InputStop:
    r = spec.rules[rule]
    return InputStop(
        r.message_vi.format_map(_Safe(fields)),
        r.message_en.format_map(_Safe(fields)),
        where=where,
        fix_vi=r.fix_vi.format_map(_Safe(fields)),
        fix_en=r.fix_en.format_map(_Safe(fields)),
    )


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _match_header(text: str | None, keys: dict[str, str]) -> str | None:
    if text is None:
        return None
    key = fold_header(text)
    if key in keys:
        return keys[key]
    return keys.get(strip_parenthesised(key))


def locate_header(cells: Cells, table: TableSpec, spec: ContractSpec) -> tuple[int, dict[int, str]]:
    """Index of the header row among the first rows, and column position -> canonical name."""
    keys = table.header_keys()
    head = cells.frame.head(HEADER_SCAN_ROWS).rows()
    best_index, best_map = -1, {}
    for index, row in enumerate(head):
        mapping = {}
        for pos, text in enumerate(row):
            name = _match_header(text, keys)
            if name is not None:
                mapping.setdefault(pos, name)
        if len(set(mapping.values())) > len(set(best_map.values())):
            best_index, best_map = index, mapping
    required = [c for c in table.columns.values() if c.required]
    if len(set(best_map.values())) < min(2, len(required) or 1):
        shown = ", ".join(f"'{c.primary_header}'" for c in required[:6])
        raise _stop(spec, "missing_header_row", cells.where(), detail=shown)
    return best_index, best_map


def _check_columns(
    cells: Cells, row: tuple, mapping: dict[int, str], table: TableSpec, spec: ContractSpec
) -> None:
    by_name: dict[str, list[int]] = {}
    for pos, name in mapping.items():
        by_name.setdefault(name, []).append(pos)
    for name, positions in by_name.items():
        if len(positions) > 1:
            col = table.columns[name]
            both = " / ".join(f"'{row[p]}'" for p in positions)
            raise _stop(
                spec, "ambiguous_column", cells.where(), column=col.primary_header, detail=both
            )
    for col in table.columns.values():
        if col.required and col.name not in by_name:
            accepted = ", ".join(f"'{h}'" for h in col.headers)
            raise _stop(
                spec,
                "required_column",
                cells.where(),
                column=col.primary_header,
                detail=accepted,
                unrecognised=_unrecognised(row, mapping),
            )


def _unrecognised(row: tuple, mapping: dict[int, str]) -> str:
    """The header row's named cells that map to no template column: often the renamed one."""
    names = [" ".join(str(text).split()) for pos, text in enumerate(row) if pos not in mapping]
    names = [f"'{n}'" for n in names if n]
    shown = ", ".join(names[:UNRECOGNISED_SHOWN])
    return (shown + (" …" if len(names) > UNRECOGNISED_SHOWN else "")) or "—"


def _ignored_columns(cells: Cells, index: int, mapping: dict[int, str]) -> list[dict]:
    """Columns of the header row that map to no template column: a named one always, an
    unnamed one only when it holds data (Excel's trailing empty columns are not news)."""
    header_row = cells.frame.row(index)
    body = cells.frame.slice(index + 1)
    found = []
    for pos, column in enumerate(cells.frame.columns):
        if pos in mapping:
            continue
        text = header_row[pos]
        text = " ".join(str(text).split()) if text is not None else ""
        if not text:
            if body.get_column(column).str.strip_chars().str.len_chars().max() in (None, 0):
                continue
            text = f"(cột {pos + 1} không có tên / unnamed column {pos + 1})"
        found.append(
            {
                "source_file": cells.source.label,
                "source_row": cells.first_row + index,
                "header": text,
            }
        )
    return found


def to_canonical(
    cells: Cells, table: TableSpec, spec: ContractSpec, ignored: list[dict] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Canonical text columns with provenance, and the header each column had in this file.

    Columns outside the template are appended to ``ignored`` (when given) as
    ``{source_file, source_row (of the header), header}``."""
    if cells.frame.width == 0 or cells.frame.height == 0:
        raise _stop(
            spec,
            "missing_header_row",
            cells.where(),
            detail=", ".join(f"'{c.primary_header}'" for c in table.columns.values() if c.required),
        )
    index, mapping = locate_header(cells, table, spec)
    header_row = cells.frame.row(index)
    _check_columns(cells, header_row, mapping, table, spec)
    if ignored is not None:
        ignored.extend(_ignored_columns(cells, index, mapping))
    columns = cells.frame.columns
    body = cells.frame.slice(index + 1)
    first = cells.first_row + index + 1
    present = set(mapping.values())
    cleaned = {
        name: _clean_column(body.get_column(columns[pos]), raw_dtype(table.columns[name]))
        for pos, name in mapping.items()
    }
    height = body.height
    frame = pl.DataFrame(
        [
            cleaned[c].alias(c)
            if c in present
            else pl.Series(c, [None], raw_dtype(table.columns[c])).new_from_index(0, height)
            for c in table.columns
        ]
        + [
            pl.Series(SOURCE_FILE, [cells.source.label], pl.Utf8).new_from_index(0, height),
            pl.int_range(first, first + height, dtype=pl.Int64, eager=True).alias(SOURCE_ROW),
        ]
    )
    # Blank lines between or after records are layout, not records.
    names = list(table.columns)
    blank = frame.select(pl.all_horizontal(pl.col(names).is_null())).to_series()
    if blank.any():  # filtering copies every column: only when there is something to drop
        frame = frame.filter(~blank)
    headers = pl.DataFrame(
        {
            "source_file": [cells.source.label] * len(mapping),
            "column": list(mapping.values()),
            "header": [str(header_row[pos]) for pos in mapping],
        },
        schema={"source_file": pl.Utf8, "column": pl.Utf8, "header": pl.Utf8},
    )
    return frame, headers


def _clean_column(series: pl.Series, dtype: pl.DataType) -> pl.Series:
    """:func:`clean_expr` applied to a column of cell text, as ``dtype`` (Utf8/Categorical).

    Unchanged text keeps its Series (no copy); otherwise the cleaning runs once per distinct
    value and is spread back with a gather."""
    series = series.cast(pl.Utf8)
    if dtype == pl.Utf8 and series.str.contains(_CLEAN_ASCII).all(ignore_nulls=True):
        return series
    distinct, index = _distinct(series)
    out = pl.DataFrame({"t": distinct}).select(clean_expr(pl.col("t"))).to_series()
    if dtype == pl.Utf8 and out.equals(distinct, null_equal=True):
        return series
    return out.cast(dtype).gather(index)


def map_distinct(series: pl.Series, make: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """Apply a text expression once per distinct value and map the result back: a roster
    repeats the same few spellings (and the same person across years) a million times, and
    Unicode normalisation per row would dominate the run."""
    distinct, index = _distinct(series)
    out = pl.DataFrame({series.name: distinct}).select(make(pl.col(series.name)))
    return out.to_series().gather(index).alias(series.name)


def _distinct(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Distinct values and, per row, the position of its value among them (one hash pass;
    results computed on the distinct values are then spread back with cheap gathers)."""
    if series.dtype == pl.Categorical:
        return _distinct_categorical(series)
    if series.dtype == pl.Utf8:
        return _distinct_text(series)
    distinct = series.unique()
    positions = pl.int_range(distinct.len(), dtype=pl.UInt32, eager=True)
    index = series.replace_strict(distinct, positions, return_dtype=pl.UInt32)
    return distinct, index.cast(pl.UInt32)  # an empty series comes back with its own dtype


def _distinct_with_rows(series: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """:func:`_distinct` plus, per distinct value, the row where it first occurs."""
    distinct, index = _distinct(series)
    first = index.is_first_distinct().arg_true()
    # distinct values in order of first occurrence: position p first occurs at first[order[p]]
    order = index.gather(first)
    rows = pl.zeros(distinct.len(), pl.UInt32, eager=True).scatter(order, first.cast(pl.UInt32))
    return distinct, index, rows


def _distinct_text(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """:func:`_distinct` for text by Arrow's dictionary encoding: one hash pass gives both the
    distinct values and each row's position (polars needs two: unique, then replace)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = series.rechunk().to_arrow()
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks()
    distinct = pl.Series(series.name, encoded.dictionary, dtype=pl.Utf8)
    index = pl.Series(series.name, encoded.indices).cast(pl.UInt32)
    if index.null_count():  # Arrow leaves empty cells out of the dictionary
        index = index.fill_null(distinct.len())
        distinct = distinct.extend_constant(None, 1)
    return distinct, index


def _distinct_categorical(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """:func:`_distinct` for Categorical text: the codes are small integers, so a lookup array
    indexed by code maps each row to its distinct value with one gather instead of a hash."""
    codes = series.to_physical()
    first = codes.is_first_distinct()
    distinct, distinct_codes = series.filter(first), codes.filter(first)
    positions = pl.int_range(distinct.len(), dtype=pl.UInt32, eager=True)
    present = distinct_codes.is_not_null()
    known = distinct_codes.filter(present)
    size = int(known.max() or 0) + 1 if known.len() else 1
    table = pl.zeros(size, pl.UInt32, eager=True).scatter(known, positions.filter(present))
    index = table.gather(codes)
    if index.null_count():  # empty cells: the position of null among the distinct values
        index = index.fill_null(positions.filter(~present))
    return distinct, index.cast(pl.UInt32)


# --- value parsing --------------------------------------------------------------------------


def parse_int_expr(text: pl.Expr) -> pl.Expr:
    digits = text.str.extract(r"^([+-]?\d{1,9})(?:\.0+)?$", 1)
    return digits.cast(pl.Int64, strict=False).cast(pl.Int32, strict=False)


def parse_float_expr(text: pl.Expr) -> pl.Expr:
    # "1,5" is how a Vietnamese-locale Excel writes one and a half
    decimal = pl.when(text.str.contains(".", literal=True)).then(text)
    decimal = decimal.otherwise(text.str.replace(",", ".", literal=True))
    ok = decimal.str.contains(r"^[+-]?\d+(?:\.\d+)?$")
    return pl.when(ok).then(decimal.cast(pl.Float64, strict=False))


class UnitLookup(dict):
    """Folded spelling -> unit code, remembering its mark-free keys: a national units table
    has tens of thousands of names, and every staff file needs the same second-chance keys."""

    _loose: dict[str, str] | None = None
    _pairs: tuple[tuple[pl.Series, pl.Series], tuple[pl.Series, pl.Series]] | None = None

    @property
    def loose(self) -> dict[str, str]:
        if self._loose is None:
            self._loose = loose_keys(self)
        return self._loose

    def pairs(self) -> tuple[tuple[pl.Series, pl.Series], tuple[pl.Series, pl.Series]]:
        """(spellings, codes) for the exact and the mark-free keys, as Series built once
        (turning a 100,000-entry dict into a mapping costs more than using it)."""
        if self._pairs is None:
            self._pairs = tuple(  # type: ignore[assignment]
                (
                    pl.Series(list(m.keys()), dtype=pl.Utf8),
                    pl.Series(list(m.values()), dtype=pl.Utf8),
                )
                for m in (self, self.loose)
            )
        return self._pairs  # type: ignore[return-value]


def unit_lookup(units_raw: pl.DataFrame, key_column: str = "code") -> UnitLookup:
    """Folded code / name / alias -> unit code (or the ``key_column``: a unit epoch's key).
    A spelling shared by two units is left out (those staff rows then fail 'unknown unit'
    instead of landing in a guessed unit)."""
    lookup = UnitLookup()
    for priority in ("code", "name", "aliases"):
        found: dict[str, set[str]] = {}
        pairs = units_raw.select(
            pl.col(key_column).cast(pl.Utf8).alias("_code"),
            pl.col(priority).cast(pl.Utf8).alias("_value"),
        )
        for code, value in pairs.iter_rows():
            if code is None or value is None:
                continue
            spellings = value.split(";") if priority == "aliases" else [value]
            for spelling in spellings:
                key = fold(spelling)
                if key:
                    found.setdefault(key, set()).add(code)
        for key, codes in found.items():
            if key not in lookup and len(codes) == 1:
                lookup[key] = next(iter(codes))
    return lookup


def _lookup(key: pl.Expr, exact, loose) -> pl.Expr:
    """Exact folded spelling first; the spelling without diacritics only when unambiguous.
    ``exact`` and ``loose`` are dicts, or (spellings, codes) Series pairs."""

    def replace(expr: pl.Expr, mapping) -> pl.Expr:
        if isinstance(mapping, tuple):
            return expr.replace_strict(*mapping, default=None, return_dtype=pl.Utf8)
        return expr.replace_strict(mapping, default=None, return_dtype=pl.Utf8)

    first = replace(key, exact)
    if not len(loose[0] if isinstance(loose, tuple) else loose):
        return first
    return pl.coalesce(first, replace(strip_marks_expr(key), loose))


def _parse_column(
    col: ColumnSpec, spec: ContractSpec, units: dict[str, str] | None, date_order: str = DAY_FIRST
) -> tuple[pl.Expr, pl.Expr]:
    """(value, check) expressions for one canonical column of the raw frame."""
    text = pl.col(col.name)
    if col.kind in ("id", "text"):
        return text, text
    if col.kind == "list":
        items = text.str.split(";").list.eval(
            pl.element().str.strip_chars().filter(pl.element().str.strip_chars() != "")
        )
        return items, text
    if col.kind == "date":
        value = parse_date_expr(text, date_order)
        as_text = value.dt.strftime("%Y-%m-%d")
    elif col.kind == "int":
        value = parse_int_expr(text)
        as_text = value.cast(pl.Utf8)
    elif col.kind == "float":
        value = parse_float_expr(text)
        as_text = value.cast(pl.Utf8)
    elif col.kind == "bool":
        value = fold_expr(text).replace_strict(spec.booleans, default=None, return_dtype=pl.Boolean)
        if col.empty is not None:
            value = pl.when(text.is_null()).then(pl.lit(bool(col.empty))).otherwise(value)
        as_text = pl.when(value).then(pl.lit("true")).when(~value).then(pl.lit("false"))
    else:
        if col.kind == "unit":
            if isinstance(units, UnitLookup):
                value = _lookup(fold_expr(text), *units.pairs())
            else:
                value = _lookup(fold_expr(text), units or {}, loose_keys(units or {}))
        else:
            vocab = spec.vocabularies[col.vocabulary]
            value = _lookup(fold_expr(text), vocab.synonyms, vocab.loose)
        if col.empty is not None:
            value = pl.when(text.is_null()).then(pl.lit(str(col.empty))).otherwise(value)
        as_text = value
    check = (
        pl.when(value.is_not_null())
        .then(as_text)
        .when(text.is_not_null())
        .then(pl.lit(UNPARSED) + text)
        .otherwise(pl.lit(None, pl.Utf8))
    )
    return value, check


def _date_order(distinct: pl.Series, col: ColumnSpec, raw: pl.DataFrame, spec: ContractSpec) -> str:
    """The day/month order of one file's date column; a stop when its values disagree."""
    found = column_order(distinct)
    if found.mixed:
        where = raw.get_column(SOURCE_FILE)[0] if raw.height else col.name
        raise _stop(
            spec,
            "date_order_mixed",
            where,
            column=col.primary_header,
            day_first=found.day_first_example,
            month_first=found.month_first_example,
        )
    return found.order


def parse_table(
    raw: pl.DataFrame, table: TableSpec, spec: ContractSpec, units: dict[str, str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The ``values`` and ``check`` frames for a canonical raw frame (columns as text, Utf8 or
    Categorical).  Columns whose check text is the value share one Series between the frames."""
    schema = CANONICAL[table.name]
    values, checks = {}, {}
    for name, dtype in schema.items():
        col = table.columns[name]
        text = raw.get_column(name)
        if col.kind in ("id", "text"):  # the cell text is the value and what GX checks
            values[name] = checks[name] = text.cast(pl.Utf8)
            continue
        distinct, index = _distinct(text) if col.kind != "list" else (None, None)
        order = _date_order(distinct, col, raw, spec) if col.kind == "date" else DAY_FIRST
        value, check = _parse_column(col, spec, units, order)
        if col.kind == "list":  # small (units' aliases), and lists cannot be mapped back
            parsed = raw.select(pl.col(name).cast(pl.Utf8)).select(
                value.cast(dtype).alias("v"), check.alias("c")
            )
            values[name], checks[name] = parsed["v"].alias(name), parsed["c"].alias(name)
            continue
        parsed = pl.DataFrame({name: distinct.cast(pl.Utf8)}).select(
            value.cast(dtype).alias("v"), check.alias("c")
        )
        values[name] = parsed["v"].gather(index).alias(name)
        if parsed["v"].dtype == pl.Utf8 and parsed["v"].equals(parsed["c"], null_equal=True):
            checks[name] = values[name]  # every cell parsed: the check text is the value
        else:
            checks[name] = parsed["c"].gather(index).alias(name)
    provenance = [raw.get_column(SOURCE_FILE), raw.get_column(SOURCE_ROW)]
    return (
        pl.DataFrame([*values.values(), *provenance]),
        pl.DataFrame([*checks.values(), *provenance]),
    )

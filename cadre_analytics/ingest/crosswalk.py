"""Crosswalks of administrative units: the official conversion table (old code, old name, new
code, new name, effective date) applied to a units table that lists the old units without
their end (``CROSSWALK=file``), and the one-line hint that a shipped crosswalk fits a table.

A unit row is matched by its code *and* its name (or an alias), never by the code alone: codes
are reused (new Bảo Thuận 25018 is old Đinh Lạc's code), so the code names the place only
together with the name. Names are compared without their type word ("Xã", "Thị trấn"), since
boards write "Xã Tân Châu", "Tân Châu" or "TT Di Linh". A unit whose old and new rows are one
row of the table (same code and place: Gia Hiệp 25015) continues and is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from cadre_analytics.errors import InputStop, UserError
from cadre_analytics.ingest.dates import DAY_FIRST, parse_date_expr
from cadre_analytics.ingest.normalise import TableData
from cadre_analytics.ingest.readers import Source, read_cells
from cadre_analytics.ingest.spec import ContractSpec, fold, fold_header, strip_marks
from cadre_analytics.params import load_yaml

CROSSWALKS = "crosswalks"
INDEX = "crosswalks.yaml"
LINK_COLUMNS = ("old_code", "old_name", "new_code", "new_name", "effective")
# Type words in front of a unit's name, folded: "xã tân châu" and "tân châu" are one place.
_TYPE_WORDS = re.compile(r"^(?:ubnd\s+)?(?:xã|thị trấn|tt\.?|phường|p\.)\s+")
# A shipped crosswalk is named when this share of its old units is in the table, unended.
HINT_SHARE = 0.5


@dataclass(frozen=True)
class Link:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    effective: date
    row: int  # spreadsheet row in the crosswalk file


@dataclass(frozen=True)
class Crosswalk:
    label: str  # the file, as the user named it
    links: tuple[Link, ...]


def place(name: str | None) -> str:
    """A unit name as a place: folded, without its type word and diacritics."""
    return strip_marks(_TYPE_WORDS.sub("", fold(name or "")))


def _index(contracts_dir: Path) -> dict:
    return load_yaml(Path(contracts_dir) / CROSSWALKS / INDEX)


def read_crosswalk(path: Path | str, spec: ContractSpec, contracts_dir: Path) -> Crosswalk:
    """Read a crosswalk CSV; InputStop for an unreadable file, a missing column, a bad row."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".csv":
        raise UserError(
            "Không tìm thấy bảng chuyển đổi (tệp .csv).",
            "Crosswalk not found (a .csv file).",
            where=f"CROSSWALK={path}",
            fix_vi="chỉ ra tệp CSV có các cột mã cũ, tên cũ, mã mới, tên mới, ngày hiệu lực.",
            fix_en="point CROSSWALK at a CSV with old code, old name, new code, new name, date.",
        )
    cells = read_cells(Source("crosswalk", path, path.name, None), spec)
    headers = {
        fold_header(h): name for name, hs in _index(contracts_dir)["columns"].items() for h in hs
    }
    first = cells.frame.row(0) if cells.frame.height else ()
    positions = {
        headers[fold_header(t)]: i for i, t in enumerate(first) if t and fold_header(t) in headers
    }
    missing = [c for c in LINK_COLUMNS if c not in positions]
    if missing:
        raise _bad(path.name, cells.first_row, ", ".join(missing))
    body = cells.frame.slice(1)
    frame = pl.DataFrame(
        {c: body.get_column(body.columns[positions[c]]).str.strip_chars() for c in LINK_COLUMNS}
    ).with_columns(parse_date_expr(pl.col("effective"), DAY_FIRST).alias("_day"))
    links = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        number = cells.first_row + 1 + i
        if not any(row[c] for c in LINK_COLUMNS):
            continue
        if not all(row[c] for c in LINK_COLUMNS) or row["_day"] is None:
            raise _bad(path.name, number, "; ".join(str(row[c] or "—") for c in LINK_COLUMNS))
        links.append(
            Link(
                row["old_code"],
                row["old_name"],
                row["new_code"],
                row["new_name"],
                row["_day"],
                number,
            )
        )
    return Crosswalk(path.name, tuple(links))


def _bad(label: str, row: int, detail: str) -> InputStop:
    return InputStop(
        f"Bảng chuyển đổi không đọc được ở dòng {row}: {detail}.",
        f"The crosswalk cannot be read at row {row}: {detail}.",
        where=label,
        fix_vi="mỗi dòng cần mã cũ, tên cũ, mã mới, tên mới và ngày hiệu lực (dd/mm/yyyy).",
        fix_en="each row needs old code, old name, new code, new name and a date (dd/mm/yyyy).",
    )


def _rows_of(units: pl.DataFrame, code: str, name: str) -> list[int]:
    """Positions of the unit rows with this code whose name or an alias is this name as
    written (folded), or else is this place ("Tân Châu" for "Xã Tân Châu")."""
    exact, loose = [], []
    for i, (c, n, aliases) in enumerate(units.select("code", "name", "aliases").iter_rows()):
        if c != code:
            continue
        names = [n, *(aliases or [])]
        if fold(name) in {fold(x or "") for x in names}:
            exact.append(i)
        elif place(name) in {place(x) for x in names}:
            loose.append(i)
    return exact or loose


def apply_crosswalk(units: TableData, crosswalk: Crosswalk, spec: ContractSpec) -> TableData:
    """``units`` with the crosswalk's ends, successors and starts filled in (values and cell
    text alike); a different value already in the file stops the run naming both."""
    values = units.values
    fills: dict[str, dict[int, object]] = {"valid_to": {}, "successor": {}, "valid_from": {}}
    for link in crosswalk.links:
        old = _rows_of(values, link.old_code, link.old_name)
        new = _rows_of(values, link.new_code, link.new_name)
        if not old or old == new:  # not in this table, or one row that simply continues
            continue
        for i in old:
            _fill(
                fills,
                values,
                i,
                "valid_to",
                link.effective - timedelta(days=1),
                link,
                crosswalk,
                spec,
            )
            _fill(fills, values, i, "successor", link.new_code, link, crosswalk, spec)
        for i in new:
            if i not in old:
                _fill(fills, values, i, "valid_from", link.effective, link, crosswalk, spec)
    if not any(fills.values()):
        raise InputStop(
            f"Không đơn vị nào trong bảng đơn vị khớp mã và tên với bảng chuyển đổi "
            f"{crosswalk.label}.",
            f"No unit of the units table matches a code and name of the crosswalk "
            f"{crosswalk.label}.",
            where=f"CROSSWALK={crosswalk.label}",
            fix_vi="bảng chuyển đổi dùng mã chính thức: ghi mã đơn vị chính thức trong cột "
            "'Mã đơn vị', hoặc bỏ CROSSWALK.",
            fix_en="a crosswalk uses the official codes: give the official unit codes in "
            "'Mã đơn vị', or drop CROSSWALK.",
        )
    raw, out = units.raw, values
    for column, cells in fills.items():
        if not cells:
            continue
        rows, filled = list(cells), list(cells.values())
        index = pl.Series(rows, dtype=pl.UInt32)
        dtype = out.schema[column]
        out = out.with_columns(out[column].scatter(index, pl.Series(filled, dtype=dtype)))
        text = [v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in filled]
        as_text = raw[column].cast(pl.Utf8).scatter(index, pl.Series(text, dtype=pl.Utf8))
        raw = raw.with_columns(as_text.cast(raw.schema[column]))
    return TableData(
        raw=raw, values=out, headers=units.headers, ignored=units.ignored, kinds=units._kinds
    )


def _fill(fills, values, i, column, value, link: Link, crosswalk: Crosswalk, spec) -> None:
    given = values[column][i]
    if given is not None and given != value:
        header = spec.tables["units"].columns[column].primary_header
        shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else value
        had = given.strftime("%d/%m/%Y") if isinstance(given, date) else given
        row = values["_source_row"][i]
        raise InputStop(
            f"Bảng đơn vị ghi '{had}' ở cột '{header}' của đơn vị '{values['code'][i]}', bảng "
            f"chuyển đổi {crosswalk.label} (dòng {link.row}) ghi '{shown}'.",
            f"The units table gives '{had}' as '{header}' of unit '{values['code'][i]}'; the "
            f"crosswalk {crosswalk.label} (row {link.row}) gives '{shown}'.",
            where=f"{values['_source_file'][i]}, dòng {row} / row {row}, cột '{header}'",
            fix_vi="sửa một trong hai cho khớp, hoặc bỏ CROSSWALK nếu bảng đơn vị đã đúng.",
            fix_en="make the two agree, or drop CROSSWALK if the units table is right.",
        )
    fills[column][i] = value


def crosswalk_hints(units: TableData, spec: ContractSpec, contracts_dir: Path) -> list[dict]:
    """A warning (one line) for each shipped crosswalk whose old units are listed here without
    an end or a successor: which file applies, and how."""
    values = units.values
    # by name alone: a board may use its own codes, and the hint only points at the file
    unended = {
        place(n): i
        for i, (n, end, successor) in enumerate(
            values.select("name", "valid_to", "successor").iter_rows()
        )
        if end is None and successor is None
    }
    notes = []
    for name, entry in (_index(contracts_dir).get("shipped") or {}).items():
        path = Path(contracts_dir) / CROSSWALKS / entry["file"]
        links = read_crosswalk(path, spec, contracts_dir).links
        # the units that end (a continuing unit keeps its name)
        ending = {place(x.old_name) for x in links if place(x.old_name) != place(x.new_name)}
        found = sorted(unended[p] for p in ending if p in unended)
        if ending and len(found) >= HINT_SHARE * len(ending):
            notes.append(_hint(values, spec, name, entry, path, found[0], links[0].effective))
    return notes


def _hint(values, spec, name, entry, path, i, effective) -> dict:
    rule = spec.rules["crosswalk_available"]
    fields = {
        "area_vi": entry["area_vi"],
        "area_en": entry["area_en"],
        "day": effective.strftime("%d/%m/%Y"),
        "file": f"data_contracts/{CROSSWALKS}/{path.name}",
        "name": name,
    }
    return {
        "table": "units",
        "source_file": values["_source_file"][i],
        "source_row": values["_source_row"][i],
        "column": spec.tables["units"].columns["successor"].primary_header,
        "raw_value": None,
        "rule": rule.rule,
        "message_vi": f"{rule.message_vi} {rule.fix_vi}".format(**fields),
        "message_en": f"{rule.message_en} {rule.fix_en}".format(**fields),
    }

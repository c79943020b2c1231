"""Finds the input files of each table and reads their cells as text.

Only this module opens files under DATA.  Every cell is read as a string (IDs like "00123" keep
their zeros; dates and numbers are parsed later by :mod:`normalise`, where a failure becomes a
quarantine entry instead of a silent guess).  Anything that cannot be read is an
:class:`InputStop` naming the file.
"""

from __future__ import annotations

import codecs
import csv
import re
import sys
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.spec import ContractSpec, fold

CSV_EXT = (".csv", ".txt", ".tsv")
EXCEL_EXT = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
PARQUET_EXT = (".parquet",)
SUPPORTED = CSV_EXT + EXCEL_EXT + PARQUET_EXT
# Rows scanned for the header row: exports often start with a title and a blank line.
HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Source:
    """One table's cells from one file (or one sheet of a workbook)."""

    table: str
    path: Path
    label: str  # what the user sees: "staff.csv" or "du_lieu.xlsx [staff]"
    sheet: str | None


@dataclass
class Cells:
    source: Source
    frame: pl.DataFrame  # all Utf8, positional columns, nothing interpreted yet
    first_row: int  # spreadsheet row number (1-based) of frame's first row
    encoding: str = "utf-8"  # how a CSV was decoded; "cp1258" = Vietnamese Windows ANSI

    def where(self) -> str:
        """The file as stop messages name it, with the code page when it was not Unicode, so
        a header that fails to match because the guess was wrong explains itself."""
        if self.encoding == "cp1258":
            return (
                f"{self.source.label} (đọc theo bảng mã Windows-1258, không phải UTF-8 / "
                "read as Windows-1258, not UTF-8)"
            )
        return self.source.label


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _stop(
    path: Path | str,
    detail_vi: str,
    detail_en: str,
    spec: ContractSpec,
    *,
    fix: tuple[str, str] | None = None,
    rule_name: str = "unreadable_file",
) -> InputStop:
    rule = spec.rules[rule_name]
    fix_vi, fix_en = fix or (rule.fix_vi, rule.fix_en)
    return InputStop(
        rule.message_vi.format(detail=detail_vi),
        rule.message_en.format(detail=detail_en),
        where=str(path),
        fix_vi=fix_vi,
        fix_en=fix_en,
    )


# --- recognising damaged, protected and legacy-encoded files ---------------------------------

OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, and every password-protected workbook
ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx / .xlsm / .ods
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # OLE stream of an encrypted .xlsx
# A byte of TCVN3 (ABC, ".VnTime" fonts) read as Latin-1 / Windows-1258 lands in U+00A1..U+00BF
# for its most frequent letters (ă â ê ô ơ ư đ, à ả ã á ạ, ...).  Unicode Vietnamese never uses
# that block for letters, so a text where those symbols make up a good share of the non-ASCII
# characters was typed in a TCVN3 font.
_TCVN3_MARKERS = frozenset(chr(code) for code in range(0xA1, 0xC0))
TCVN3_SCAN_CHARS = 200_000


def tcvn3_sample(texts) -> str | None:
    """The first text that shows TCVN3 symbols when the texts, taken together, look TCVN3."""
    markers = non_ascii = scanned = 0
    sample = None
    for text in texts:
        if not text:
            continue
        found = 0
        for ch in text:
            if ord(ch) > 127:
                non_ascii += 1
                if ch in _TCVN3_MARKERS:
                    found += 1
        markers += found
        if found and sample is None:
            sample = text
        scanned += len(text)
        if scanned > TCVN3_SCAN_CHARS:
            break
    if markers >= 5 and markers >= 0.3 * non_ascii:
        return sample
    return None


def _tcvn3_stop(label: str, sample: str, spec: ContractSpec) -> InputStop:
    shown = sample if len(sample) <= 40 else sample[:40] + "…"
    return _stop(
        label,
        f" (ví dụ ô '{shown}')",
        f" (e.g. cell '{shown}')",
        spec,
        rule_name="legacy_encoding",
    )


def _workbook_problem(path: Path) -> tuple[str, str, tuple[str, str] | None] | None:
    """Why a workbook cannot be opened, told from its first bytes (calamine's own messages
    are about zip internals a user cannot act on)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError as exc:
        return (f"không mở được ({_first_line(exc)})", f"cannot open it ({_first_line(exc)})", None)
    if size == 0:
        return (
            "tệp rỗng (0 byte), có thể do lưu hoặc sao chép chưa xong",
            "the file is empty (0 bytes), perhaps not fully saved or copied",
            None,
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") and head.startswith(OLE_SIGNATURE):
        if ENCRYPTED_PACKAGE in path.read_bytes():
            return (
                "sổ Excel được đặt mật khẩu (mã hóa)",
                "the workbook is password-protected (encrypted)",
                (
                    "Mở tệp bằng Excel, vào Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng "
                    "mật khẩu, xóa mật khẩu, lưu lại rồi chạy lại.",
                    "Open it in Excel, File > Info > Protect Workbook > Encrypt with Password, "
                    "clear the password, save, and run again.",
                ),
            )
        return (
            "sổ Excel dạng cũ (.xls) mang đuôi .xlsx",
            "an old-format (.xls) workbook named .xlsx",
            None,
        )
    if suffix in (".xlsx", ".xlsm", ".ods") and not head.startswith(ZIP_SIGNATURE):
        return (
            "không phải sổ Excel .xlsx (có thể là tệp khác bị đổi đuôi)",
            "not an .xlsx workbook (perhaps another file renamed)",
            None,
        )
    return None


def _table_for_name(stem: str, spec: ContractSpec) -> str | None:
    """Table whose accepted name is ``stem`` or starts it (``staff_2024`` -> staff)."""
    key = fold(stem)
    best: tuple[int, str] | None = None
    for table in spec.tables.values():
        for name in table.names:
            name_key = fold(name)
            exact = key == name_key
            prefix = key.startswith(name_key) and not key[len(name_key) :][:1].isalpha()
            if exact or prefix:
                # the longest matching name wins: "training_updates" beats "training"
                if best is None or len(name_key) > best[0]:
                    best = (len(name_key), table.name)
    return best[1] if best else None


def _sheet_names(path: Path, spec: ContractSpec) -> list[str]:
    import fastexcel

    problem = _workbook_problem(path)
    if problem:
        raise _stop(path.name, problem[0], problem[1], spec, fix=problem[2])
    try:
        names = list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise _stop(
            path.name,
            f"sổ Excel bị hỏng hoặc chưa sao chép hết ({_first_line(exc)})",
            f"the workbook is damaged or incomplete ({_first_line(exc)})",
            spec,
        ) from None
    charts = _chart_sheets(path)
    return [name for name in names if name not in charts]


def find_sources(data_dir: Path, spec: ContractSpec) -> dict[str, list[Source]]:
    """Map each table to its sources: NAME*.ext files, and sheets named after tables."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputStop(
            f"Không tìm thấy thư mục dữ liệu {data_dir}.",
            f"Data folder {data_dir} not found.",
            where=str(data_dir),
            fix_vi="Chỉ đường dẫn DATA=... tới thư mục chứa các tệp dữ liệu.",
            fix_en="Point DATA=... at the folder holding the data files.",
        )
    sources: dict[str, list[Source]] = {t: [] for t in spec.tables}
    files = sorted(
        p
        for p in data_dir.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUPPORTED
        and not p.name.startswith(("~$", ".", "_"))  # Excel lock files, hidden files
    )
    for path in files:
        table = _table_for_name(path.stem, spec)
        if path.suffix.lower() not in EXCEL_EXT:
            if table:
                sources[table].append(Source(table, path, path.name, None))
            continue
        sheets = _sheet_names(path, spec)
        by_table: dict[str, list[str]] = {}
        for sheet in sheets:
            sheet_table = _table_for_name(sheet, spec)
            if sheet_table:
                by_table.setdefault(sheet_table, []).append(sheet)
        if table and table not in by_table and sheets:
            by_table[table] = [sheets[0]]  # staff.xlsx with its data on "Sheet1"
        for sheet_table, names in by_table.items():
            if table and sheet_table != table:
                continue  # staff.xlsx is the staff table only; other sheets are notes
            for sheet in names:
                sources[sheet_table].append(
                    Source(sheet_table, path, f"{path.name} [{sheet}]", sheet)
                )
    return sources


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte of the start is NUL (ASCII text)."""
    head = raw[:400]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.5 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.5 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def unrecognised_inputs(
    data_dir: Path, spec: ContractSpec, sources: dict[str, list[Source]]
) -> str:
    """' (found, matching no table: ...)' for a missing-table stop: the file or sheet the user
    meant is usually there under a name we do not accept."""
    used = {(s.path.name, s.sheet) for found in sources.values() for s in found}
    names = []
    for path in sorted(Path(data_dir).iterdir()):
        if not path.is_file() or path.name.startswith(("~$", ".", "_")):
            continue
        if path.suffix.lower() not in SUPPORTED:
            continue
        if path.suffix.lower() in EXCEL_EXT:
            try:
                sheets = _sheet_names(path, spec)
            except InputStop:
                continue
            names += [f"{path.name} [{s}]" for s in sheets if (path.name, s) not in used]
        elif (path.name, None) not in used:
            names.append(path.name)
    if not names:
        return ""
    shown = ", ".join(f"'{n}'" for n in names[:8]) + (" …" if len(names) > 8 else "")
    return f" (có nhưng không nhận ra / found but not recognised: {shown})"


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, UTF-16 (Excel's 'Unicode text'), or else
    Windows-1258, what "CSV (Comma delimited)" means in Excel on a Vietnamese Windows.
    Raises UnicodeDecodeError when none fits."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return raw.decode(utf16), utf16
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1258"), "cp1258"


@contextmanager
def _no_field_limit():
    """Lift the csv module's 128 KB field limit while it reads the first lines: a pasted
    paragraph in one cell is data, not damage.  (Reading here is single-threaded.)"""
    previous = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    with _no_field_limit():
        return [len(row) for row in csv.reader(lines, delimiter=delimiter)]


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (Excel uses , ; or tab)."""
    lines = [line for line in text.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = [_field_counts([line], delim)[0] for line in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = delim, score
    return best


def _one_line_ending(text: str) -> str:
    """Text with bare CR line endings (old Mac, some web exports) turned into LF.  The CSV
    reader splits records on LF (CRLF included): without this every record after the first
    would be glued onto one line and lost."""
    carriage_returns = text.count("\r")
    if carriage_returns and carriage_returns != text.count("\r\n"):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _read_csv(source: Source, spec: ContractSpec, part: _Part) -> Cells:
    raw = source.path.read_bytes()
    if not raw.strip():
        raise _stop(
            source.label,
            "tệp rỗng, không có dòng nào",
            "the file is empty",
            spec,
            fix=(
                "Kiểm tra đã chọn đúng tệp; xuất lại dữ liệu từ phần mềm quản lý cán bộ.",
                "Check it is the right file; export the data again.",
            ),
        )
    try:
        text, encoding = _decode(raw)
    except UnicodeDecodeError as exc:
        sample = tcvn3_sample([raw.decode("latin-1")])
        if sample:
            raise _tcvn3_stop(source.label, sample, spec) from None
        raise _stop(
            source.label,
            f"không phải mã UTF-8 hay Windows-1258 (byte {exc.start})",
            f"not UTF-8 or Windows-1258 encoded (byte {exc.start})",
            spec,
        ) from None
    sample = tcvn3_sample(re.split(r"[,;\t|\r\n]", text[:TCVN3_SCAN_CHARS]))
    if sample:
        raise _tcvn3_stop(source.label, sample, spec)
    if "\x00" in text:
        raise _stop(source.label, "chứa ký tự NUL", "contains NUL characters", spec)
    text = _one_line_ending(text)
    delimiter = _sniff_delimiter(text)
    # The widest of the first lines sets the column count, so a one-cell title line above the
    # header does not truncate the table.
    head = text.splitlines()[:HEADER_SCAN_ROWS]
    width = max(_field_counts(head, delimiter), default=0)
    if width == 0:
        return Cells(source, pl.DataFrame(), 1, encoding)
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            schema={f"c{i}": pl.Utf8 for i in range(width)},
            separator=delimiter,
            truncate_ragged_lines=True,
            missing_columns="insert",
            raise_if_empty=False,
            n_rows=part.rows,
            columns=None if part.columns is None else list(part.columns),
        )
    except (pl.exceptions.PolarsError, ValueError, OSError) as exc:  # malformed CSV
        first = _first_line(exc)
        raise _stop(source.label, f"CSV hỏng ({first})", f"malformed CSV ({first})", spec) from None
    return Cells(source, frame, 1, encoding)


_XLSX_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def _xlsx_sheets(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Sheet name -> (relationship type, archive member) from the workbook's own index."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {node.get("Id"): (node.get("Type", ""), node.get("Target", "")) for node in rels}
    sheets = {}
    for node in workbook.iterfind("m:sheets/m:sheet", _XLSX_NS):
        kind, target = targets.get(node.get(f"{{{_XLSX_NS['r']}}}id"), ("", ""))
        target = target.lstrip("/")
        sheets[node.get("name", "")] = (
            kind,
            target if target.startswith("xl/") else f"xl/{target}",
        )
    return sheets


def _chart_sheets(path: Path) -> set[str]:
    """Names of a workbook's chart sheets (a chart on a tab of its own, no cells): a chart
    named "units chart" must never be taken for the units table."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return set()
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = _xlsx_sheets(archive)
    except Exception:  # the reader says what is wrong with a damaged workbook
        return set()
    return {name for name, (kind, _member) in sheets.items() if kind.endswith("/chartsheet")}


def _number_formats(archive: zipfile.ZipFile) -> list[str]:
    """Format code of each cell style (index = a cell's ``s`` attribute)."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return []
    codes = {"1": "0"}  # built-in; the other built-ins never pad with zeros
    for node in styles.iterfind("m:numFmts/m:numFmt", _XLSX_NS):
        codes[node.get("numFmtId", "")] = node.get("formatCode", "")
    return [
        codes.get(node.get("numFmtId", "0"), "General")
        for node in styles.iterfind("m:cellXfs/m:xf", _XLSX_NS)
    ]


def zero_pad_widths(path: Path, sheet: str, rows: int = 2 * HEADER_SCAN_ROWS) -> set[int]:
    """Widths of the zero-padding number formats ("00000000") on number cells in the first
    ``rows`` rows of a sheet: Excel shows 123 as 00000123, the text calamine gives is "123"."""
    widths: set[int] = set()
    try:
        with zipfile.ZipFile(path) as archive:
            found = _xlsx_sheets(archive).get(sheet)
            formats = _number_formats(archive)
            if not found or not formats:
                return widths
            with archive.open(found[1]) as handle:
                for _event, node in ElementTree.iterparse(handle):
                    if node.tag.endswith("}row"):
                        if int(node.get("r", "0")) >= rows:
                            break
                        node.clear()
                    elif node.tag.endswith("}c") and node.get("t", "n") == "n" and node.get("s"):
                        index = int(node.get("s", "0"))
                        code = formats[index] if index < len(formats) else ""
                        if re.fullmatch(r"0{2,}", code):
                            widths.add(len(code))
    except Exception:  # no format evidence; the other files may still tell
        return set()
    return widths


def _xlsx_first_row(path: Path, sheet: str) -> int:
    """Row number of the first non-empty cell: calamine drops leading empty rows, but users
    need the row numbers Excel shows.  Reads only the start of the sheet's XML."""
    with zipfile.ZipFile(path) as archive:
        found = _xlsx_sheets(archive).get(sheet)
        if not found:
            return 1
        with archive.open(found[1]) as handle:
            for _event, node in ElementTree.iterparse(handle):
                if node.tag.endswith("}c") and any(
                    child.tag.endswith(("}v", "}is")) and (child.text or len(child))
                    for child in node
                ):
                    match = re.match(r"[A-Z]+(\d+)", node.get("r", ""))
                    return int(match.group(1)) if match else 1
    return 1


def _read_excel(source: Source, spec: ContractSpec, part: _Part) -> Cells:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(source.path))
        sheet = reader.load_sheet(
            source.sheet,
            header_row=None,
            dtypes="string",
            n_rows=part.rows,
            use_columns=None if part.columns is None else list(part.columns),
        )
        frame = sheet.to_polars()
    except Exception as exc:
        raise _stop(
            source.label,
            f"lỗi đọc Excel ({_first_line(exc)})",
            f"Excel read error ({_first_line(exc)})",
            spec,
        ) from None
    head = frame.head(HEADER_SCAN_ROWS * 4)
    sample = tcvn3_sample(
        value for column in head.columns for value in head.get_column(column).cast(pl.Utf8)
    )
    if sample:
        raise _tcvn3_stop(source.label, sample, spec)
    first_row = 1
    if source.path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            first_row = _xlsx_first_row(source.path, source.sheet or "")
        except Exception:  # row numbers then count from the first non-empty row
            first_row = 1
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    return Cells(source, frame.select(pl.all().cast(pl.Utf8)), first_row)


def _read_parquet(source: Source, spec: ContractSpec, part: _Part) -> Cells:
    try:
        columns = None if part.columns is None else list(part.columns)
        frame = pl.read_parquet(source.path, columns=columns, n_rows=part.rows)
    except Exception as exc:
        raise _stop(
            source.label,
            f"lỗi đọc Parquet ({_first_line(exc)})",
            f"Parquet read error ({_first_line(exc)})",
            spec,
        ) from None
    # Parquet has typed columns and a real header; present it like a sheet whose first row is
    # the header so one code path handles every format.  Dates become ISO text.
    header = pl.DataFrame([pl.Series(f"c{i}", [c], pl.Utf8) for i, c in enumerate(frame.columns)])
    try:
        body = frame.select(
            [
                (
                    pl.col(c).dt.strftime("%Y-%m-%d")
                    if isinstance(frame.schema[c], pl.Date | pl.Datetime)
                    else pl.col(c).cast(pl.Utf8)
                ).alias(f"c{i}")
                for i, c in enumerate(frame.columns)
            ]
        )
    except Exception as exc:  # nested or binary columns have no cell text
        raise _stop(
            source.label,
            f"cột không đọc được ({_first_line(exc)})",
            f"unreadable column ({_first_line(exc)})",
            spec,
        ) from None
    return Cells(source, pl.concat([header, body]) if frame.width else body, 1)


@dataclass(frozen=True)
class _Part:
    """How much of a file to read: the first ``rows`` rows, only the ``columns`` positions."""

    rows: int | None = None
    columns: tuple[int, ...] | None = None


def read_cells(
    source: Source,
    spec: ContractSpec,
    *,
    rows: int | None = None,
    columns: tuple[int, ...] | None = None,
) -> Cells:
    """Every cell of ``source`` as text; ``rows`` / ``columns`` (positions) read only a part,
    for a look at the header row or one column.  A parquet file's first row is its header."""
    part = _Part(rows, columns)
    suffix = source.path.suffix.lower()
    if suffix in PARQUET_EXT:
        return _read_parquet(source, spec, part)
    if suffix in EXCEL_EXT:
        return _read_excel(source, spec, part)
    return _read_csv(source, spec, part)
